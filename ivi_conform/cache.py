"""ivi-conform's cache between audits: per-file results, keyed by what they depend on.

A result is cached under a key made of everything it is a function of (the
file's wheel path and bytes, the judge's identity and settings), so an entry
can never be stale: a changed file has a new key, and a re-audit judges only
the files whose keys it has not seen. The folder is ``IVI_CONFORM_CACHE``,
else ``$XDG_CACHE_HOME/ivi-conform`` (``~/.cache/ivi-conform``; on Windows
``%LOCALAPPDATA%\\ivi-conform``); ``IVI_CONFORM_CACHE=off`` switches it off.

Parallel audits may write the same entry: every write goes to a file beside
its target, then is renamed over it (atomic on POSIX and Windows), so a
reader sees the old table or the new one, never half of one. A table that
cannot be read is taken as empty; a cache that cannot be written is skipped.
This module imports nothing of ivi-conform.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

try:
    import fcntl
except ImportError:  # Windows: no folder is held (:func:`held`), each audit works alone
    fcntl = None  # type: ignore[assignment]

_V = TypeVar("_V")

#: Bump when what the tables hold changes shape.
FORMAT = 2  # 2: 256 shards named by two hex digits


def cache_root() -> Path | None:
    """The cache folder, or None when the cache is switched off."""
    configured = os.environ.get("IVI_CONFORM_CACHE")
    if configured:
        return None if configured.lower() in {"off", "0", "no", "false"} else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base and os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        base = os.environ["LOCALAPPDATA"]
    return Path(base or Path.home() / ".cache") / "ivi-conform"


def digest(*parts: bytes | str) -> str:
    """A key from its parts (length-prefixed, so that no two splits collide)."""
    hasher = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def content_digest(data: bytes) -> bytes:
    """The digest of a file's bytes (what the per-file caches key on, beside its path)."""
    return hashlib.blake2b(data, digest_size=20).digest()


#: A table is kept in this many files (by its keys' first two hex digits): a re-audit after a
#: one-module change rewrites one of them (20 modules' entries of a 5,000-module driver),
#: not the whole table.
SHARDS = 256


class Table:
    """One table of cached results (key → value), read once, written once.

    ``kind`` names the judge (``ruff``), ``settings`` its identity and
    options, ``scope`` the distribution (one table per driver keeps reads
    small). Only the entries looked up, stored or kept (:meth:`save`) in
    this audit are written back, so entries of files a driver no longer has
    fall out. The table is
    kept in :data:`SHARDS` JSON files by the first two hex digits of its keys
    (digests); a file whose entries are unchanged is not written again.
    """

    def __init__(self, kind: str, settings: str, scope: str) -> None:
        root = cache_root()
        self.path = (None if root is None else
                     root / kind / digest(str(FORMAT), settings) / digest(scope))
        self._old: dict[str, object] = {}
        self._used: dict[str, object] = {}
        #: Keys given a value by :meth:`put` since the last save: their shards are written.
        self._put: set[str] = set()
        if self.path is not None:
            try:
                shards = [entry.path for entry in os.scandir(self.path)
                          if entry.name.endswith(".json")]
            except OSError:
                shards = []
            for shard in shards:
                with contextlib.suppress(OSError, ValueError):
                    loaded = json.loads(Path(shard).read_bytes())
                    if isinstance(loaded, dict):
                        self._old.update(loaded)

    def get(self, key: str) -> object | None:
        """The value last put under ``key`` in this audit, else the cached one, else None."""
        value = self._used.get(key)
        if value is None:
            value = self._old.get(key)
            if value is not None:
                self._used[key] = value
        return value

    def remembered(self, key: str, compute: Callable[[], _V], kind: type[_V]) -> _V:
        """The value cached under ``key`` when it is a ``kind``, else ``compute()``, kept."""
        value = self.get(key)
        if isinstance(value, kind):
            return value
        computed = compute()
        self.put(key, computed)
        return computed

    def put(self, key: str, value: object) -> None:
        """Remember a value (written by :meth:`save`), new or in place of the key's old one."""
        self._used[key] = value
        self._put.add(key)

    def save(self, keep: Iterable[str] = ()) -> None:
        """Write the shards whose entries changed: each beside its file, then renamed over it.

        The entries written are those used in this audit and those of
        ``keep`` read from the table (the keys of every file the audit has,
        when a rule that would have asked for them was not selected); those
        join the entries used, so a second save writes only what changed. The
        first table written under new settings (another ruff, another
        ivi-conform: every edit of a checkout) removes the tables of this kind
        that no audit has written for :data:`STALE_AFTER_S`; otherwise each
        change of ivi-conform would leave a generated driver's 10 MB behind.
        """
        if self.path is None:
            return
        entries = self._used
        for key in keep:
            if key not in entries and key in self._old:
                entries[key] = self._old[key]
        if entries.keys() == self._old.keys() and not self._put:
            return
        settings = self.path.parent
        if not settings.is_dir():
            remove_stale(settings.parent)
        shards: dict[int, dict[str, object]] = {
            _shard(key): {} for key in (entries.keys() ^ self._old.keys()) | self._put}
        for key, value in entries.items():
            shard = shards.get(_shard(key))
            if shard is not None:
                shard[key] = value
        for number, shard in shards.items():  # an empty one: every entry fell out
            with contextlib.suppress(OSError):
                write_atomic(self.path / f"{number:02x}.json",
                             json.dumps(shard, separators=(",", ":")).encode())
        with contextlib.suppress(OSError):
            os.utime(settings)  # written now: not stale
        self._old = dict(entries)  # what the files now hold: a second save writes only news
        self._put.clear()


