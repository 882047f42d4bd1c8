"""The outputs of an audit, every one rendered from the single report dict.

``report.json`` is the contract (:mod:`~ivi_conform.reports.json_report`, with
its JSON Schema beside it); the compliance document and the console summary
are renderings of that dict, never of the engine's objects, so that what a
reviewer reads and what a CI parses cannot disagree. A further output (JUnit,
SARIF, a badge) is one more entry in :data:`RENDERERS`.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ivi_conform.reports import compliance, json_report

Report = dict[str, Any]
Renderer = Callable[[Mapping[str, Any]], str]

#: The files an audit writes, by name, each rendered from the report dict.
#: ``report.json`` comes last so that it records a failure of any renderer before it.
RENDERERS: dict[str, Renderer] = {
    "compliance.md": compliance.render,
    "report.json": json_report.render,
}


def render_all(report: Report) -> dict[str, str]:
    """Every output's text. A renderer that crashes is ivi-conform's bug: it is
    recorded in the report's internal errors and its file left out, and the
    other outputs are still produced."""
    texts: dict[str, str] = {}
    for name, renderer in RENDERERS.items():
        try:
            texts[name] = renderer(report)
        except Exception as exc:  # noqa: BLE001 - a renderer bug must not lose the report
            json_report.add_internal_error(
                report, f"writing {name}", f"{type(exc).__name__}: {exc}", traceback.format_exc()
            )
    return texts


def write_reports(report: Report, directory: Path) -> list[Path]:
    """Write every output into ``directory`` (created) and return the paths written.

    Each file is written beside its final name and then renamed, so that a CI
    reading the directory never sees half a report. ``OSError`` propagates:
    an unwritable directory is the user's to fix, not a finding.
    """
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_all(report).items():
        path = directory / name
        partial = directory / f".{name}.{os.getpid()}.partial"
        try:
            partial.write_text(text, encoding="utf-8", newline="\n")
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        written.append(path)
    return written
