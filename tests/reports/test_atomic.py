"""Reports are written atomically: a reader sees the old file or the whole new one."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Report

from ivi_conform.reports import atomic, write_reports


def test_a_write_replaces_the_file_and_leaves_nothing_beside_it(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text("old\n", encoding="utf-8")
    atomic.write_text(path, "new\n")
    assert path.read_text("utf-8") == "new\n"
    assert [entry.name for entry in tmp_path.iterdir()] == ["report.json"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # readable by the CI that collects it


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_an_interrupted_write_keeps_the_previous_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str,
) -> None:
    """Interrupted after the new text is written out but before it takes the name."""
    path = tmp_path / "report.json"
    path.write_text("old\n", encoding="utf-8")

    def interrupted(*args: object) -> None:
        assert any(entry.name.endswith(".partial") for entry in tmp_path.iterdir())
        raise KeyboardInterrupt

    monkeypatch.setattr(os, step, interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic.write_text(path, "new " * 100_000)
    assert path.read_text("utf-8") == "old\n"
    assert [entry.name for entry in tmp_path.iterdir()] == ["report.json"]


def test_write_reports_writes_every_file_through_the_atomic_writer(
    failing: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A report set interrupted half-way: the files not yet replaced keep their old text."""
    out = tmp_path / "out"
    write_reports(failing, out)
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    replaced: list[str] = []
    real: Callable[[str, Path], None] = os.replace

    def replace_then_fail(source: str, target: Path) -> None:
        if len(replaced) == 3:
            raise OSError(28, "No space left on device")
        replaced.append(Path(target).name)
        real(source, target)

    monkeypatch.setattr(os, "replace", replace_then_fail)
    changed = dict(failing, verdict="conformant")
    with pytest.raises(OSError, match="No space"):
        write_reports(changed, out)
    after = {path.name: path.read_bytes() for path in out.iterdir()}
    assert set(after) == set(before)  # no partial file left behind
    untouched = set(before) - set(replaced)
    assert "report.json" in untouched
    assert all(after[name] == before[name] for name in untouched)
    assert any(after[name] != before[name] for name in replaced)
