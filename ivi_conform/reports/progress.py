"""The live progress line of ``ivi-conform audit`` on a terminal.

A full audit takes from seconds to minutes (building the wheel, mypy, the
behavioural run), and a silent terminal for a minute looks like a hang. One
line, rewritten in place with a carriage return, says which rule is being
judged and for how long the audit has run. It is drawn only on a terminal:
in a CI log or a pipe, where ``\\r`` would leave a line per update, it says
nothing, and ``--quiet`` silences it everywhere. A single line needs no
library (``rich`` would draw the same with a dependency the audit does not
otherwise need).
"""

from __future__ import annotations

import shutil
import time
from typing import TextIO

from ivi_conform.engine import Progress

#: ANSI: erase from the cursor to the end of the line.
_ERASE = "\x1b[K"


class ProgressLine:
    """An observer of :func:`ivi_conform.engine.audit` drawing one line on ``stream``.

    ``enabled`` is False when ``stream`` is not a terminal or the user asked for
    quiet; the observer is then a no-op. :meth:`clear` erases the line before
    the summary is printed.
    """

    def __init__(self, stream: TextIO, *, quiet: bool = False) -> None:
        self.stream = stream
        self.enabled = not quiet and stream.isatty()
        self.started = time.monotonic()
        self.drawn = False

    def __call__(self, progress: Progress) -> None:
        if not self.enabled:
            return
        width = max(shutil.get_terminal_size().columns - 1, 20)
        self.stream.write("\r" + line_of(progress, time.monotonic() - self.started)[:width]
                          + _ERASE)
        self.stream.flush()
        self.drawn = True

    def clear(self) -> None:
        """Erase the line, so that what is printed next starts on a clean one."""
        if self.drawn:
            self.stream.write("\r" + _ERASE)
            self.stream.flush()
            self.drawn = False


def line_of(progress: Progress, elapsed: float) -> str:
    """``[ 37/106] static rules: style-pep8 (PEP 8) 12 s``: one stage, as the line shows it."""
    width = len(str(progress.total))
    counter = f"[{progress.done:>{width}}/{progress.total}]"
    what = progress.stage
    if progress.rule is not None:
        what += f": {progress.rule.id} ({progress.rule.title})"
    return f"{counter} {what} {elapsed:.0f} s"
