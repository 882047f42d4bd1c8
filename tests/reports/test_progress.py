"""The progress line: one line rewritten per stage on a terminal, nothing elsewhere."""

from __future__ import annotations

import io
from pathlib import Path

from demo_kit import tiny_wheel

from ivi_conform.cli import main


class Terminal(io.StringIO):
    """stderr as a terminal sees it."""

    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_one_rewritten_line_per_stage_cleared_at_the_end(
    demo_catalog: None, tmp_path: Path,
) -> None:
    err = Terminal()
    assert main(["audit", str(tiny_wheel()), "--report-dir", str(tmp_path / "out")],
                out=io.StringIO(), err=err) == 1
    text = err.getvalue()
    updates = text.split("\r")[1:]
    assert updates[0].startswith("[0/7] loading the candidate")
    # the driver is exercised after every static rule (engine.judging_order)
    assert any(update.startswith("[6/7] runtime rules: demo-runtime (The demo behaviour)")
               for update in updates)
    assert "\n" not in text  # the line is rewritten, never scrolled
    assert text.endswith("\r\x1b[K")  # cleared before the summary


def test_quiet_or_not_a_terminal_draws_nothing(demo_catalog: None, tmp_path: Path) -> None:
    quiet = Terminal()
    assert main(["audit", str(tiny_wheel()), "--report-dir", str(tmp_path / "a"), "--quiet"],
                out=io.StringIO(), err=quiet) == 1
    piped = io.StringIO()
    assert main(["audit", str(tiny_wheel()), "--report-dir", str(tmp_path / "b")],
                out=io.StringIO(), err=piped) == 1
    assert quiet.getvalue() == piped.getvalue() == ""
