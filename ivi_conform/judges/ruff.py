"""The PEP 8 judge: one ruff run per audit, over every Python file the wheel ships.

ruff runs in a child process with ivi-conform's own selection, never the
candidate's configuration (``--isolated``), and its findings are a fact of
the audit (:func:`lint`) that the Style Guide and Naming rules both read.
The selection follows PEP 8 as pycodestyle and pep8-naming implement it;
where PEP 8 allows a choice, the rule that pycodestyle leaves off by default
stays off (see ``IGNORE``).

ruff's findings in a file depend only on its path, its bytes and the package
markers (``__init__.py``) of the folders above it: they are cached by those
(:mod:`ivi_conform.cache`, one table per driver), and ruff is run only on the
files the cache has not seen. On a large driver the run starts in the
background (:func:`start`) while the syntax trees are built.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ivi_conform import cache
from ivi_conform.judges import posix_parts

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext


#: The rules whose checks read ruff's findings.
RULE_IDS = frozenset({"style-pep8", "naming-pep8"})
LINE_LENGTH = 99
SELECT = ("E", "W", "N")
#: Left out: what pycodestyle's default selection leaves out because PEP 8 allows it (E226
#: "x = x*2 - 1", E241/E242 alignment after a comma; E121, E123, E126, E704, W503 and W504
#: are not ruff rules), W191 (PEP 8 prefers spaces but allows tabs "to remain consistent
#: with code that is already indented with tabs"; E101, mixing them, stays), and N818.
IGNORE = ("E226", "E241", "E242", "W191", "N818")
RUFF_TIMEOUT_S = 300.0
#: Paths per ruff invocation, far below any command-line length limit.
_BATCH = 2000
_NOQA = re.compile(r"#\s*noqa\s*:\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)", re.I)


@dataclass(frozen=True, slots=True)
class Violation:
    """One ruff diagnostic: the wheel path, the line, the code and the message."""

    path: str
    line: int | None
    code: str
    message: str


@dataclass(frozen=True)
class LintRun:
    """The outcome of the audit's one ruff run; ``error`` is set when ruff could not run."""

    violations: tuple[Violation, ...] = ()
    files: int = 0
    error: str = ""
    #: Wall time of the step (files written, ruff run, output read), for the benchmark.
    seconds: float = 0.0


def find_ruff() -> str | None:
    """The ruff executable: beside the interpreter, else the ``ruff`` package's, else on PATH."""
    name = "ruff.exe" if os.name == "nt" else "ruff"
    for folder in (Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))):
        if (folder / name).is_file():
            return str(folder / name)
    try:
        return str(importlib.import_module("ruff").find_ruff_bin())
    except (ImportError, AttributeError, FileNotFoundError):
        return shutil.which("ruff")


def python_files(files: Sequence[str]) -> list[str]:
    """The wheel paths ruff lints: the installed ``.py`` and ``.pyi`` files."""
    chosen = []
    for path in files:
        parts = posix_parts(path)
        if path.startswith("/") or not parts or ".." in parts:
            continue
        name = parts[-1]
        dot = name.rfind(".")
        if not 0 < dot < len(name) - 1 or name[dot:] not in (".py", ".pyi"):
            continue
        if ".dist-info" in parts[0] or parts[0].endswith(".data"):
            continue
        chosen.append(path)
    return sorted(chosen)


def _explicitly_allowed(text_lines: dict[str, list[str]], violation: Violation) -> bool:
    lines = text_lines.get(violation.path)
    if lines is None or violation.line is None or not 0 < violation.line <= len(lines):
        return False
    match = _NOQA.search(lines[violation.line - 1])
    return match is not None and violation.code in re.split(r"[\s,]+", match["codes"].upper())


def _command(ruff: str) -> list[str]:
    return [
        ruff, "check", "--isolated", "--preview", "--no-cache", "--exit-zero", "--ignore-noqa",
        "--select", ",".join(SELECT), "--ignore", ",".join(IGNORE),
        "--line-length", str(LINE_LENGTH), "--output-format", "json", "--",
    ]


def run_ruff(folder: Path, paths: list[str], ruff: str) -> list[Violation] | str:
    """Lint ``paths`` (relative to ``folder``); the violations, or why ruff failed."""
    command = _command(ruff)
    prefix = str(folder.resolve()) + os.sep
    found: list[Violation] = []
    for start in range(0, len(paths), _BATCH):
        try:
            done = subprocess.run(
                [*command, *paths[start: start + _BATCH]], cwd=folder, capture_output=True,
                text=True, timeout=RUFF_TIMEOUT_S, stdin=subprocess.DEVNULL, check=False,
            )
        except subprocess.TimeoutExpired:
            return f"ruff ran over {RUFF_TIMEOUT_S:.0f} s"
        except OSError as exc:
            return f"ruff could not be started: {exc}"
        if done.returncode != 0:
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            return f"ruff failed (exit {done.returncode}): {lines[-1] if lines else 'no output'}"
        try:
            diagnostics = json.loads(done.stdout or "[]")
        except json.JSONDecodeError as exc:
            return f"ruff's JSON output is unreadable: {exc}"
        relative: dict[str, str] = {}  # ruff's file name → wheel path, worked out once a file
        for item in diagnostics:
            filename = item["filename"]
            path = relative.get(filename)
            if path is None:
                path = relative[filename] = _relative(filename, folder, prefix)
            location = item.get("location") or {}
            found.append(Violation(path, location.get("row"), item.get("code") or "syntax",
                                   item.get("message", "")))
    return found


