"""Turn a TARGET (source folder, wheel, sdist, installed name) into what it ships.

Every kind of target ends as the same thing, a :class:`Distribution`: the
files its wheel carries and its core metadata. A folder or an sdist is judged
as what it builds to, so its wheel is built, by its own build backend, in a
child process (``pyproject_hooks`` runs every hook in a subprocess); nothing of
the candidate is imported here.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Literal

from packaging.metadata import RawMetadata, parse_email

#: A build backend that takes longer than this is taken to hang.
BUILD_TIMEOUT_S = 300.0
#: Files larger than this are not read into memory (a driver's text files never are).
MAX_MEMBER_BYTES = 32 * 1024 * 1024
#: Folders a source tree may hold that are never part of what it builds.
_NOT_SOURCE = ("/.git", "/.hg", "/.venv", "/venv", "/.tox", "/.nox", "/node_modules", "/build",
               "/dist", "/__pycache__", "/.mypy_cache", "/.ruff_cache", "/.pytest_cache")

#: The line of a failed backend's output that names the cause (an exception, an error line).
_CAUSE = re.compile(r"^(?:[\w.]+(?:Error|Exception)\b|error\b)", re.IGNORECASE)

TargetKind = Literal["folder", "wheel", "sdist", "installed"]


class TargetError(Exception):
    """The target cannot be read or built; the message is one line naming the file."""


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

    def where(self, path: str) -> str:
        """How to name a shipped file in evidence: its source path when there is one."""
        if self.source_root is not None:
            for candidate in (self.source_root / path, self.source_root / "src" / path):
                if candidate.is_file():
                    return str(candidate.relative_to(self.source_root))
        return path


def load(target: str, *, work_dir: Path, release_date: date | None = None) -> Distribution:
    """Read ``target`` into a :class:`Distribution`; build it first if it is source.

    ``work_dir`` receives the built wheel and any unpacked sdist; the caller
    owns it (and so decides whether it is kept for the behavioural run).
    """
    path = Path(target)
    if path.is_dir():
        return _from_folder(path, target, work_dir, release_date)
    if path.is_file():
        name = path.name
        if name.endswith(".whl"):
            return _from_wheel(path, target, "wheel", None, {}, release_date)
        if name.endswith((".tar.gz", ".tgz", ".zip")):
            return _from_sdist(path, target, work_dir, release_date)
        raise TargetError(f"{target}: not a wheel (.whl), an sdist (.tar.gz) or a source folder")
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


def _read_pyproject(folder: Path) -> Mapping[str, object]:
    pyproject = folder / "pyproject.toml"
    if not pyproject.is_file():
        if (folder / "setup.py").is_file() or (folder / "setup.cfg").is_file():
            return {}
        raise TargetError(f"{folder}: no pyproject.toml (nor setup.py): not a Python project")
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TargetError(f"{pyproject}: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TargetError(f"{pyproject}: unreadable: {exc}") from None
    project = data.get("project", {})
    if not isinstance(project, dict):
        raise TargetError(f"{pyproject}: [project] must be a table")
    return project


def _from_folder(
    folder: Path, origin: str, work_dir: Path, release_date: date | None
) -> Distribution:
    project = _read_pyproject(folder)
    wheel = build_wheel(folder, work_dir)
    return _from_wheel(wheel, origin, "folder", folder.resolve(), project, release_date)


def _from_sdist(
    archive: Path, origin: str, work_dir: Path, release_date: date | None
) -> Distribution:
    unpacked = work_dir / "sdist"
    try:
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as zipped:
                zipped.extractall(unpacked)
        else:
            with tarfile.open(archive) as tarred:
                tarred.extractall(unpacked, filter="data")
    except (OSError, tarfile.TarError, zipfile.BadZipFile) as exc:
        raise TargetError(f"{origin}: not a readable sdist: {exc}") from None
    roots = [entry for entry in unpacked.iterdir() if entry.is_dir()]
    if len(roots) != 1:
        raise TargetError(f"{origin}: an sdist holds one top folder, this one holds {len(roots)}")
    try:
        project = _read_pyproject(roots[0])
        wheel = build_wheel(roots[0], work_dir)
    except TargetError as exc:
        inside = str(exc).replace(str(unpacked) + "/", "", 1)
        raise TargetError(f"{origin}: {inside}") from None
    return _from_wheel(wheel, origin, "sdist", roots[0], project, release_date)


def _quiet_runner(
    cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None
) -> None:
    """Run one PEP 517 hook in a child process, with a time limit, output kept."""
    env = dict(os.environ)
    env.update(extra_environ or {})
    try:
        done = subprocess.run(
            list(cmd), cwd=cwd, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S,
            stdin=subprocess.DEVNULL, check=False,
        )
    except subprocess.TimeoutExpired:
        raise TargetError(f"the build backend ran over {BUILD_TIMEOUT_S:.0f} s") from None
    if done.returncode != 0:
        output = done.stderr or done.stdout
        lines = [line.strip() for line in output.splitlines() if line.strip()]
        cause = next((line for line in reversed(lines) if _CAUSE.match(line)),
                     lines[-1] if lines else "no output")
        raise TargetError(f"the build backend failed: {cause}")


def build_wheel(folder: Path, work_dir: Path) -> Path:
    """Build the wheel of a source folder, by its own backend, in child processes.

    The folder is first copied, so that a backend that writes into its
    source tree (setuptools' ``build/``, ``*.egg-info``) leaves the vendor's
    checkout untouched. When the backend's requirements are already installed
    (offline machines, CI) the build uses them; otherwise it makes an isolated
    environment, as ``python -m build`` does.
    """
    import build  # heavy: imported only when a source target is built
    import build.env

    source = work_dir / "source"
    shutil.rmtree(source, ignore_errors=True)

    top = str(folder)

    def ignore(directory: str, names: list[str]) -> set[str]:
        if directory != top:
            return {name for name in names if name == "__pycache__"}
        return {name for name in names if f"/{name}" in _NOT_SOURCE}

    try:
        shutil.copytree(folder, source, ignore=ignore, symlinks=True)
    except (OSError, shutil.Error) as exc:
        raise TargetError(f"{folder}: cannot copy the source tree: {exc}") from None
    out = work_dir / "wheel"
    out.mkdir(parents=True, exist_ok=True)
    try:
        builder = build.ProjectBuilder(
            source, python_executable=sys.executable, runner=_quiet_runner
        )
        if not builder.check_dependencies("wheel"):
            return Path(builder.build("wheel", out))
        with build.env.DefaultIsolatedEnv() as env:
            isolated = build.ProjectBuilder.from_isolated_env(env, source, runner=_quiet_runner)
            env.install(isolated.build_system_requires)
            env.install(isolated.get_requires_for_build("wheel"))
            return Path(isolated.build("wheel", out))
    except TargetError as exc:
        raise TargetError(f"{folder}/pyproject.toml: {exc}") from None
    except build.BuildException as exc:
        raise TargetError(f"{folder}/pyproject.toml: cannot build: {exc}") from None
    except build.BuildBackendException as exc:
        detail = exc.exception if isinstance(exc.exception, TargetError) else exc
        raise TargetError(f"{folder}/pyproject.toml: {detail}") from None
    except subprocess.CalledProcessError as exc:
        raise TargetError(f"{folder}/pyproject.toml: installing the build requirements failed"
                          f" (exit {exc.returncode}; is the network reachable?)") from None


def _parse_metadata(text: str, where: str) -> tuple[RawMetadata, tuple[str, ...]]:
    raw, unparsed = parse_email(text)
    problems = tuple(f"{where}: field {key!r} could not be parsed" for key in unparsed)
    if not raw.get("name"):
        raise TargetError(f"{where}: METADATA has no Name")
    return raw, problems


def _from_wheel(
    wheel: Path,
    origin: str,
    kind: TargetKind,
    source_root: Path | None,
    project: Mapping[str, object],
    release_date: date | None,
) -> Distribution:
    try:
        with zipfile.ZipFile(wheel) as zipped:
            files = {
                info.filename: zipped.read(info)
                for info in zipped.infolist()
                if not info.is_dir() and info.file_size <= MAX_MEMBER_BYTES
            }
    except (OSError, zipfile.BadZipFile) as exc:
        raise TargetError(f"{wheel}: not a readable wheel: {exc}") from None
    metadata_paths = [p for p in files if p.count("/") == 1 and p.endswith(".dist-info/METADATA")]
    if len(metadata_paths) != 1:
        raise TargetError(f"{wheel}: a wheel holds one *.dist-info/METADATA, this one "
                          f"holds {len(metadata_paths)}")
    text = files[metadata_paths[0]].decode("utf-8", errors="replace")
    raw, problems = _parse_metadata(text, f"{wheel.name}/{metadata_paths[0]}")
    return Distribution(
        origin=origin, kind=kind, metadata=raw, metadata_problems=problems, files=files,
        wheel=wheel, source_root=source_root, pyproject=project, release_date=release_date,
    )


def _from_installed(name: str, release_date: date | None) -> Distribution:
    try:
        dist = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        raise TargetError(f"{name}: no such folder, file or installed distribution") from None
    text = dist.read_text("METADATA")
    if text is None:
        raise TargetError(f"{name}: the installed distribution has no METADATA")
    raw, problems = _parse_metadata(text, f"{name} (installed)/METADATA")
    files: dict[str, bytes] = {}
    for record in dist.files or ():
        posix = PurePosixPath(str(record))
        if posix.parts and (posix.parts[0] == ".." or posix.suffix in {".pyc", ".so", ".pyd"}):
            continue
        located = Path(str(dist.locate_file(record)))
        with contextlib.suppress(OSError):
            if located.is_file() and located.stat().st_size <= MAX_MEMBER_BYTES:
                files[str(posix)] = located.read_bytes()
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
