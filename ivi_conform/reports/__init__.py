"""The outputs of an audit, every one rendered from the single report dict.

``report.json`` is the contract (:mod:`~ivi_conform.reports.json_report`, with
its JSON Schema beside it); the compliance document and the console summary
are renderings of that dict, never of the engine's objects, so that what a
reviewer reads and what a CI parses cannot disagree. Each further output
(SARIF, JUnit, the badge, the job summary, the HTML page, the registration
fields) is one small module and one entry in :data:`RENDERERS`; :data:`FORMATS`
names them for ``--formats``, so that a CI that wants only SARIF says so.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Collection
from pathlib import Path

from ivi_conform.reports import (
    atomic,
    badge,
    compliance,
    html,
    json_report,
    junit,
    registration,
    sarif,
    summary,
)
from ivi_conform.reports.report_types import Report

Renderer = Callable[[Report], str]

#: The files an audit writes, by name, each rendered from the report dict.
#: ``report.json`` comes last so that it records a failure of any renderer before it.
RENDERERS: dict[str, Renderer] = {
    "compliance.md": compliance.render,
    "report.sarif": sarif.render,
    "junit.xml": junit.render,
    "badge.svg": badge.render_svg,
    "badge.json": badge.render_json,
    "summary.md": summary.render,
    "registration.txt": registration.render,
    "report.html": html.render,
    "report.json": json_report.render,
}

#: The names ``--formats`` takes, and the files each stands for. report.json is
#: always written: it is the contract the others are rendered from.
FORMATS: dict[str, tuple[str, ...]] = {
    "compliance": ("compliance.md",),
    "sarif": ("report.sarif",),
    "junit": ("junit.xml",),
    "badge": ("badge.svg", "badge.json"),
    "summary": ("summary.md",),
    "registration": ("registration.txt",),
    "html": ("report.html",),
}
ALWAYS = "report.json"


def files_of(formats: Collection[str] | None) -> set[str] | None:
    """The file names the format names stand for (None: every file).

    Raises ``ValueError`` naming an unknown format, for the command line to show.
    """
    if formats is None:
        return None
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown format {', '.join(unknown)}; choose from "
                         f"{', '.join(FORMATS)}")
    return {ALWAYS, *(name for format_ in formats for name in FORMATS[format_])}


def render_all(report: Report, only: Collection[str] | None = None) -> dict[str, str]:
    """Every output's text (or only the files named). A renderer that crashes is
    ivi-conform's bug: it is recorded in the report's internal errors and its file
    left out, and the other outputs are still produced."""
    texts: dict[str, str] = {}
    for name, renderer in RENDERERS.items():
        if only is not None and name not in only:
            continue
        try:
            texts[name] = renderer(report)
        except Exception as exc:  # noqa: BLE001 - a renderer bug must not lose the report
            json_report.add_internal_error(
                report, f"writing {name}", f"{type(exc).__name__}: {exc}", traceback.format_exc()
            )
    return texts


def write_reports(report: Report, directory: Path,
                  formats: Collection[str] | None = None) -> list[Path]:
    """Write every output (or those of ``formats``, see :data:`FORMATS`) into
    ``directory`` (created) and return the paths written.

    Each file is written atomically (:func:`~ivi_conform.reports.atomic.write_text`),
    so that a CI reading the directory never sees half a report. ``OSError``
    propagates: an unwritable directory is the user's to fix, not a finding.
    """
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_all(report, files_of(formats)).items():
        path = directory / name
        atomic.write_text(path, text)
        written.append(path)
    return written