def _relative(filename: str, folder: Path, prefix: str) -> str:
    if filename.startswith(prefix):
        return filename[len(prefix):].replace(os.sep, "/")
    name = Path(filename)
    return (name.relative_to(folder) if name.is_absolute() else name).as_posix()


def lint(context: AuditContext) -> LintRun:
    """The audit's ruff run (made on first use, shared by both rules): a fact of the context."""
    return context.fact(started).result()


def start(context: AuditContext) -> None:
    """Start the audit's ruff run in the background (it runs beside the syntax index)."""
    context.fact(started)


def started(context: AuditContext) -> Future[LintRun]:
    """The audit's ruff run, started in a thread waiting on ruff's child process (a fact)."""
    future: Future[LintRun] = Future()

    def run() -> None:
        began = time.perf_counter()
        try:
            found = _lint_files(context.dist.files, context.work_dir / "pep8-lint",
                                context.dist.digest)
        except BaseException as exc:  # noqa: BLE001 - handed to the rule that waits for it
            future.set_exception(exc)
        else:
            future.set_result(replace(found, seconds=time.perf_counter() - began))

    threading.Thread(target=run, name="ivi-conform-ruff", daemon=True).start()
    return future


def settings(ruff: str) -> str:
    """What ruff's findings depend on besides the file: its executable and our options."""
    try:
        stat = Path(ruff).stat()
        identity = f"{Path(ruff).resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
    except OSError:
        identity = ruff
    return " ".join([identity, *_command("ruff")])


#: The files that make a folder a package, to ruff.
_PACKAGE_MARKERS = ("__init__.py", "__init__.pyi")


def _ancestor_markers(path: str, markers: set[str]) -> list[str]:
    """The package markers of the folders above ``path`` (what its findings depend on)."""
    parts = posix_parts(path)[:-1]
    return [marker for depth in range(len(parts), 0, -1) for name in _PACKAGE_MARKERS
            if (marker := "/".join((*parts[:depth], name))) in markers]


def _lint_files(files: Mapping[str, bytes], folder: Path,
                digest: Callable[[str], bytes] | None = None) -> LintRun:
    """ruff's findings in ``files``: from the cache by content, ruff run on the rest only.

    ``digest`` gives a file's content digest (the distribution's, taken once per audit).
    """
    paths = python_files(list(files))
    if not paths:
        return LintRun()
    ruff = find_ruff()
    if ruff is None:
        return LintRun(error="ruff is not installed beside ivi-conform")
    table = cache.Table("ruff", settings(ruff), ",".join(paths[:1]))
    markers = {path for path in files if (posix_parts(path) or [""])[-1] in _PACKAGE_MARKERS}
    content = digest or (lambda path: cache.content_digest(files[path]))
    keys = {path: cache.digest(path, content(path), *_ancestor_markers(path, markers))
            for path in paths}
    by_path: dict[str, list[Violation]] = {}
    missing: list[str] = []
    for path in paths:
        cached = table.get(keys[path])
        if isinstance(cached, list):
            by_path[path] = [Violation(path, line, code, message)
                             for line, code, message in cached]
        else:
            missing.append(path)
    if missing:
        shutil.rmtree(folder, ignore_errors=True)
        # A module's name rules (N999) depend on the package it sits in: its folders'
        # markers go beside it, so that ruff sees it as it sees it in the whole wheel.
        needed = {marker for path in missing for marker in _ancestor_markers(path, markers)}
        made: set[str] = set()
        for path in sorted(set(missing) | needed):
            target = os.path.join(folder, *path.split("/"))
            parent = os.path.dirname(target)
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
            with open(target, "wb") as stream:
                stream.write(files[path])
        outcome = run_ruff(folder, missing, ruff)
        if isinstance(outcome, str):
            return LintRun(files=len(paths), error=outcome)
        fresh: dict[str, list[Violation]] = {path: [] for path in missing}
        for violation in outcome:
            fresh.setdefault(violation.path, []).append(violation)
        for path, found in fresh.items():
            if path in keys:
                table.put(keys[path], [[v.line, v.code, v.message] for v in found])
        by_path.update(fresh)
        table.save()
    text_lines = {path: files[path].decode("utf-8", errors="replace").splitlines()
                  for path in paths if b"noqa" in files[path]}
    kept = tuple(violation for path in paths for violation in by_path.get(path, ())
                 if not _explicitly_allowed(text_lines, violation))
    return LintRun(kept, len(paths))
