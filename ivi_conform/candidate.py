"""Turn a TARGET (source folder, wheel, sdist, installed name) into what it ships.

Every kind of target ends as the same thing, a :class:`Distribution`: the
files its wheel carries and its core metadata. A folder or an sdist is judged
as what it builds to, so its wheel is built, by its own build backend, in a
child process (``pyproject_hooks`` runs every hook in a subprocess); nothing of
the candidate is imported here.

Everything a target holds is untrusted, so reading it is bounded and checked
before anything is written or built: archive member names that are absolute
or climb out (``../``), symbolic links that leave the tree, members or
archives over the size limits, METADATA that is missing or not UTF-8, a
pyproject.toml that is not TOML, an import package that would shadow a
standard-library module. Each ends as a :class:`TargetError`, one line that
names the file and the problem (``ivi-conform audit`` exits 2 on it).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import io
import json
import lzma
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path, PurePath, PurePosixPath
from typing import Any, Literal, NamedTuple, TextIO

from packaging.metadata import RawMetadata, parse_email
from packaging.requirements import InvalidRequirement

from ivi_conform import wheel_cache
from ivi_conform.build_copy import CopyError, build_copy
from ivi_conform.cache import content_digest

#: A build backend that takes longer than this is taken to hang.
BUILD_TIMEOUT_S = 300.0
#: Files larger than this are not read into memory (a driver's text files never are).
MAX_MEMBER_BYTES = 32 * 1024 * 1024
#: All the files of one wheel or sdist together, uncompressed.
MAX_TOTAL_BYTES = 256 * 1024 * 1024
#: Members of one wheel or sdist.
MAX_MEMBERS = 20_000
#: pyproject.toml and METADATA are read up to this size; a larger one is refused.
MAX_TEXT_BYTES = 4 * 1024 * 1024
#: Folders a source tree may hold that are never part of what it builds.
_NOT_SOURCE = ("/.git", "/.hg", "/.venv", "/venv", "/.tox", "/.nox", "/node_modules", "/build",
               "/dist", "/__pycache__", "/.mypy_cache", "/.ruff_cache", "/.pytest_cache")

#: The line of a failed backend's output that names the cause (an exception, an error line).
_CAUSE = re.compile(r"^(?:[\w.]+(?:Error|Exception)\b|error\b)", re.IGNORECASE)

TargetKind = Literal["folder", "wheel", "sdist", "installed"]

#: What reading a damaged zip can raise besides BadZipFile (truncated or corrupt streams,
#: unsupported or encrypted members, undecodable names).
_ZIP_ERRORS = (OSError, EOFError, ValueError, RuntimeError, NotImplementedError,
               zipfile.BadZipFile, zlib.error, lzma.LZMAError)
#: The same for tar archives (gzip, bzip2 and xz streams; KeyError: a link to no member).
_TAR_ERRORS = (OSError, EOFError, ValueError, KeyError, tarfile.TarError, zlib.error,
               lzma.LZMAError)

#: Where the build backend's and the installer's output goes (``--verbose``); None: kept.
_BUILD_LOG: ContextVar[TextIO | None] = ContextVar("ivi_conform_build_log", default=None)


class TargetError(Exception):
    """The target cannot be read or built; the message is one line naming the file."""

    def __init__(self, message: str) -> None:
        super().__init__(re.sub(r"\s*[\r\n]+\s*", " ", message).strip())


@contextlib.contextmanager
def build_output(stream: TextIO | None) -> Iterator[None]:
    """Show the build backend's and the installer's output on ``stream`` (``--verbose``).

    Without it (the default) that output, warnings included, is kept out of
    the user's terminal; only a failure's cause reaches the error message.
    The setting belongs to the calling thread, so concurrent audits do not
    share it.
    """
    token = _BUILD_LOG.set(stream)
    try:
        yield
    finally:
        _BUILD_LOG.reset(token)


def _shown(name: str) -> str:
    """A member name as messages print it: as it is, or quoted when it holds control codes."""
    return name if name.isprintable() else repr(name)


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def _member_problem(name: str) -> str | None:
    """Why an archive member's name may not be written below the scratch folder, if so."""
    if not name or "\0" in name:
        return "an empty name or a NUL byte"
    posix = name.replace("\\", "/")
    if posix.startswith("/") or re.match(r"^[A-Za-z]:", posix):
        return "an absolute path"
    if ".." in posix.split("/"):
        return "a path that climbs out with '..'"
    return None


