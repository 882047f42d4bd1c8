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
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

_V = TypeVar("_V")

#: Bump when what the tables hold changes shape.
FORMAT = 1


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


#: A table is kept in this many files (by its keys' first hex digit): a re-audit after a
#: one-module change rewrites one of them, not the whole table of a 5,000-module driver.
SHARDS = 16


class Table:
    """One table of cached results (key → value), read once, written once.

    ``kind`` names the judge (``ruff``), ``settings`` its identity and
    options, ``scope`` the distribution (one table per driver keeps reads
    small). Only the entries looked up or stored in this audit are written
    back, so entries of files a driver no longer has fall out. The table is
    kept in :data:`SHARDS` JSON files by the first hex digit of its keys
    (digests); a file whose entries are unchanged is not written again.
    """

    def __init__(self, kind: str, settings: str, scope: str) -> None:
        root = cache_root()
        self.path = (None if root is None else
                     root / kind / digest(str(FORMAT), settings) / digest(scope))
        self._old: dict[str, object] = {}
        self._used: dict[str, object] = {}
        if self.path is not None:
            for shard in range(SHARDS):
                with contextlib.suppress(OSError, ValueError):
                    loaded = json.loads((self.path / f"{shard:x}.json").read_bytes())
                    if isinstance(loaded, dict):
                        self._old.update(loaded)

    def get(self, key: str) -> object | None:
        """The cached value, or None."""
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
        """Remember a value (written by :meth:`save`)."""
        self._used[key] = value

    @property
    def changed(self) -> bool:
        """Whether the table to write differs from the one read."""
        return self._used.keys() != self._old.keys()

    def save(self) -> None:
        """Write the shards whose entries changed: each beside its file, then renamed over it."""
        if self.path is None or not self.changed:
            return
        old_keys = _by_shard(self._old)
        for shard, used in _by_shard(self._used).items():
            if used.keys() == old_keys.get(shard, {}).keys():
                continue
            with contextlib.suppress(OSError):
                write_atomic(self.path / f"{shard:x}.json",
                             json.dumps(used, separators=(",", ":")).encode())
        for shard in old_keys.keys() - _by_shard(self._used).keys():  # every entry fell out
            with contextlib.suppress(OSError):
                write_atomic(self.path / f"{shard:x}.json", b"{}")


def _by_shard(table: dict[str, object]) -> dict[int, dict[str, object]]:
    """The entries of a table by shard (one pass)."""
    shards: dict[int, dict[str, object]] = {}
    for key, value in table.items():
        shards.setdefault(_shard(key), {})[key] = value
    return shards


def _shard(key: str) -> int:
    """The shard of a key: its first hex digit (keys are digests), else 0."""
    try:
        return int(key[:1], 16)
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


def file_keys(files: Mapping[str, bytes], paths: list[str]) -> dict[str, str]:
    """Each file's key: its wheel path and its bytes."""
    return {path: digest(path, files[path]) for path in paths}
