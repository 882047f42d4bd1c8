"""mypy, run once per audit in a child process, on the package the wheel ships.

"Complete type-hinting" has two halves: every public symbol annotated (see
:mod:`ivi_conform.static.typing_completeness`, from the syntax trees) and hints that
hold together, which only a type checker can tell. mypy is run here, never
imported: it gets the driver package as extracted from the wheel, our own
configuration and nothing of the candidate's, because a candidate's
``[tool.mypy] plugins`` would be code run by the audit.

The flags, and why:

* ``--config-file`` pointing to a file we write, holding only ``[mypy]``:
  the candidate's pyproject.toml, setup.cfg or mypy.ini is never read, nor
  the user's own configuration;
* ivi-conform's own environment as site-packages: a dependency of the
  driver installed there (numpy, pyvisa, ...) is seen with its own hints, as
  the driver's users see it; one that is not installed (or ships no hints) is
  taken as ``Any`` and named: mypy's errors in the modules that import it,
  directly or through the package's own modules, are not counted against
  the driver (a hint written against ``numpy`` cannot be judged without
  ``numpy``), and the finding says which modules were left unjudged;
* file-wide suppressions are switched off before mypy reads the package
  (``# mypy: ignore-errors`` and other inline ``# mypy:`` settings, a
  ``# type: ignore`` before the first statement): they would hide the very
  errors the rule looks for; the lines stay, so line numbers hold;
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

import ast
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ivi_conform.model import Evidence

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext

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
    #: Imported modules mypy could not read (not installed, or without hints), by importing file.
    unresolved: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: File-wide suppressions switched off for the run: file, line and the comment.
    suppressions: tuple[Evidence, ...] = ()


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


def mypy_of(context: AuditContext) -> MypyRun:
    """mypy's judgement of the driver's package in this audit, run at most once (a fact)."""
    return context.fact(_mypy)


def result_for(context: AuditContext) -> MypyRun | None:
    """The audit's mypy run, for the benchmark that reports mypy's own time after the rule ran.

    The run is a fact of the context: asked for after typing-consistent, it is that run.
    """
    return mypy_of(context)


def _mypy(context: AuditContext) -> MypyRun:
    package = context.driver.package
    if package is None:
        return MypyRun((), 0.0, 0, problem="the wheel holds no import package to type-check")
    return run(context.dist.files, package, context.work_dir / "mypy")


#: A ``# mypy: ...`` inline configuration comment (file-wide settings, ignore-errors among them).
_MYPY_INLINE = re.compile(r"^\s*#\s*mypy\s*:")
#: ``# type: ignore`` (with or without codes), file-wide when before the first statement.
_TYPE_IGNORE = re.compile(r"^\s*#\s*type\s*:\s*ignore\b")
#: Other checkers' file-wide off switches (no effect on mypy, shown beside the errors).
_OTHER_SWITCHES = re.compile(
    r"^\s*#\s*(?:pyright\s*:\s*(?:basic|off|ignore|report\w+\s*=\s*(?:false|none))"
    r"|pyre-ignore-all-errors|pytype\s*:\s*skip-file)", re.IGNORECASE)


def file_suppressions(path: str, text: str) -> list[Evidence]:
    """The file-wide type-checking suppressions of one module, with their lines.

    ``# mypy: ...`` anywhere (mypy reads inline configuration from any
    comment line), ``# type: ignore`` on a line of its own before the first
    statement (PEP 484's whole-file form), and pyright/pyre/pytype off switches.
    """
    found: list[Evidence] = []
    first = _first_statement_line(text)
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("#"):
            continue
        top = first is None or number < first
        if _MYPY_INLINE.match(line) or (top and _TYPE_IGNORE.match(line)) or (
                _OTHER_SWITCHES.match(line)):
            found.append(Evidence(path, number, f"file-wide suppression {stripped!r}"))
    return found


def _first_statement_line(text: str) -> int | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    return tree.body[0].lineno if tree.body else None


def _switched_off(text: str, suppressions: list[Evidence]) -> str:
    """The module with its mypy suppressions blanked (``#``), line numbers kept."""
    lines = text.splitlines(keepends=True)
    for evidence in suppressions:
        assert evidence.line is not None
        line = lines[evidence.line - 1]
        if _MYPY_INLINE.match(line) or _TYPE_IGNORE.match(line):
            ending = line[len(line.rstrip("\r\n")):]
            lines[evidence.line - 1] = line[: len(line) - len(line.lstrip())] + "#" + ending
    return "".join(lines)


def _extract(files: Mapping[str, bytes], package: str, folder: Path
             ) -> tuple[int, tuple[Evidence, ...]]:
    """Write the package's typed files (and py.typed) below ``folder``, suppressions off.

    Returns how many typed files were written and the suppressions switched off.
    """
    count = 0
    suppressed: list[Evidence] = []
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
        if posix.suffix in _TYPED_SUFFIXES:
            text = data.decode("utf-8", errors="replace")
            found = file_suppressions(path, text)
            if found:
                suppressed.extend(found)
                data = _switched_off(text, found).encode("utf-8")
        target.write_bytes(data)
        count += posix.suffix in _TYPED_SUFFIXES
    return count, tuple(suppressed)


def _usable_cache() -> Path | None:
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def run(files: Mapping[str, bytes], package: str, work: Path) -> MypyRun:
    """Extract ``package`` from the wheel's ``files`` into ``work`` and run mypy on it."""
    count, suppressions = _extract(files, package, work / "src")
    if count == 0:
        return MypyRun((), 0.0, 0, problem=f"the wheel holds no Python file of {package}/")
    config = work / "mypy.ini"
    config.write_text("[mypy]\n", encoding="utf-8")
    cache = _usable_cache() or work / "cache"
    command = (
        sys.executable, "-P", "-m", "mypy",
        "--config-file", str(config),
        "--cache-dir", str(cache), "--no-sqlite-cache",
        "--follow-imports", "silent",
        "--output", "json", "--no-error-summary", "--no-pretty", "--no-color-output",
        "--hide-error-context",
        str(PurePosixPath("src", package)),
    )
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if count >= PARALLEL_FROM_FILES and workers > 1:
        parallel = _invoke((*command[:-1], "--num-workers", str(workers), command[-1]),
                           package, count, work)
        if not parallel.problem or "limit" in parallel.problem:
            return replace(parallel, suppressions=suppressions)
        retried = _invoke(command, package, count, work)  # parallel mode failed: once more alone
        return replace(retried, seconds=parallel.seconds + retried.seconds,
                       suppressions=suppressions)
    return replace(_invoke(command, package, count, work), suppressions=suppressions)


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
    errors, unresolved, unread = _parse(stdout, package)
    if process.returncode == 0 or (process.returncode in (1, 2) and (errors or unresolved)):
        return MypyRun(errors, seconds, count, command=command, unresolved=unresolved)
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


#: mypy's codes for an import it cannot read: not installed, or installed without hints.
_UNRESOLVED_CODES = frozenset({"import-not-found", "import-untyped", "import"})
_QUOTED_MODULE = re.compile(r'"([\w.]+)"')


def _parse(stdout: str, package: str
           ) -> tuple[tuple[Evidence, ...], dict[str, frozenset[str]], list[str]]:
    """mypy's JSON lines → errors inside the package, unresolved imports by file, unread lines."""
    errors: list[Evidence] = []
    unresolved: dict[str, set[str]] = {}
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
        file = "/".join(parts)
        if code in _UNRESOLVED_CODES:
            named = _QUOTED_MODULE.search(message)
            unresolved.setdefault(file, set()).add(named[1] if named else "?")
            continue
        detail = f"{message} [{code}]" if code else message
        errors.append(Evidence(file, line_number if isinstance(line_number, int)
                               and line_number > 0 else None, detail))
    return (tuple(errors), {file: frozenset(names) for file, names in unresolved.items()},
            unread)


@dataclass(frozen=True)
class Verdict:
    """A run's errors split into those counted and those left unjudged.

    ``unjudged`` are errors in modules that import (directly, or through the
    package's own modules) a module mypy could not read, ``missing`` those
    modules; a hint there may be right against the real dependency.
    """

    counted: tuple[Evidence, ...]
    unjudged: tuple[Evidence, ...]
    missing: tuple[str, ...]
    tainted: tuple[str, ...]


def dotted(path: str) -> str:
    """``pkg/sub/mod.py`` or ``.pyi`` → ``pkg.sub.mod``; ``pkg/__init__.py`` → ``pkg``."""
    stem = path.rsplit(".", 1)[0] if path.endswith((".py", ".pyi")) else path
    parts = stem.split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)


def split_errors(run: MypyRun, imports: Mapping[str, set[str]]) -> Verdict:
    """Split ``run``'s errors by whether their module depends on an unresolved import.

    ``imports`` maps each module of the package (dotted name) to the
    package's own modules it imports; a module importing a tainted module is
    tainted too.
    """
    tainted = {dotted(file) for file in run.unresolved}
    changed = True
    while changed:
        changed = False
        for module, imported in imports.items():
            if module not in tainted and imported & tainted:
                tainted.add(module)
                changed = True
    counted = tuple(error for error in run.errors if dotted(error.file) not in tainted)
    unjudged = tuple(error for error in run.errors if dotted(error.file) in tainted)
    missing = sorted({name for names in run.unresolved.values() for name in names})
    return Verdict(counted, unjudged, tuple(missing), tuple(sorted(tainted)))
