"""``dashboard.html``: several drivers audited at once, on one page.

``ivi-conform audit A B C`` writes each driver's reports into a folder of its
own and this page beside them: one row per driver, one column per spec
section, each cell the section's worst outcome for that driver, linked to
that section of the driver's own report. A reviewer of a family of drivers
sees at a glance which section fails where. Like ``report.html`` the page is
self-contained (inline style, nothing from the network) and every text from a
report is escaped. It is rendered from the drivers' report.json files only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from ivi_conform.options import section_slug
from ivi_conform.reports import standing
from ivi_conform.reports.report_types import Report

#: A section's outcome on the dashboard: the first of these any of its rules ended in.
WORST_FIRST = ("fail", "error", "not-judged", "warn", "pass", "skip")

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.3em .5em;text-align:left;
vertical-align:top}th{background:#f4f4f4;font-weight:normal;font-size:.85em}
.conformant{background:#2e7d32;color:#fff}.non-conformant{background:#c62828;color:#fff}
.incomplete{background:#757575;color:#fff}.unaudited{background:#ad1457;color:#fff}
.o-pass{background:#e8f5e9}.o-fail{background:#ffcdd2;font-weight:bold}
.o-warn{background:#ffe0b2}.o-skip{color:#757575}.o-not-judged{background:#e1bee7}
.o-error{background:#f8bbd0}a{color:inherit}
"""


@dataclass(frozen=True)
class Row:
    """One driver: its report (None when the audit wrote none) and where its files are.

    ``folder`` is the driver's report folder relative to the dashboard;
    ``page`` the file of it that cells link to (``report.html``, or
    ``report.json`` when the HTML was not written); ``problem`` why there is
    no report (the audit's own last line of error).
    """

    label: str
    folder: str
    page: str
    report: Report | None
    problem: str = ""


def worst(outcomes: Sequence[str]) -> str:
    """The outcome a section shows: its worst rule's (``fail`` before ``error`` ... ``skip``)."""
    return next((outcome for outcome in WORST_FIRST if outcome in outcomes), "skip")


def sections_of(rows: Sequence[Row]) -> list[str]:
    """Every section any report audited, in the order the reports give them (the spec's)."""
    found: dict[str, None] = {}
    for row in rows:
        for rule in row.report["rules"] if row.report is not None else ():
            found.setdefault(str(rule["section"]), None)
    return list(found)


def render(rows: Sequence[Row]) -> str:
    """The page, as HTML5."""
    sections = sections_of(rows)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>IVI-Python conformance: {len(rows)} drivers</title>"
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>IVI-Python conformance: {len(rows)} drivers</h1>",
        "<table><tr><th>driver</th><th>verdict</th>",
        "".join(f"<th>{_e(section)}</th>" for section in sections),
        "</tr>",
        *(_row(row, sections) for row in rows),
        "</table>",
        "<p>Each cell is the worst outcome of the section's rules (fail, error, not-judged, "
        "warn, pass, skip) and the number of rules that ended so; it links to the section in "
        "the driver's own report.</p>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _e(text: object) -> str:
    return escape(standing.xml_safe(text), quote=True)


def _row(row: Row, sections: Sequence[str]) -> str:
    report = row.report
    if report is None:
        return (f'<tr><td>{_e(row.label)}</td><td class="unaudited">NOT AUDITED</td>'
                f'<td colspan="{max(len(sections), 1)}">{_e(row.problem)}</td></tr>')
    driver = report["driver"]
    name = " ".join(str(part) for part in (driver["distribution"] or row.label,
                                           driver["version"] or "") if part)
    shown = standing.claim(report)
    page = f"{row.folder}/{row.page}"
    cells = "".join(_cell(report, section, page) for section in sections)
    return (f'<tr><td><a href="{_e(page)}">{_e(name)}</a></td>'
            f'<td class="{shown}">{_e(standing.headline(report))}</td>{cells}</tr>')


def _cell(report: Report, section: str, page: str) -> str:
    outcomes = [str(rule["outcome"]) for rule in report["rules"] if rule["section"] == section]
    if not outcomes:
        return "<td></td>"
    shown = worst(outcomes)
    anchor = f"#section-{section_slug(section)}" if page.endswith(".html") else ""
    return (f'<td class="o-{shown}"><a href="{_e(page + anchor)}">'
            f"{shown} {outcomes.count(shown)}</a></td>")

