"""The wheels built from source trees, kept between audits and keyed so they are never stale.

Building a folder's wheel is most of a re-audit of a large generated driver
(seconds, against a static audit that otherwise takes under one), and a
re-audit of an unchanged folder builds the same wheel again. So each wheel is
kept under ivi-conform's cache folder (:func:`ivi_conform.cache.cache_root`;
``IVI_CONFORM_CACHE=off`` switches it off), at
``wheels/<project>/<key>/<wheel file name>`` beside the ``entry.json`` that
describes it, and a later build of the same source is answered from there.

The key is made of everything the build is a function of, so that an entry
can never answer for a different build:

- every entry of the source tree the build copies (:func:`tree_digest`): its
  relative POSIX path, its kind (file, folder, link), its permission bits
  (the executable bit among them), and a file's bytes or a link's target;
- the interpreter that runs the backend (``sys.version``,
  ``sys.implementation.cache_tag``) and ivi-conform's version, which owns how
  a build is run;
- the versions of the distributions, as installed, that the static
  ``[build-system] requires`` name, with their own requirements
  (:func:`installed_versions`): they decide whether the build can run in the
  installed environment, and with which backend;
- the environment variables that can change a build's output
  (:func:`build_environment`).

Whether the build ran in the installed environment or an isolated one also
depends on the requirements the backend adds at build time
(``get_requires_for_build_wheel``); asking it means starting the backend in a
child process, which would cost a cache hit most of its gain. These are a
function of the key's parts anyway (the tree, the backend's version, the
environment); the entry records each requirement's installed version at build
time (static and added, or None when it was not installed, which is what
sends a build to an isolated environment), and a hit requires that every one
is still the same. So a hit is a build in the same kind of environment with
the same installed requirements.

The source's ``.git`` is never copied into the build (nor any folder the
build does not see), so a version derived from the VCS comes only from
variables such as ``SETUPTOOLS_SCM_PRETEND_VERSION`` (which are in the key)
or from the backend's fallback version (which is in the tree).

An isolated build installs its requirements from the index at build time,
so the same tree can build differently after a new backend release, while
nothing in the key changes. Its entries are reused for at most
:data:`ISOLATED_TTL_S` after their build (the entry records when), then
rebuilt.

Every file of an entry is written beside its target and renamed over it
(:func:`ivi_conform.cache.write_atomic`), the wheel before ``entry.json``,
and the entry holds the wheel's SHA-256: a reader sees a whole wheel or none,
and a wheel that does not match its entry (truncated, corrupt, or replaced by
a concurrent writer) is a miss, rebuilt, never an error. A project keeps its
:data:`ENTRIES_PER_PROJECT` most recently used entries; older ones are
removed, so the cache does not grow without end while a driver is edited.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import sys
import time
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ivi_conform import __version__, cache

#: Bump when what an entry holds changes shape.
FORMAT = 1
#: How long an entry built in an isolated environment is reused (its requirements came from
#: the index, which may have published a new backend since).
ISOLATED_TTL_S = 24 * 60 * 60
#: The most recently used entries kept for one project.
ENTRIES_PER_PROJECT = 8
#: The most of a build's output an entry keeps (its end: where a failure or a warning is).
LOG_LIMIT = 256 * 1024
#: The requirements PEP 517 assumes when pyproject.toml names none (as ``build`` does).
_DEFAULT_REQUIRES = ("setuptools >= 40.8.0",)
#: Variables that change a build's output whatever the backend: reproducible timestamps, where
#: the backend is imported from, a cross-compiled platform tag, C extensions' compiler settings.
_BUILD_VARIABLES = frozenset({
    "SOURCE_DATE_EPOCH", "PYTHONPATH", "_PYTHON_HOST_PLATFORM", "MACOSX_DEPLOYMENT_TARGET",
    "ARCHFLAGS", "CC", "CXX", "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS",
})
#: Prefixes of the variables the backends and their version plugins read: setuptools and
#: setuptools-scm (``SETUPTOOLS_SCM_PRETEND_VERSION``, ``..._FOR_<NAME>``, ``..._OVERRIDES_...``,
#: all under ``SETUPTOOLS_``; hatch-vcs reads the same), vcs-versioning (the prefix its
#: integrators fall back to), hatch (``HATCH_VCS_...``), pdm (``PDM_BUILD_SCM_VERSION``), flit,
#: poetry (and poetry-dynamic-versioning), maturin, pbr (``PBR_VERSION``), versioneer,
#: distutils, and pip (an isolated build's installs).
_BUILD_PREFIXES = ("SETUPTOOLS_", "VCS_VERSIONING_", "HATCH_", "PDM_", "FLIT_", "POETRY_",
                   "MATURIN_", "PBR_", "VERSIONEER", "DISTUTILS_", "PIP_")
#: A project name that can be a folder name as it is (else its digest is).
_PLAIN_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
#: What a cached wheel's file name may be (it is joined to the entry's folder).
_WHEEL_NAME = re.compile(r"^[A-Za-z0-9_.+!-]+\.whl$")
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Key:
    """Where a build's wheel is cached: its project's folder and the key below it."""

    project: str
    value: str


@dataclass(frozen=True)
class Hit:
    """A cached wheel, copied where the build would have written it."""

    wheel: Path
    #: when the wheel was built (seconds since the epoch)
    built: float
    #: that build's output
    log: str


def tree_digest(folder: Path, entries: Iterable[tuple[str, str, int]]) -> str:
    """The digest of what a build of ``folder`` sees: ``(path, kind, mode)`` per entry.

    ``entries`` is the candidate's one list of what the build copies, in its
    stable order; a file contributes its bytes, a link its target, a folder
    its name. A file's digest is taken from :class:`FileDigests` while its
    ``stat`` says it is untouched. Raises OSError when an entry cannot be read.
    """
    hasher = hashlib.blake2b(digest_size=20)
    top = os.fspath(folder)
    known = FileDigests(folder)
    for path, kind, mode in entries:
        location = os.path.join(top, path)  # not pathlib: this runs once per file of the tree
        if kind == "file":
            content = known.digest(path, location)
        elif kind == "link":
            content = os.fsencode(os.readlink(location))
        else:
            content = b""
        for part in (os.fsencode(path), kind.encode(), mode.to_bytes(4, "little"), content):
            hasher.update(len(part).to_bytes(8, "little"))
            hasher.update(part)
    known.save()
    return hasher.hexdigest()


class FileDigests:
    """The content digests of a folder's files, kept in the cache while each file is untouched.

    A re-audit of a generated driver read its 5,000 files three times (the
    folder's key, the build copy's, the audit's own key) to find one changed.
    Each digest is kept with the file's stamp (:func:`ivi_conform.cache.stamp`)
    and reused while the stamp is the same; it is kept only for a file that
    had settled when it was read (:func:`ivi_conform.cache.settled`). Without
    the cache, every file is read.
    """

    def __init__(self, folder: Path) -> None:
        root = cache.cache_root()
        self._path = (None if root is None else root / "file-digests"
                      / cache.digest(os.fspath(folder.resolve())) / "digests.json")
        self._known: dict[str, list[object]] = {}
        self._kept: dict[str, list[object]] = {}
        if self._path is not None:
            with contextlib.suppress(OSError, ValueError):
                loaded = json.loads(self._path.read_bytes())
                if isinstance(loaded, dict):
                    self._known = loaded

    def digest(self, path: str, location: str) -> bytes:
        """The digest of the file ``location`` (``path`` in the folder)."""
        if self._path is None:
            return _file_digest(location)
        found = os.stat(location, follow_symlinks=False)
        now = cache.stamp(found)
        entry = self._known.get(path)
        if isinstance(entry, list) and len(entry) == 6 and entry[:5] == now \
                and isinstance(entry[5], str):
            with contextlib.suppress(ValueError):
                content = bytes.fromhex(entry[5])
                self._kept[path] = entry
                return content
        read_at = time.time_ns()
        content = _file_digest(location)
        if cache.settled(found, read_at):
            self._kept[path] = [*now, content.hex()]
        return content

    def save(self) -> None:
        """Keep the digests of the files seen now (of files gone, none), when they changed.

        The digests of folders no audit has read for two weeks are removed
        when a new folder's are first kept (:func:`ivi_conform.cache.remove_stale`).
        """
        if self._path is None:
            return
        place = self._path.parent
        if not place.is_dir():
            cache.remove_stale(place.parent)
        with contextlib.suppress(OSError):
            if self._kept != self._known:
                cache.write_atomic(self._path, json.dumps(self._kept,
                                                          separators=(",", ":")).encode())
            os.utime(place)  # read now: not stale


def _file_digest(path: str) -> bytes:
    """A file's digest, read with bare descriptors (about half the time of ``open()``'s)."""
    hasher = hashlib.blake2b(digest_size=20)
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        while chunk := os.read(descriptor, _CHUNK):
            hasher.update(chunk)
    finally:
        os.close(descriptor)
    return hasher.digest()


def build_environment(environ: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The environment variables that can change a build's output, sorted."""
    environ = os.environ if environ is None else environ
    return sorted((name, value) for name, value in environ.items()
                  if name in _BUILD_VARIABLES or name.startswith(_BUILD_PREFIXES))