def _check_members(archive: str, members: Iterable[tuple[str, int]]) -> None:
    """Refuse an archive with unsafe member names, too many members or too many bytes."""
    total = 0
    for count, (name, size) in enumerate(members, start=1):
        problem = _member_problem(name)
        if problem is not None:
            raise TargetError(f"{archive}: member {_shown(name)} has {problem}; "
                              "refused (nothing is written outside the scratch folder)")
        if count > MAX_MEMBERS:
            raise TargetError(f"{archive}: more than {MAX_MEMBERS} members; refused")
        if size > MAX_MEMBER_BYTES:
            raise TargetError(f"{archive}: member {_shown(name)} is {_mib(size)}, over the "
                              f"{_mib(MAX_MEMBER_BYTES)} ivi-conform reads of one file")
        total += size
        if total > MAX_TOTAL_BYTES:
            raise TargetError(f"{archive}: its files add up to more than "
                              f"{_mib(MAX_TOTAL_BYTES)} uncompressed; refused")


@dataclass(frozen=True)
class Distribution:
    """A candidate driver distribution, as its wheel ships it.

    ``files`` maps each path inside the wheel (``pkg/mod.py``) to its bytes.
    ``pyproject`` is the ``[project]`` table when the target had a
    pyproject.toml, so that rules can point at the line a vendor must edit.
    """

    origin: str
    kind: TargetKind
    metadata: RawMetadata
    metadata_problems: tuple[str, ...]
    files: Mapping[str, bytes]
    wheel: Path | None = None
    source_root: Path | None = None
    pyproject: Mapping[str, object] = field(default_factory=dict)
    release_date: date | None = None
    #: ``where``'s answers, by shipped path (the dataclass is frozen; this dict is its memo)
    _where: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)
    #: ``digest``'s answers, by shipped path
    _digests: dict[str, bytes] = field(default_factory=dict, init=False, repr=False,
                                       compare=False)

    @property
    def name(self) -> str:
        """The distribution name as its metadata writes it."""
        return self.metadata.get("name", "") or ""

    @property
    def version(self) -> str:
        """The version as its metadata writes it."""
        return self.metadata.get("version", "") or ""

    def text(self, path: str) -> str:
        """A shipped file's text (UTF-8, undecodable bytes replaced)."""
        return self.files[path].decode("utf-8", errors="replace")

    def digest(self, path: str) -> bytes:
        """A shipped file's content digest, taken once per distribution.

        The audit's key, the syntax index and ruff's findings are each keyed
        by every file's content: one hash of the bytes serves all three.
        """
        known = self._digests.get(path)
        if known is None:
            known = self._digests[path] = content_digest(self.files[path])
        return known

    def where(self, path: str) -> str:
        """How to name a shipped file in evidence: its source path when there is one.

        Asked once per finding (150k PEP 8 findings on a generated driver), so
        each file's answer is remembered instead of asking the file system again.
        """
        if self.source_root is None:
            return path
        known = self._where.get(path)
        if known is None:
            root = os.fspath(self.source_root)  # os.path: pathlib's joins cost 0.1 s per 5,000
            known = next((str(PurePath(relative)) for relative in (path, "src/" + path)
                          if os.path.isfile(os.path.join(root, relative))), path)
            self._where[path] = known
        return known


#: Told the folder a wheel is about to be built from (the kept copy), while the backend runs.
BuildObserver = Callable[[Path], None]


