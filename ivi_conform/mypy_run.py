"""mypy, run once per audit in a child process, on the package the wheel ships.

"Complete type-hinting" has two halves: every public symbol annotated (see
:mod:`ivi_conform.typing_completeness`, from the syntax trees) and hints that
hold together, which only a type checker can tell. mypy is run here, never
imported: it gets the driver package as extracted from the wheel, our own
configuration and nothing of the candidate's, because a candidate's
``[tool.mypy] plugins`` would be code run by the audit.

The flags, and why:

* ``--config-file`` pointing to a file we write, holding only ``[mypy]``:
  the candidate's pyproject.toml, setup.cfg or mypy.ini is never read, nor
  the user's own configuration;
* ``--no-site-packages`` and ``--ignore-missing-imports``: the driver's
  dependencies (pyvisa, ...) are taken as ``Any``, so the verdict depends on
  the distribution and the mypy version, not on what happens to be installed
  beside ivi-conform;
* default strictness, not ``--strict``: the spec asks for complete hints,
  which the completeness rule judges, not for mypy's strict style;
  ``--disallow-untyped-defs`` would count the same gaps twice;
* ``--output json`` so that every error becomes evidence with file and line;
* ``--num-workers`` for a package of 40 modules or more (a generated
  driver): mypy's parallel mode, retried once without it if it fails;
* a persistent cache (``IVI_CONFORM_MYPY_CACHE``, else
  ``$XDG_CACHE_HOME/ivi-conform/mypy``) shared by every audit, so the
  standard library is analysed once per mypy version; the file-system cache
  is used (not SQLite) because its writes are atomic renames, safe for
  parallel audits.

A crash, a time-out or output we cannot read is ivi-conform's failure to
judge (``error``), never the driver's.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ivi_conform.model import Evidence

if TYPE_CHECKING:
    from ivi_conform.engine import AuditContext

#: The rule whose check runs mypy (the benchmark leaves it out to time the rest).
RULE_ID = "typing-consistent"
#: mypy taking longer than this is taken to hang (``IVI_CONFORM_MYPY_TIMEOUT`` overrides).
DEFAULT_TIMEOUT_S = 600.0
#: Packages with this many modules are checked by parallel mypy workers (up to MAX_WORKERS).
PARALLEL_FROM_FILES = 40
MAX_WORKERS = 4
#: The files of the package mypy needs.
_TYPED_SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True)
class MypyRun:
    """What one mypy run said: its errors in the package, or why it could not judge.

    ``problem`` is set when mypy crashed, timed out or printed nothing we can
    read; ``errors`` then means nothing. ``seconds`` is mypy's wall time in
    its child process (the benchmark reports it as mypy's share).
    """

    errors: tuple[Evidence, ...]
    seconds: float
    files: int
    problem: str = ""
    command: tuple[str, ...] = ()


_RUNS: weakref.WeakKeyDictionary[AuditContext, MypyRun] = weakref.WeakKeyDictionary()


def cache_dir() -> Path:
    """Where mypy keeps its cache between audits."""
    configured = os.environ.get("IVI_CONFORM_MYPY_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ivi-conform" / "mypy"


def _timeout() -> float:
    try:
        return float(os.environ.get("IVI_CONFORM_MYPY_TIMEOUT", DEFAULT_TIMEOUT_S))
    except ValueError:
        return DEFAULT_TIMEOUT_S


def result_for(context: AuditContext) -> MypyRun | None:
    """The mypy run of this audit, if a check already asked for it (never runs mypy)."""
    return _RUNS.get(context)


def mypy_of(context: AuditContext, package: str) -> MypyRun:
    """mypy's judgement of ``package`` in this audit's distribution, run at most once."""
    found = _RUNS.get(context)
    if found is None:
        found = run(context.dist.files, package, context.work_dir / "mypy")
        _RUNS[context] = found
    return found


def _extract(files: Mapping[str, bytes], package: str, folder: Path) -> int:
    """Write the package's typed files (and py.typed) below ``folder``; return how many."""
    count = 0
    prefix = package + "/"
    for path, data in files.items():
        if not path.startswith(prefix):
            continue
        posix = PurePosixPath(path)
        if posix.suffix not in _TYPED_SUFFIXES and posix.name != "py.typed":
            continue
        if any(part in ("..", "") for part in posix.parts):
            continue
        target = folder.joinpath(*posix.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        count += posix.suffix in _TYPED_SUFFIXES
    return count


def _usable_cache() -> Path | None:
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def run(files: Mapping[str, bytes], package: str, work: Path) -> MypyRun:
    """Extract ``package`` from the wheel's ``files`` into ``work`` and run mypy on it."""
    count = _extract(files, package, work / "src")
    if count == 0:
        return MypyRun((), 0.0, 0, problem=f"the wheel holds no Python file of {package}/")
    config = work / "mypy.ini"
    config.write_text("[mypy]\n", encoding="utf-8")
    cache = _usable_cache() or work / "cache"
    command = (
        sys.executable, "-P", "-m", "mypy",
        "--config-file", str(config),
        "--cache-dir", str(cache), "--no-sqlite-cache",
        "--no-site-packages", "--ignore-missing-imports", "--follow-imports", "silent",
        "--output", "json", "--no-error-summary", "--no-pretty", "--no-color-output",
        "--hide-error-context",
        str(PurePosixPath("src", package)),
    )
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if count >= PARALLEL_FROM_FILES and workers > 1:
        parallel = _invoke((*command[:-1], "--num-workers", str(workers), command[-1]),
                           package, count, work)
        if not parallel.problem or "limit" in parallel.problem:
            return parallel
        retried = _invoke(command, package, count, work)  # parallel mode failed: once more alone
        return MypyRun(retried.errors, parallel.seconds + retried.seconds, count,
                       retried.problem, retried.command)
    return _invoke(command, package, count, work)


def _invoke(command: tuple[str, ...], package: str, count: int, work: Path) -> MypyRun:
    """Run one mypy command in its own process group; kill the group if it runs too long."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("MYPY", "PYTHONPATH"))}
    limit = _timeout()
    started = time.perf_counter()
    try:
        process = subprocess.Popen(
            command, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, start_new_session=True,
        )
    except OSError as exc:
        return MypyRun((), 0.0, count, problem=f"mypy could not start: {exc}", command=command)
    try:
        stdout, stderr = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        _kill(process)
        return MypyRun((), time.perf_counter() - started, count,
                       problem=f"mypy ran over its {limit:g} s limit", command=command)
    seconds = time.perf_counter() - started
    errors, unread = _parse(stdout, package)
    if process.returncode == 0 or (process.returncode in (1, 2) and errors):
        return MypyRun(errors, seconds, count, command=command)
    lines = [line for line in stderr.splitlines() + unread if line.strip()]
    tail = lines[-1] if lines else "no output"
    return MypyRun((), seconds, count, command=command,
                   problem=f"mypy stopped (exit {process.returncode}) without a verdict: {tail}")


def _kill(process: subprocess.Popen[str]) -> None:
    """End mypy and the workers it started (its process group, which is its own)."""
    killpg = getattr(os, "killpg", None)
    with contextlib.suppress(OSError):
        if killpg is not None:
            killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    process.communicate()


def _parse(stdout: str, package: str) -> tuple[tuple[Evidence, ...], list[str]]:
    """mypy's JSON lines → evidence for the errors inside the package; unreadable lines."""
    errors: list[Evidence] = []
    unread: list[str] = []
    for line in stdout.splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            unread.append(line)
            continue
        if not isinstance(entry, dict) or entry.get("severity") != "error":
            continue
        path = PurePosixPath(str(entry.get("file", "")).replace(os.sep, "/"))
        parts = path.parts[1:] if path.parts[:1] == ("src",) else path.parts
        if not parts or parts[0] != package:
            continue
        line_number = entry.get("line")
        code = entry.get("code")
        message = str(entry.get("message", ""))
        detail = f"{message} [{code}]" if code else message
        errors.append(Evidence("/".join(parts), line_number if isinstance(line_number, int)
                               and line_number > 0 else None, detail))
    return tuple(errors), unread