def installed_versions(requirements: Iterable[str]) -> dict[str, str | None]:
    """The installed version of each required distribution and of what it requires in turn.

    By canonical name; None where it is not installed. Requirements whose
    markers exclude this interpreter are left out, as ``build`` leaves them
    out when it checks them. Raises InvalidRequirement for a malformed one.
    """
    found: dict[str, str | None] = {}
    pending = [(Requirement(text), frozenset({""})) for text in requirements]
    while pending:
        requirement, extras = pending.pop()
        if requirement.marker is not None and not any(
                requirement.marker.evaluate({"extra": extra}) for extra in extras):
            continue
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        try:
            distribution = importlib.metadata.distribution(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
            continue
        found[name] = distribution.version
        wanted = frozenset({"", *requirement.extras})
        for text in distribution.requires or ():
            with contextlib.suppress(InvalidRequirement):  # an installed dist's own mistake
                pending.append((Requirement(text), wanted))
    return found


def _current_versions(names: Iterable[str]) -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def key(folder: Path, entries: Iterable[tuple[str, str, int]]) -> Key | None:
    """The cache key of building ``folder``, or None when nothing is to be cached.

    None when the cache is off, or when the tree or its pyproject.toml cannot
    be read as the build will read them (the build then reports why).
    """
    if cache.cache_root() is None:
        return None
    try:
        tree = tree_digest(folder, entries)
        pyproject = folder / "pyproject.toml"
        data = tomllib.loads(pyproject.read_text("utf-8")) if pyproject.is_file() else {}
        requires = data.get("build-system", {}).get("requires", _DEFAULT_REQUIRES)
        if not isinstance(requires, list | tuple):
            return None
        versions = installed_versions(str(text) for text in requires)
        project = data.get("project", {})
        name = canonicalize_name(str(project.get("name", "") or "")) or "unnamed"
    except (OSError, ValueError, AttributeError, TypeError, RecursionError):
        # unreadable, not TOML, not UTF-8, malformed tables or requirements
        return None
    if not _PLAIN_NAME.match(name):
        name = cache.digest(name)
    value = cache.digest(
        str(FORMAT), tree, sys.version, sys.implementation.cache_tag or "", __version__,
        json.dumps(sorted(versions.items(), key=lambda item: item[0])),
        json.dumps(build_environment()),
    )
    return Key(project=name, value=value)


def _entry_folder(where: Key) -> Path | None:
    root = cache.cache_root()
    return None if root is None else root / "wheels" / where.project / where.value


def lookup(where: Key, out: Path) -> Hit | None:
    """The cached wheel of ``where``, copied into ``out``; None when there is none to trust.

    A missing, unreadable or malformed entry, a wheel whose bytes are not the
    ones recorded, an isolated build past its time, or an installed
    requirement whose version changed since the build: each is a miss.
    """
    folder = _entry_folder(where)
    if folder is None:
        return None
    try:
        entry = json.loads((folder / "entry.json").read_bytes())
    except (OSError, ValueError):
        return None
    if not _valid(entry):
        return None
    if entry["isolated"] and not 0 <= time.time() - entry["built"] <= ISOLATED_TTL_S:
        return None
    if _current_versions(entry["requires"]) != entry["requires"]:
        return None
    try:
        data = (folder / entry["wheel"]).read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        return None
    out.mkdir(parents=True, exist_ok=True)
    wheel = out / entry["wheel"]
    wheel.write_bytes(data)
    with contextlib.suppress(OSError):  # marks the entry used, for the eviction of the oldest
        os.utime(folder / "entry.json")
    return Hit(wheel=wheel, built=float(entry["built"]), log=entry["log"])


def _valid(entry: object) -> bool:
    """Whether a read ``entry.json`` has every field, of its type (it may be damaged)."""
    if not isinstance(entry, dict) or entry.get("format") != FORMAT:
        return False
    requires = entry.get("requires")
    return (isinstance(entry.get("wheel"), str) and bool(_WHEEL_NAME.match(entry["wheel"]))
            and isinstance(entry.get("sha256"), str)
            and isinstance(entry.get("built"), int | float)
            and isinstance(entry.get("isolated"), bool)
            and isinstance(entry.get("log"), str)
            and isinstance(requires, dict)
            and all(isinstance(name, str) and (version is None or isinstance(version, str))
                    for name, version in requires.items()))


def store(where: Key, wheel: Path, *, isolated: bool, requires: Mapping[str, str | None],
          log: str) -> None:
    """Keep a freshly built ``wheel`` under ``where``; a cache that cannot be written is skipped.

    ``requires`` holds the installed version of every build requirement (see
    :func:`installed_versions`), ``log`` the build's output (shown again with
    ``--verbose`` when the wheel is reused).
    """
    folder = _entry_folder(where)
    if folder is None or not _WHEEL_NAME.match(wheel.name):
        return
    if len(log) > LOG_LIMIT:
        log = "[the output before this was not kept]\n" + log[-LOG_LIMIT:]
    with contextlib.suppress(OSError):
        data = wheel.read_bytes()
        entry = {"format": FORMAT, "wheel": wheel.name,
                 "sha256": hashlib.sha256(data).hexdigest(), "built": time.time(),
                 "isolated": isolated, "requires": dict(requires), "log": log}
        cache.write_atomic(folder / wheel.name, data)
        cache.write_atomic(folder / "entry.json", json.dumps(entry).encode())
        _evict(folder.parent)


def _evict(project: Path) -> None:
    """Remove all but the project's most recently used entries.

    A folder without ``entry.json`` is kept while it is young: it may be an
    entry another audit is writing.
    """
    used: list[tuple[float, Path]] = []
    for folder in project.iterdir():
        try:
            used.append((os.stat(folder / "entry.json").st_mtime, folder))
        except OSError:
            with contextlib.suppress(OSError):
                if time.time() - folder.stat().st_mtime > ISOLATED_TTL_S:
                    shutil.rmtree(folder, ignore_errors=True)
    used.sort(reverse=True)
    for _, folder in used[ENTRIES_PER_PROJECT:]:
        shutil.rmtree(folder, ignore_errors=True)