def load(target: str, *, work_dir: Path, release_date: date | None = None,
         before_build: BuildObserver | None = None) -> Distribution:
    """Read ``target`` into a :class:`Distribution`; build it first if it is source.

    ``work_dir`` receives the built wheel and any unpacked sdist; the caller
    owns it (and so decides whether it is kept for the behavioural run).
    ``before_build`` is called with the folder the backend is about to build,
    when a build runs (not when a cached wheel is reused): the audit starts
    mypy on the source's package there, beside the build (see
    :func:`ivi_conform.judges.mypy.before_build`).
    Raises :class:`TargetError` for anything that cannot be read or built.
    """
    path = Path(target)
    if path.is_dir():
        return _from_folder(path, target, work_dir, release_date, before_build)
    if path.is_file():
        name = path.name
        if name.endswith(".whl"):
            return _from_wheel(path, target, "wheel", None, {}, release_date)
        if name.endswith((".tar.gz", ".tgz", ".zip")):
            return _from_sdist(path, target, work_dir, release_date, before_build)
        raise TargetError(f"{target}: not a wheel (.whl), an sdist (.tar.gz) or a source folder")
    if path.exists() or path.is_symlink():
        raise TargetError(f"{target}: not a regular file nor a folder (nor a link to one)")
    if os.sep in target or target.endswith((".whl", ".tar.gz")):
        raise TargetError(f"{target}: no such file or folder")
    return _from_installed(target, release_date)


def load_built(built: Mapping[str, str | None], release_date: date | None) -> Distribution:
    """A candidate read again from the wheel another process built (:func:`built_form`).

    A pytest-xdist worker gets the controller's wheel this way instead of
    building the source once more per worker.
    """
    origin, wheel, root = str(built["origin"]), built["wheel"], built["source_root"]
    kind: TargetKind
    if built["kind"] == "folder":
        kind = "folder"
    elif built["kind"] == "sdist":
        kind = "sdist"
    else:
        return load(origin, work_dir=Path(), release_date=release_date)  # nothing was built
    if wheel is None:
        raise TargetError(f"{origin}: the controller's built wheel was not handed over")
    source_root = Path(root) if root is not None else None
    project = _read_pyproject(source_root) if source_root is not None else {}
    return _from_wheel(Path(wheel), origin, kind, source_root, project, release_date)


def built_form(dist: Distribution) -> dict[str, str | None]:
    """What :func:`load_built` needs to read ``dist`` again in another process (JSON-able)."""
    return {"origin": dist.origin, "kind": dist.kind,
            "wheel": str(dist.wheel) if dist.wheel is not None else None,
            "source_root": str(dist.source_root) if dist.source_root is not None else None}


def _read_text(path: Path, what: str) -> str:
    """A small text file, read with a bounded read; UTF-8 or a :class:`TargetError`."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_TEXT_BYTES + 1)
    except OSError as exc:
        raise TargetError(f"{path}: unreadable: {exc.strerror or exc}") from None
    if len(data) > MAX_TEXT_BYTES:
        raise TargetError(f"{path}: over {_mib(MAX_TEXT_BYTES)}, too large for {what}; refused")
    return _utf8(data, str(path))


def _utf8(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TargetError(f"{where}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset "
                          f"{exc.start})") from None


def parse_pyproject(text: str, where: str) -> Mapping[str, object]:
    """The ``[project]`` table of a pyproject.toml's ``text``; ``where`` names the file.

    Raises :class:`TargetError` when the text is not TOML or ``[project]`` is
    not a table.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TargetError(f"{where}: invalid TOML: {exc}") from None
    except RecursionError:
        raise TargetError(f"{where}: invalid TOML: nested too deeply") from None
    project = data.get("project", {})
    if not isinstance(project, dict):
        raise TargetError(f"{where}: [project] must be a table")
    return project


def _read_pyproject(folder: Path) -> Mapping[str, object]:
    pyproject = folder / "pyproject.toml"
    if not pyproject.is_file():
        if (folder / "setup.py").is_file() or (folder / "setup.cfg").is_file():
            return {}
        raise TargetError(f"{folder}: no pyproject.toml (nor setup.py): not a Python project")
    return parse_pyproject(_read_text(pyproject, "a pyproject.toml"), str(pyproject))


class SourceEntry(NamedTuple):
    """One entry of a source tree as its build sees it (:func:`source_tree`)."""

    #: relative POSIX path
    path: str
    kind: Literal["dir", "file", "link"]
    #: permission bits (0 for folders and links)
    mode: int


def _builds(name: str, *, top: bool) -> bool:
    """Whether an entry named ``name`` is part of what a source tree builds."""
    if top:
        return f"/{name}" not in _NOT_SOURCE
    return name != "__pycache__"


