"""The PEP 8 judge: one ruff run per audit, over every Python file the wheel ships.

ruff runs in a child process with ivi-conform's own selection, never the
candidate's configuration (``--isolated``), and its findings are a fact of
the audit (:func:`lint`) that the Style Guide and Naming rules both read.
The selection follows PEP 8 as pycodestyle and pep8-naming implement it;
where PEP 8 allows a choice, the rule that pycodestyle leaves off by default
stays off (see ``IGNORE``).
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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext


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


@dataclass(frozen=True)
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
        posix = PurePosixPath(path)
        if posix.suffix not in {".py", ".pyi"} or posix.is_absolute() or ".." in posix.parts:
            continue
        if ".dist-info" in posix.parts[0] or posix.parts[0].endswith(".data"):
            continue
        chosen.append(path)
    return sorted(chosen)


def _explicitly_allowed(text_lines: dict[str, list[str]], violation: Violation) -> bool:
    lines = text_lines.get(violation.path)
    if lines is None or violation.line is None or not 0 < violation.line <= len(lines):
        return False
    match = _NOQA.search(lines[violation.line - 1])
    return match is not None and violation.code in re.split(r"[\s,]+", match["codes"].upper())


def run_ruff(folder: Path, paths: list[str], ruff: str) -> list[Violation] | str:
    """Lint ``paths`` (relative to ``folder``); the violations, or why ruff failed."""
    command = [
        ruff, "check", "--isolated", "--preview", "--no-cache", "--exit-zero", "--ignore-noqa",
        "--select", ",".join(SELECT), "--ignore", ",".join(IGNORE),
        "--line-length", str(LINE_LENGTH), "--output-format", "json", "--",
    ]
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
        for item in diagnostics:
            name = Path(item["filename"])
            relative = name.relative_to(folder) if name.is_absolute() else name
            location = item.get("location") or {}
            found.append(Violation(
                relative.as_posix(), location.get("row"), item.get("code") or "syntax",
                item.get("message", ""),
            ))
    return found


def lint(context: AuditContext) -> LintRun:
    """The audit's ruff run (made on first use, shared by both rules): a fact of the context."""
    return context.fact(_lint)


def _lint(context: AuditContext) -> LintRun:
    paths = python_files(list(context.dist.files))
    if not paths:
        return LintRun()
    ruff = find_ruff()
    if ruff is None:
        return LintRun(error="ruff is not installed beside ivi-conform")
    folder = context.work_dir / "pep8-lint"
    shutil.rmtree(folder, ignore_errors=True)
    text_lines: dict[str, list[str]] = {}
    for path in paths:
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(context.dist.files[path])
        if b"noqa" in context.dist.files[path]:
            text_lines[path] = context.dist.text(path).splitlines()
    outcome = run_ruff(folder, paths, ruff)
    if isinstance(outcome, str):
        return LintRun(files=len(paths), error=outcome)
    kept = tuple(v for v in outcome if not _explicitly_allowed(text_lines, v))
    return LintRun(kept, len(paths))
