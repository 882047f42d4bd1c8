"""Several drivers in one command: ``ivi-conform audit A B C`` (or a folder of wheels).

Each driver is audited by a process of its own, ``python -m ivi_conform audit
TARGET --report-dir DIR/<name>``, so that one driver's audit (its imports,
its sandbox, its crash) cannot touch another's, and at most ``jobs`` run at
once. The children write their reports as a single audit does (and what they
printed into ``audit.log`` beside them); this module then reads their
report.json files and writes ``dashboard.html`` above them.
The exit status is the worst of the children's (:func:`worst_exit`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from ivi_conform.reports import atomic, dashboard
from ivi_conform.reports.report_types import Report

#: Exit statuses from least to most severe: conformant, incomplete, non-conformant,
#: a target that could not be read (its driver was not audited at all).
SEVERITY = (0, 3, 1, 2)
#: The dashboard's file name, in the report folder.
DASHBOARD = "dashboard.html"
#: What each driver's audit printed, kept in its report folder.
LOG = "audit.log"
#: Files that make a folder a project to build rather than a folder of wheels.
_PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


@dataclass(frozen=True)
class Audited:
    """One driver's audit: its target, report folder, exit status and what it printed."""

    target: str
    folder: Path
    exit_code: int
    output: str

    def report(self) -> Report | None:
        """Its report.json, or None when the audit wrote none (an unreadable target)."""
        try:
            loaded: Report = json.loads((self.folder / "report.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return loaded

    def problem(self) -> str:
        """The last line the audit printed on stderr or stdout: why it wrote no report."""
        lines = [line for line in self.output.splitlines() if line.strip()]
        return lines[-1] if lines else f"exit status {self.exit_code}"


def expand(targets: Sequence[str]) -> list[str]:
    """The targets, a folder holding wheels (and no project) standing for its wheels."""
    expanded: list[str] = []
    for target in targets:
        path = Path(target)
        wheels = sorted(path.glob("*.whl")) if path.is_dir() else []
        if wheels and not any((path / name).exists() for name in _PROJECT_FILES):
            expanded += [str(wheel) for wheel in wheels]
        else:
            expanded.append(target)
    return expanded


def folder_names(targets: Sequence[str]) -> list[str]:
    """A report folder name per target, unique: the distribution's name where it shows."""
    names: list[str] = []
    for target in targets:
        path = Path(target)
        stem = path.name
        if stem.endswith(".whl"):  # name-version-tags.whl, the name without a dash
            stem = stem.removesuffix(".whl").split("-", 1)[0]
        elif stem.endswith(".tar.gz"):  # name-version.tar.gz
            stem = stem.removesuffix(".tar.gz").rsplit("-", 1)[0]
        name = base = str(canonicalize_name(stem)) or "driver"
        number = 1
        while name in names:
            number += 1
            name = f"{base}-{number}"
        names.append(name)
    return names


def worst_exit(codes: Sequence[int]) -> int:
    """The most severe exit status (see :data:`SEVERITY`; an unknown one is the worst)."""
    return max(codes, key=lambda code: SEVERITY.index(code) if code in SEVERITY else
               len(SEVERITY), default=0)


def audit_all(targets: Sequence[str], report_dir: Path, child_arguments: Sequence[str],
              jobs: int, done: Callable[[Audited], None]) -> list[Audited]:
    """Audit every target in its own process, ``jobs`` at a time; ``done`` is told of each."""

    def one(target: str, folder: Path) -> Audited:
        command = [sys.executable, "-m", "ivi_conform", "audit", target,
                   "--report-dir", str(folder), "--quiet", *child_arguments]
        child = subprocess.run(command, capture_output=True, text=True, check=False)
        audited = Audited(target, folder, child.returncode, child.stdout + child.stderr)
        folder.mkdir(parents=True, exist_ok=True)
        atomic.write_text(folder / LOG, audited.output)  # a crash's traceback is kept
        done(audited)
        return audited

    folders = [report_dir / name for name in folder_names(targets)]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, targets, folders))


def write_dashboard(audits: Sequence[Audited], report_dir: Path) -> Path:
    """``dashboard.html`` in ``report_dir``, linking to each driver's folder."""
    rows = []
    for audited in audits:
        folder = audited.folder.relative_to(report_dir).as_posix()
        page = "report.html" if (audited.folder / "report.html").is_file() else "report.json"
        rows.append(dashboard.Row(audited.target, folder, page, audited.report(),
                                  audited.problem()))
    path = report_dir / DASHBOARD
    report_dir.mkdir(parents=True, exist_ok=True)
    atomic.write_text(path, dashboard.render(rows))
    return path