def source_tree(folder: Path, shown: str) -> list[SourceEntry]:
    """What a build of ``folder`` sees, in a stable order: the one definition of it.

    The copy the build runs on holds these entries and nothing else, the
    cache key of its wheel is made of them (:mod:`ivi_conform.wheel_cache`),
    and the symbolic links among them are checked (:func:`_check_links`).
    Folders that are never source (:data:`_NOT_SOURCE` at the top,
    ``__pycache__`` anywhere) are not entered; links are not followed. An
    entry that is neither a file, a folder nor a link (a FIFO, a socket, a
    device) is a :class:`TargetError`, named through ``shown``: copying it
    would block or fail.
    """
    entries: list[SourceEntry] = []
    pending = [(str(folder), "")]
    while pending:
        directory, prefix = pending.pop()
        try:
            with os.scandir(directory) as listing:
                found = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            where = f"{shown}/{_shown(prefix.rstrip('/'))}" if prefix else shown
            raise TargetError(f"{where}: unreadable: {exc.strerror or exc}") from None
        folders = []
        for item in found:
            if not _builds(item.name, top=not prefix):
                continue
            path = prefix + item.name
            if item.is_symlink():
                entries.append(SourceEntry(path, "link", 0))
            elif item.is_dir(follow_symlinks=False):
                entries.append(SourceEntry(path, "dir", 0))
                folders.append((item.path, path + "/"))
            elif item.is_file(follow_symlinks=False):
                mode = stat.S_IMODE(item.stat(follow_symlinks=False).st_mode)
                entries.append(SourceEntry(path, "file", mode))
            else:
                raise TargetError(f"{shown}/{_shown(path)}: neither a file, a folder nor a link "
                                  "(a FIFO, a socket or a device); refused")
        pending.extend(reversed(folders))
    return entries


def _check_links(folder: Path, shown: str) -> None:
    """Refuse a source tree holding a symbolic link that is absolute or leaves the tree.

    ``shown`` is how messages name ``folder`` (the user's path, or the sdist).
    Links in folders the build never sees are not checked (:func:`source_tree`).
    """
    top = folder.resolve()
    for path, kind, _ in source_tree(folder, shown):
        if kind != "link":
            continue
        entry = folder / path
        where = f"{shown}/{path}"
        link = os.readlink(entry)
        if os.path.isabs(link):
            raise TargetError(f"{where}: a symbolic link to an absolute path ({_shown(link)})"
                              "; refused")
        try:
            inside = (entry.parent.resolve() / link).resolve().is_relative_to(top)
        except (OSError, RuntimeError):  # a loop of links
            raise TargetError(f"{where}: a loop of symbolic links; refused") from None
        if not inside:
            raise TargetError(f"{where}: a symbolic link to {_shown(link)}, outside the "
                              "source tree; refused")


def _from_folder(
    folder: Path, origin: str, work_dir: Path, release_date: date | None,
    before_build: BuildObserver | None = None,
) -> Distribution:
    project = _read_pyproject(folder)
    _check_links(folder, origin.rstrip("/") or origin)
    wheel = build_wheel(folder, work_dir, before_build)
    return _from_wheel(wheel, origin, "folder", folder.resolve(), project, release_date,
                       shown=f"{origin}: its wheel {wheel.name}")


def _unpack_sdist(archive: Path, origin: str, unpacked: Path) -> None:
    """Check every member of the sdist, then extract it below ``unpacked``."""
    try:
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as zipped:
                infos = zipped.infolist()
                _check_members(origin, ((i.filename, i.file_size) for i in infos))
                zipped.extractall(unpacked)
            return
        with tarfile.open(archive) as tarred:
            members: list[tarfile.TarInfo] = []

            def listed() -> Iterator[tuple[str, int]]:
                for member in tarred:  # read one header at a time: a bomb stops at the limit
                    members.append(member)
                    yield member.name, member.size

            _check_members(origin, listed())
            files: set[str] = set()
            for member in members:
                _check_tar_member(member, origin, files)
                if member.isfile():
                    files.add(member.name)
            tarred.extractall(unpacked, members=members, filter="data")
    except TargetError:
        raise
    except _TAR_ERRORS + _ZIP_ERRORS as exc:
        detail = str(exc) or type(exc).__name__
        raise TargetError(f"{origin}: not a readable sdist: {detail}") from None


