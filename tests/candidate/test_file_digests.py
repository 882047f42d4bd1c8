"""A folder's file digests are reused while each file's stat says it is untouched, never longer.

The folder's build key, the build copy's and the audit's own key each digest
every file of the source tree; a generated driver's 5,000 files were read
three times per audit. A digest kept in the cache is reused only while the
file's size, times, inode and device are those it was read with, and only
for a file that had settled (not changed in the last two seconds) when it
was read: a write in the same tick of the clock would keep every stamp.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from ivi_conform import wheel_cache
from ivi_conform.candidate import source_tree

LATER_NS = 10_000_000_000


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IVI_CONFORM_CACHE", str(tmp_path / "cache"))
    tree = tmp_path / "driver"
    (tree / "pkg").mkdir(parents=True)
    for number in range(5):
        (tree / "pkg" / f"m{number}.py").write_text(f"VALUE = {number}\n", encoding="utf-8")
    return tree


def _digest(folder: Path) -> str:
    return wheel_cache.tree_digest(folder, source_tree(folder, str(folder)))


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the digests read from now on."""
    read: list[str] = []
    real = wheel_cache._file_digest

    def counting(location: str) -> bytes:
        read.append(os.path.basename(location))
        return real(location)

    monkeypatch.setattr(wheel_cache, "_file_digest", counting)
    return read


def _settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read the files as if ten seconds after they were written (they have settled)."""
    monkeypatch.setattr(time, "time_ns", lambda: time.time() * 1e9 + LATER_NS)


def test_settled_files_are_read_once_and_a_changed_one_again(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _settled(monkeypatch)
    first = _digest(folder)
    read = _reads(monkeypatch)
    assert _digest(folder) == first
    assert read == [], "untouched: no file read again"
    (folder / "pkg" / "m3.py").write_text("VALUE = 7\n", encoding="utf-8")  # same size
    changed = _digest(folder)
    assert read == ["m3.py"]
    monkeypatch.setenv("IVI_CONFORM_CACHE", "off")
    assert changed == _digest(folder) != first, "the digest of every file read afresh"


def test_a_file_written_just_before_it_was_read_is_read_again(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _digest(folder)  # the files were written just now: none has settled
    read = _reads(monkeypatch)
    assert _digest(folder) == first
    assert sorted(read) == [f"m{number}.py" for number in range(5)]


def test_the_digests_of_another_folder_or_a_moved_file_are_not_taken(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _settled(monkeypatch)
    _digest(folder)
    other = tmp_path / "other"
    (other / "pkg").mkdir(parents=True)
    for number in range(5):  # the same names and sizes, other bytes
        (other / "pkg" / f"m{number}.py").write_text(f"VALUE = {number + 5}\n", "utf-8")
    read = _reads(monkeypatch)
    _digest(other)
    assert len(read) == 5
    os.replace(folder / "pkg" / "m1.py", folder / "pkg" / "m2.py")  # m2 is now m1's inode
    read.clear()
    _digest(folder)
    assert read == ["m2.py"]
