"""One way to write an output file: beside it, flushed to disk, then renamed over it.

A CI step, a dashboard or a second audit may read a report while it is being
written, and an audit may be killed half-way through writing one. Writing a
temporary file in the same folder (so that the rename never crosses file
systems), forcing it to disk and then :func:`os.replace`-ing it over the
final name means that a reader sees either the previous file or the whole
new one, never half of it. Every file ivi-conform writes (the command line,
the pytest plugin, the dashboard, expectations) goes through :func:`write_text`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8, ``\\n`` line ends) in one step.

    On any failure (a full disk, an interrupt) the temporary file is removed,
    ``path`` keeps its previous content, and the exception propagates.
    """
    descriptor, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial",
                                           dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(partial, 0o644)  # mkstemp's 0600 would hide a report from its readers
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
