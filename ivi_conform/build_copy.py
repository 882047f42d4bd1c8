"""The copy of a source folder that its build backend runs on, kept between audits.

A backend may write into the tree it builds (setuptools' ``build/`` and
``*.egg-info``, a version file), so a folder is never built in place but from
a copy. Copying a generated driver's 5,000 files took a second at every audit
(creating the files is the cost, not reading them). So the copy of each
source folder is kept in the cache folder and brought up to date
(:func:`_bring_up_to_date`): a file is written again only when the source's
changed (its stamp, :func:`ivi_conform.cache.stamp`, differs from when it was
copied, or the file had changed just before: :func:`ivi_conform.cache.settled`) or when the
last build changed it in the copy; whatever else the copy holds (what the last
build wrote into it) is removed. The copy then holds exactly the entries a
fresh one would, with the same bytes, permission bits and modification times.

One audit at a time uses a kept copy (a lock); another, or one without the
cache or file locks, copies afresh into its own work folder. The copies of
folders no audit has built for two weeks are removed when a new one is made.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from ivi_conform import cache

#: An entry of a source tree: relative POSIX path, ``dir``/``file``/``link``, permission bits.
Entry = tuple[str, str, int]


class CopyError(Exception):
    """The source tree could not be copied (the message says which entry and why)."""


@contextlib.contextmanager
def build_copy(folder: Path, entries: Sequence[Entry], fresh: Path) -> Iterator[Path]:
    """A folder holding exactly ``entries`` of ``folder``, for the build to run on.

    The kept copy of ``folder`` when it can be had, brought up to date;
    else a fresh copy at ``fresh``. Raises :class:`CopyError`.
    """
    root = cache.cache_root()
    place = None if root is None else root / "build-copies" / cache.digest(
        os.fspath(folder.resolve()))
    if place is not None and not place.is_dir():  # a new folder: copies unused for weeks go
        cache.remove_stale(place.parent)
    with cache.held(place) as alone:
        if not alone or place is None:
            yield _afresh(folder, entries, fresh)
            return
        tree, state = place / "tree", place / "state.json"
        try:
            _bring_up_to_date(folder, tree, entries, state)
        except CopyError:  # what the last build left cannot be undone: copy afresh
            shutil.rmtree(tree, ignore_errors=True)
            _bring_up_to_date(folder, tree, entries, state)
        yield tree


def _afresh(folder: Path, entries: Sequence[Entry], fresh: Path) -> Path:
    """Copy ``entries`` of ``folder`` into ``fresh`` (emptied first)."""
    shutil.rmtree(fresh, ignore_errors=True)
    _bring_up_to_date(folder, fresh, entries, None)
    return fresh


def _bring_up_to_date(folder: Path, tree: Path, entries: Sequence[Entry],
                      state_file: Path | None) -> None:
    """Make ``tree`` hold ``entries`` of ``folder`` and nothing else.

    ``state_file`` records, per file, its permission bits and the stamps of
    the source and of the copy when it was copied; a file whose stamps are
    both unchanged is left alone. Nothing in ``tree`` is written through:
    a file to replace is unlinked first, so that a hard link the last build
    left there never carries the source's bytes elsewhere.
    """
    known = _read_state(state_file)
    present = _present(tree)
    wanted = {path: kind for path, kind, _ in entries}
    for path in sorted(present, reverse=True):  # a folder's contents before the folder
        kind = present[path][0]
        if wanted.get(path) != kind:
            _remove(tree / path, kind)
            present.pop(path)
    state: dict[str, list[object]] = {}
    top, copy = os.fspath(folder), os.fspath(tree)
    try:
        os.makedirs(copy, exist_ok=True)
        for path, kind, mode in entries:
            source, target = os.path.join(top, path), os.path.join(copy, path)
            there = present.get(path)
            if kind == "dir":
                if there is None:
                    os.mkdir(target)
            elif kind == "link":
                link = os.readlink(source)
                if there is None or os.readlink(target) != link:
                    if there is not None:
                        os.unlink(target)
                    os.symlink(link, target)
            else:
                copied_at = time.time_ns()
                found = os.stat(source, follow_symlinks=False)
                record = [mode, cache.stamp(found), there[1] if there is not None else None]
                if there is None or known.get(path) != record:
                    if there is not None:
                        os.unlink(target)
                    shutil.copy2(source, target, follow_symlinks=False)
                    record[2] = cache.stamp(os.stat(target, follow_symlinks=False))
                    if not cache.settled(found, copied_at):  # written in the same tick: unknown
                        record[1] = None
                state[path] = record
    except OSError as exc:
        raise CopyError(f"cannot copy the source tree: {exc}") from None
    if state_file is not None:
        with contextlib.suppress(OSError):
            cache.write_atomic(state_file, json.dumps(state, separators=(",", ":")).encode())


def _read_state(state_file: Path | None) -> dict[str, object]:
    """The recorded stamps, or none (no file, or not one this module wrote)."""
    if state_file is None:
        return {}
    try:
        state = json.loads(state_file.read_bytes())
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _present(tree: Path) -> dict[str, tuple[str, cache.Stamp | None]]:
    """What ``tree`` holds: relative POSIX path → kind, and a file's stamp (links not followed)."""
    found: dict[str, tuple[str, cache.Stamp | None]] = {}
    pending: list[tuple[str, str]] = [(os.fspath(tree), "")]
    while pending:
        directory, prefix = pending.pop()
        try:
            listing: Iterable[os.DirEntry[str]] = list(os.scandir(directory))
        except OSError:
            continue
        for item in listing:
            path = prefix + item.name
            if item.is_symlink():
                found[path] = ("link", None)
            elif item.is_dir(follow_symlinks=False):
                found[path] = ("dir", None)
                pending.append((item.path, path + "/"))
            elif item.is_file(follow_symlinks=False):
                found[path] = ("file", cache.stamp(item.stat(follow_symlinks=False)))
            else:
                found[path] = ("other", None)
    return found


def _remove(location: Path, kind: str) -> None:
    """Remove a file, link or folder (a folder with what it holds) of the copy."""
    with contextlib.suppress(FileNotFoundError):
        if kind == "dir":
            shutil.rmtree(location)
        else:
            os.unlink(location)