#: A kind's folders (tables of other settings, build copies) unwritten this long are removed.
STALE_AFTER_S = 14 * 24 * 3600


def remove_stale(kind: Path) -> None:
    """Remove the folders below ``kind`` last written :data:`STALE_AFTER_S` ago.

    A table's settings folder, a source folder's build copy: what an older
    ivi-conform or a folder no longer audited left behind.
    """
    try:
        folders = [entry for entry in os.scandir(kind) if entry.is_dir(follow_symlinks=False)]
    except OSError:
        return
    now = time.time()
    for folder in folders:
        with contextlib.suppress(OSError):
            if now - folder.stat(follow_symlinks=False).st_mtime > STALE_AFTER_S:
                shutil.rmtree(folder.path)


def _shard(key: str) -> int:
    """The shard of a key: its first two hex digits (keys are digests), else 0."""
    try:
        return int(key[:2], 16)
    except ValueError:
        return 0


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a file beside ``path``, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


#: A stamp stands for a file's bytes only if the file last changed this long before it was read.
SETTLED_NS = 2_000_000_000

#: What tells a file from its next version without reading it (:func:`stamp`).
Stamp = list[int]


def stamp(found: os.stat_result) -> Stamp:
    """A file's size, modification and change times (ns), inode and device.

    The change time is set by the system on every write and cannot be set
    back by a program, so an unchanged stamp means unchanged bytes, with one
    exception git calls "racily clean": a write in the same tick of the clock
    as the one the stamp was taken in. See :func:`settled`.
    """
    return [found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino, found.st_dev]


def settled(found: os.stat_result, read_at_ns: int) -> bool:
    """Whether the stamp of a file read at ``read_at_ns`` may stand for the bytes read.

    It may when the file last changed :data:`SETTLED_NS` before: any later
    write then gives it a change time the stamp does not hold.
    """
    return found.st_ctime_ns < read_at_ns - SETTLED_NS


@contextlib.contextmanager
def held(place: Path | None) -> Iterator[bool]:
    """Hold the cache folder ``place`` for this audit alone; whether it is held.

    The folder (made if needed) is held by a lock on its ``.lock`` file while
    the ``with`` lasts. Not held (False): no ``place`` (the cache is off), no
    file locks (Windows), or another audit holds it now; the caller then
    works in a folder of its own.
    """
    if place is None or fcntl is None:
        yield False
        return
    try:
        place.mkdir(parents=True, exist_ok=True)
        lock = open(place / ".lock", "a+b")  # noqa: SIM115 - held across the yield below
    except OSError:
        yield False
        return
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)

