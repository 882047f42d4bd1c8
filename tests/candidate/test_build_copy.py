"""The copy a folder's backend builds from is kept between audits and brought up to date.

After a one-module change only that module is written again, and the copy
holds exactly what a fresh copy holds, whatever the last build left in it:
files it wrote, files it changed in place, a hard link it put in a file's
place (whose other name must never receive the source's bytes).
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

import pytest

from ivi_conform import build_copy
from ivi_conform.candidate import source_tree


def _folder(root: Path) -> Path:
    folder = root / "driver"
    (folder / "pkg").mkdir(parents=True)
    (folder / "pyproject.toml").write_text("[project]\nname = 'pkg'\n")
    for number in range(5):
        (folder / "pkg" / f"part{number}.py").write_text(f"VALUE = {number}\n")
    (folder / "pkg" / "tool.sh").write_text("#!/bin/sh\n")
    (folder / "pkg" / "tool.sh").chmod(0o755)
    os.symlink("part0.py", folder / "pkg" / "alias.py")
    return folder


def _listing(tree: Path) -> dict[str, tuple[str, bytes, int, int]]:
    """Every entry below ``tree``: kind, bytes or link target, permission bits, mtime."""
    found: dict[str, tuple[str, bytes, int, int]] = {}
    for path in sorted(tree.rglob("*")):
        relative = path.relative_to(tree).as_posix()
        if path.is_symlink():
            found[relative] = ("link", os.readlink(path).encode(), 0, 0)
        elif path.is_dir():
            found[relative] = ("dir", b"", 0, 0)
        else:
            info = path.stat()
            found[relative] = ("file", path.read_bytes(), info.st_mode & 0o7777,
                               info.st_mtime_ns)
    return found


def _settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Copy the files as if ten seconds after they were written (they have settled)."""
    monkeypatch.setattr(build_copy.time, "time_ns", lambda: time.time() * 1e9 + 10e9)


def _copies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the build copy writes from now on."""
    written: list[str] = []
    copy2 = build_copy.shutil.copy2

    def counted(source: str, target: str, *, follow_symlinks: bool = True) -> object:
        written.append(Path(target).name)
        return copy2(source, target, follow_symlinks=follow_symlinks)

    monkeypatch.setattr(build_copy.shutil, "copy2", counted)
    return written


def test_the_kept_copy_holds_what_a_fresh_one_holds_and_rewrites_only_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVI_CONFORM_CACHE", str(tmp_path / "cache"))
    _settled(monkeypatch)
    folder = _folder(tmp_path)
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"not the driver's")
    with build_copy.build_copy(folder, source_tree(folder, "driver"),
                               tmp_path / "fresh") as tree:
        assert tree != tmp_path / "fresh", "kept in the cache folder"
        (tree / "build" / "lib").mkdir(parents=True)  # what a build writes into its tree
        (tree / "build" / "lib" / "part0.py").write_text("stale\n")
        (tree / "pkg" / "part1.py").write_text("VALUE = 'changed by the build'\n")
        (tree / "pkg" / "part2.py").unlink()
        os.link(outside, tree / "pkg" / "part2.py")  # a hard link in a module's place
    kept_inode = (tree / "pkg" / "part4.py").stat().st_ino

    (folder / "pkg" / "part3.py").write_text("VALUE = 'edited'\n")  # the vendor's change
    (folder / "pkg" / "part0.py").unlink()
    (folder / "pkg" / "new.py").write_text("NEW = 1\n")
    written = _copies(monkeypatch)
    entries = source_tree(folder, "driver")
    with build_copy.build_copy(folder, entries, tmp_path / "fresh") as again:
        assert again == tree
        assert sorted(written) == ["new.py", "part1.py", "part2.py", "part3.py"]
        assert (again / "pkg" / "part4.py").stat().st_ino == kept_inode, "not written again"
        assert outside.read_bytes() == b"not the driver's", "the link's other name untouched"
        monkeypatch.setenv("IVI_CONFORM_CACHE", "off")
        with build_copy.build_copy(folder, entries, tmp_path / "fresh") as fresh:
            assert fresh == tmp_path / "fresh"
            assert _listing(again) == _listing(fresh)
            assert _listing(fresh) == _listing(folder)


def test_a_copy_in_use_is_not_shared_but_made_afresh(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVI_CONFORM_CACHE", str(tmp_path / "cache"))
    folder = _folder(tmp_path)
    entries = source_tree(folder, "driver")
    with build_copy.build_copy(folder, entries, tmp_path / "one") as kept:
        with build_copy.build_copy(folder, entries, tmp_path / "two") as other:
            assert other == tmp_path / "two" != kept
            assert _listing(other) == _listing(kept) == _listing(folder)
    lock = kept.parent / ".lock"
    with lock.open("a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with build_copy.build_copy(folder, entries, tmp_path / "three") as third:
            assert third == tmp_path / "three"


def test_the_copies_of_folders_not_built_for_weeks_are_removed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ivi_conform import cache

    monkeypatch.setenv("IVI_CONFORM_CACHE", str(tmp_path / "cache"))
    old = _folder(tmp_path / "old")
    with build_copy.build_copy(old, source_tree(old, "old"), tmp_path / "fresh") as kept:
        place = kept.parent
    weeks_ago = time.time() - cache.STALE_AFTER_S - 3600
    os.utime(place, (weeks_ago, weeks_ago))
    new = _folder(tmp_path / "new")
    with build_copy.build_copy(new, source_tree(new, "new"), tmp_path / "fresh") as other:
        assert other.parent != place
    assert not place.exists(), "not built for weeks: removed"
    assert other.exists()


def test_a_file_written_just_before_it_was_copied_is_copied_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write in the same tick of the clock as the copy keeps every stamp: such a file's stamp
    is not trusted, and the next audit copies it again (then it has settled)."""
    monkeypatch.setenv("IVI_CONFORM_CACHE", str(tmp_path / "cache"))
    folder = _folder(tmp_path)
    entries = source_tree(folder, "driver")
    with build_copy.build_copy(folder, entries, tmp_path / "fresh"):
        pass  # every file was written just now
    written = _copies(monkeypatch)
    _settled(monkeypatch)
    with build_copy.build_copy(folder, entries, tmp_path / "fresh"):
        pass
    assert len(written) == 7, "each file again: its stamp was taken in its write's tick"
    written.clear()
    with build_copy.build_copy(folder, entries, tmp_path / "fresh"):
        pass
    assert written == [], "settled now: none again"