def _check_tar_member(member: tarfile.TarInfo, origin: str, files: set[str]) -> None:
    """Refuse links that leave the sdist's tree and members that are not files or folders.

    ``files`` holds the regular files before ``member``: what a hard link may name.
    """
    where = f"{origin}: member {_shown(member.name)}"
    if member.issym() or member.islnk():
        link = member.linkname
        if link.startswith("/") or re.match(r"^[A-Za-z]:", link):
            raise TargetError(f"{where} is a link to an absolute path ({_shown(link)}); refused")
        base = PurePosixPath(member.name).parent if member.issym() else PurePosixPath()
        depth = 0
        for part in (*base.parts, *PurePosixPath(link).parts):
            depth += -1 if part == ".." else 0 if part == "." else 1
            if depth < 0:
                raise TargetError(f"{where} is a link to {_shown(link)}, outside the sdist's "
                                  "tree; refused")
        if member.islnk() and link not in files:
            raise TargetError(f"{where} is a hard link to {_shown(link)}, which is no file "
                              "before it in the sdist; refused")
    elif not (member.isfile() or member.isdir()):
        raise TargetError(f"{where} is neither a file, a folder nor a link (a device or a "
                          "FIFO); refused")


def _from_sdist(
    archive: Path, origin: str, work_dir: Path, release_date: date | None,
    before_build: BuildObserver | None = None,
) -> Distribution:
    unpacked = work_dir / "sdist"
    shutil.rmtree(unpacked, ignore_errors=True)
    _unpack_sdist(archive, origin, unpacked)
    roots = [entry for entry in unpacked.iterdir() if entry.is_dir()] if unpacked.is_dir() else []
    if len(roots) != 1:
        raise TargetError(f"{origin}: an sdist holds one top folder, this one holds {len(roots)}")
    try:
        project = _read_pyproject(roots[0])
        _check_links(roots[0], f"{origin}: {roots[0].name}")
        wheel = build_wheel(roots[0], work_dir, before_build)
    except TargetError as exc:
        inside = str(exc).replace(str(unpacked) + "/", "", 1)
        if inside.startswith(origin + ": "):
            raise TargetError(inside) from None
        raise TargetError(f"{origin}: {inside}") from None
    return _from_wheel(wheel, origin, "sdist", roots[0], project, release_date,
                       shown=f"{origin}: its wheel {wheel.name}")


def _log(text: str) -> None:
    stream = _BUILD_LOG.get()
    if stream is not None and text:
        stream.write(text if text.endswith("\n") else text + "\n")
        stream.flush()


def _cause(output: str) -> str:
    """The line of a failed child's output that names the cause."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return next((line for line in reversed(lines) if _CAUSE.match(line)),
                lines[-1] if lines else "no output")


def _quiet_runner(
    cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None
) -> None:
    """Run one PEP 517 hook in a child process, with a time limit, output kept.

    The output (the backend's warnings) reaches the user only with
    :func:`build_output` (``--verbose``); a failure's cause is the message.
    """
    env = dict(os.environ)
    env.update(extra_environ or {})
    try:
        done = subprocess.run(
            list(cmd), cwd=cwd, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S,
            stdin=subprocess.DEVNULL, check=False, errors="replace",
        )
    except subprocess.TimeoutExpired:
        raise TargetError(f"the build backend ran over {BUILD_TIMEOUT_S:.0f} s") from None
    _log(done.stdout)
    _log(done.stderr)
    if done.returncode != 0:
        raise TargetError(f"the build backend failed: {_cause(done.stderr or done.stdout)}")
    if cmd:
        _take_warnings(Path(cmd[-1]) / "output.json")


def _take_warnings(output: Path) -> None:
    """Move the backend's Python warnings out of a hook's answer, into the build log.

    ``pyproject_hooks`` records the warnings a hook raised in its
    ``output.json`` and re-raises them in this process, where they would reach
    stderr; taking them out here (a file of this build's own, so no global
    warning filter is touched and concurrent audits do not meet) keeps them
    for ``--verbose``.
    """
    with contextlib.suppress(OSError, ValueError):
        answer = json.loads(output.read_text(encoding="utf-8"))
        if not isinstance(answer, dict) or not answer.get("warnings"):
            return
        for warning in answer.pop("warnings"):
            if isinstance(warning, dict):
                _log(f"{warning.get('filename')}:{warning.get('lineno')}: "
                     f"BuildBackendWarning: {warning.get('message')}")
        output.write_text(json.dumps(answer), encoding="utf-8")


def _pip_command(env: Any) -> list[str]:
    """How to run pip for the isolated environment ``env`` (its own, else ours with --python)."""
    if hasattr(env, "installed_versions"):
        has_pip = bool(env.installed_versions(["pip"]))
    else:  # build before 1.3: ask the environment's interpreter
        has_pip = subprocess.run([env.python_executable, "-Im", "pip", "--version"],
                                 capture_output=True, check=False).returncode == 0
    if has_pip:
        return [env.python_executable, "-Im", "pip"]
    return [sys.executable, "-m", "pip", "--python", env.python_executable]


def _install(env: Any, requirements: Collection[str]) -> None:
    """Install a backend's declared requirements into its isolated environment, as pip does.

    First without network (``--no-index``): from what pip finds locally, its
    configured find-links (``PIP_FIND_LINKS``, pip.conf) and the wheels in
    its cache; only when that fails, and pip is not configured ``no-index``,
    from the index.
    """
    if not requirements:
        return
    listed = Path(env.path) / "ivi-conform-build-requirements.txt"
    listed.write_text("\n".join(sorted(requirements)) + "\n", encoding="utf-8")
    command = [*_pip_command(env), "install", "--use-pep517", "--no-warn-script-location",
               "--no-compile", "--no-input", "--disable-pip-version-check", "-r", str(listed)]
    offline = [*command, "--no-index", *(f"--find-links={d}" for d in _cached_wheel_dirs())]
    attempts = [offline]
    if os.environ.get("PIP_NO_INDEX", "").lower() not in {"1", "true", "yes", "on"}:
        attempts.append(command)
    cause = ""
    for attempt in attempts:
        try:
            done = subprocess.run(attempt, capture_output=True, text=True, errors="replace",
                                  timeout=BUILD_TIMEOUT_S, stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            cause = f"pip ran over {BUILD_TIMEOUT_S:.0f} s"
            continue
        _log(done.stdout)
        _log(done.stderr)
        if done.returncode == 0:
            return
        cause = _cause(done.stderr or done.stdout)
    wanted = ", ".join(sorted(requirements))
    raise TargetError(f"cannot install the build requirements ({wanted}): not installed, not "
                      f"in pip's cache, and the index gave: {cause}")


def _cached_wheel_dirs(limit: int = 200) -> list[str]:
    """The folders of pip's wheel cache that hold wheels (pip reads them only as find-links)."""
    base = os.environ.get("PIP_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "pip")
    found: list[str] = []
    with contextlib.suppress(OSError):
        for wheel in sorted(Path(base, "wheels").rglob("*.whl")):
            if str(wheel.parent) not in found:
                found.append(str(wheel.parent))
            if len(found) >= limit:
                break
    return found


class _Recorder(io.StringIO):
    """A build's output, kept for the wheel cache, and passed on to ``--verbose``'s stream."""

    def __init__(self, shown: TextIO | None) -> None:
        super().__init__()
        self._shown = shown

    def write(self, text: str) -> int:
        if self._shown is not None:
            self._shown.write(text)
        return super().write(text)

    def flush(self) -> None:
        if self._shown is not None:
            self._shown.flush()


@dataclass(frozen=True)
class _Built:
    """A wheel the backend built, and how (what the wheel cache records)."""

    wheel: Path
    isolated: bool
    #: the installed version of every build requirement, static and added by the backend
    requires: Mapping[str, str | None]


def build_wheel(folder: Path, work_dir: Path, before_build: BuildObserver | None = None) -> Path:
    """Build the wheel of a source folder, by its own backend, in child processes.

    The folder is first copied, so that a backend that writes into its
    source tree (setuptools' ``build/``, ``*.egg-info``) leaves the vendor's
    checkout untouched; the copy is kept between audits and brought up to
    date (:mod:`ivi_conform.build_copy`). When the backend's requirements are
    already installed (offline machines, CI) the build uses them; otherwise it
    makes an isolated environment with the declared requirements, as pip and
    ``python -m build`` do (see :func:`_install`).

    A wheel built before from the same source by the same build is reused
    instead (:mod:`ivi_conform.wheel_cache`, which says what "the same" takes),
    written where the build would have written it: the copy and the build are
    skipped, and ``--verbose`` shows that build's output again. A new wheel is
    cached under the key of the copy it was built from (walked and read once
    more, a small part of a build), so a folder edited while it was being
    copied never files a wheel under the key of other bytes.
    """
    entries = source_tree(folder, str(folder))
    out = work_dir / "wheel"
    looked_up = wheel_cache.key(folder, entries)
    if looked_up is not None:
        hit = wheel_cache.lookup(looked_up, out)
        if hit is not None:
            built_at = datetime.fromtimestamp(hit.built, UTC).isoformat(timespec="seconds")
            _log(f"ivi-conform: {folder}: the wheel {hit.wheel.name} built from the same source "
                 f"at {built_at} is reused (IVI_CONFORM_CACHE=off rebuilds); its build's "
                 "output was:")
            _log(hit.log)
            return hit.wheel
    try:
        with build_copy(folder, entries, work_dir / "source") as source:
            stored = (wheel_cache.key(source, source_tree(source, str(folder)))
                      if looked_up is not None else None)
            recorder = _Recorder(_BUILD_LOG.get())
            if before_build is not None:
                before_build(source)
            with build_output(recorder):
                built = _run_backend(folder, source, out)
    except CopyError as exc:
        raise TargetError(f"{folder}: {exc}") from None
    if stored is not None:
        wheel_cache.store(stored, built.wheel, isolated=built.isolated, requires=built.requires,
                          log=recorder.getvalue())
    return built.wheel


def _run_backend(folder: Path, source: Path, out: Path) -> _Built:
    """Run the backend on the copy ``source``: in the installed environment, else isolated.

    ``folder`` names the source in messages.
    """
    import build  # heavy: imported only when a source target is built
    import build.env

    out.mkdir(parents=True, exist_ok=True)
    try:
        builder = build.ProjectBuilder(
            source, python_executable=sys.executable, runner=_quiet_runner
        )
        requires = builder.get_requires_for_build("wheel") | builder.build_system_requires
        versions = wheel_cache.installed_versions(requires)
        if not any(unmet for text in requires for unmet in build.check_dependency(text)):
            return _Built(Path(builder.build("wheel", out)), isolated=False, requires=versions)
        with build.env.DefaultIsolatedEnv() as env:
            isolated = build.ProjectBuilder.from_isolated_env(env, source, runner=_quiet_runner)
            _install(env, isolated.build_system_requires)
            _install(env, isolated.get_requires_for_build("wheel"))
            return _Built(Path(isolated.build("wheel", out)), isolated=True, requires=versions)
    except TargetError as exc:
        raise TargetError(f"{folder}/pyproject.toml: {exc}") from None
    except InvalidRequirement as exc:
        raise TargetError(f"{folder}/pyproject.toml: a malformed build requirement: {exc}"
                          ) from None
    except build.BuildException as exc:
        raise TargetError(f"{folder}/pyproject.toml: cannot build: {exc}") from None
    except build.BuildBackendException as exc:
        detail = exc.exception if isinstance(exc.exception, TargetError) else exc
        raise TargetError(f"{folder}/pyproject.toml: {detail}") from None
    except (subprocess.CalledProcessError, build.FailedProcessError) as exc:
        raise TargetError(f"{folder}/pyproject.toml: making the isolated build environment "
                          f"failed: {exc}") from None


def parse_metadata(data: bytes, where: str) -> tuple[RawMetadata, tuple[str, ...]]:
    """Core metadata (a METADATA file's bytes) and the fields that could not be parsed.

    Raises :class:`TargetError` (naming ``where``) when the file is too large,
    not UTF-8 or has no Name.
    """
    if len(data) > MAX_TEXT_BYTES:
        raise TargetError(f"{where}: {_mib(len(data))}, over the {_mib(MAX_TEXT_BYTES)} "
                          "ivi-conform reads of METADATA; refused")
    text = _utf8(data, where)
    try:
        raw, unparsed = parse_email(text)
    except (ValueError, TypeError, LookupError) as exc:
        raise TargetError(f"{where}: not readable as core metadata: {exc}") from None
    problems = tuple(f"{where}: field {key!r} could not be parsed" for key in unparsed)
    if not raw.get("name"):
        raise TargetError(f"{where}: METADATA has no Name")
    return raw, problems


def _import_names(files: Iterable[str]) -> dict[str, str]:
    """The top-level import names a wheel installs, each with a file that makes it one."""
    names: dict[str, str] = {}
    for path in files:
        parts = path.split("/")
        if parts[0].endswith(".data") and len(parts) > 2 and parts[1] in {"purelib", "platlib"}:
            parts = parts[2:]
        elif parts[0].endswith((".dist-info", ".data")):
            continue
        leaf = parts[-1]
        if not leaf.endswith((".py", ".pyi", ".pyc", ".so", ".pyd")):
            continue
        name = parts[0] if len(parts) > 1 else leaf.split(".", 1)[0]
        names.setdefault(name, path)
    return names


def _check_import_names(files: Iterable[str], shown: str) -> None:
    """Refuse a wheel whose import package has the name of a standard-library module."""
    for name, path in sorted(_import_names(files).items()):
        if name in sys.stdlib_module_names:
            raise TargetError(f"{shown}: installs the import package {name!r} ({_shown(path)}), "
                              "the name of a standard-library module: it would shadow the "
                              "standard library's; refused")


def _from_wheel(
    wheel: Path,
    origin: str,
    kind: TargetKind,
    source_root: Path | None,
    project: Mapping[str, object],
    release_date: date | None,
    *,
    shown: str | None = None,
) -> Distribution:
    """Read a wheel; ``shown`` names it in messages (default: its path)."""
    shown = shown or str(wheel)
    try:
        with zipfile.ZipFile(wheel) as zipped:
            infos = [info for info in zipped.infolist() if not info.is_dir()]
            _check_members(shown, ((info.filename, info.file_size) for info in infos))
            files = {info.filename: zipped.read(info) for info in infos}
    except TargetError:
        raise
    except _ZIP_ERRORS as exc:
        detail = str(exc) or type(exc).__name__
        raise TargetError(f"{shown}: not a readable wheel: {detail}") from None
    metadata_paths = [p for p in files if p.count("/") == 1 and p.endswith(".dist-info/METADATA")]
    if not metadata_paths:
        raise TargetError(f"{shown}: no *.dist-info/METADATA: not a wheel")
    if len(metadata_paths) != 1:
        raise TargetError(f"{shown}: a wheel holds one *.dist-info/METADATA, this one "
                          f"holds {len(metadata_paths)}")
    raw, problems = parse_metadata(files[metadata_paths[0]],
                                   f"{shown}/{metadata_paths[0]}")
    _check_import_names(files, shown)
    return Distribution(
        origin=origin, kind=kind, metadata=raw, metadata_problems=problems, files=files,
        wheel=wheel, source_root=source_root, pyproject=project, release_date=release_date,
    )


def _from_installed(name: str, release_date: date | None) -> Distribution:
    try:
        dist = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        raise TargetError(f"{name}: no such folder, file or installed distribution") from None
    except ValueError as exc:  # a name importlib cannot look up
        raise TargetError(f"{name}: not a distribution name ({exc})") from None
    where = f"{name} (installed)/METADATA"
    try:
        text = dist.read_text("METADATA")
    except UnicodeDecodeError as exc:
        raise TargetError(f"{where}: not UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset "
                          f"{exc.start})") from None
    if text is None:
        raise TargetError(f"{name}: the installed distribution has no METADATA")
    raw, problems = parse_metadata(text.encode("utf-8", errors="surrogateescape"), where)
    files: dict[str, bytes] = {}
    for record in dist.files or ():
        posix = PurePosixPath(str(record))
        if posix.parts and (posix.parts[0] == ".." or posix.suffix in {".pyc", ".so", ".pyd"}):
            continue
        located = Path(str(dist.locate_file(record)))
        with contextlib.suppress(OSError):
            if located.is_file() and located.stat().st_size <= MAX_MEMBER_BYTES:
                files[str(posix)] = located.read_bytes()
    _check_import_names(files, f"{name} (installed)")
    return Distribution(
        origin=name, kind="installed", metadata=raw, metadata_problems=problems, files=files,
        release_date=release_date,
    )


@contextlib.contextmanager
def scratch_dir(keep: Path | None = None) -> Iterator[Path]:
    """A private working folder for one audit: ``keep`` if given, else a temporary one."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="ivi-conform-") as tmp:
        yield Path(tmp)
