"""``summary.md``: the audit in a few lines of Markdown, for a CI job summary.

A CI job summary (``$GITHUB_STEP_SUMMARY``) or a pull-request comment is read
at a glance and has a size limit, so this is the verdict (as
:mod:`~ivi_conform.reports.standing` lets an output claim it), the counts,
and one table row per rule that needs attention, at most :data:`ROWS_SHOWN`
of them with their first evidence; the reports beside it carry the rest.
"""

from __future__ import annotations

from ivi_conform.reports import standing
from ivi_conform.reports.console import counts_line
from ivi_conform.reports.report_types import Report

#: Table rows at most; a summary longer than a screen is not read.
ROWS_SHOWN = 25
#: Characters of a message or evidence line kept in a table cell.
CELL = 160
_ORDER = ("fail", "error", "not-judged", "warn")
_MARK = {"conformant": "✅", "non-conformant": "❌", "incomplete": "⚠️"}


def render(report: Report) -> str:
    """The summary as Markdown."""
    driver = report["driver"]
    name = driver["distribution"] or report["target"]["origin"]
    shown = standing.claim(report)
    spec = report["spec"]
    lines = [
        f"### {_MARK[shown]} IVI-Python conformance: {_cell(name)} {driver['version'] or ''}"
        .rstrip(),
        "",
        f"**{shown.upper()}** ({standing.headline(report)}) against the {spec['name']} "
        f"{spec['version']}: {counts_line(report['summary'])}.",
    ]
    reason = standing.partial_reason(report)
    if reason:
        lines += ["", f"> {reason}; a conformance claim needs the full audit."]
    rows = [rule for outcome in _ORDER for rule in standing.attention(report["rules"], outcome)]
    if rows:
        lines += ["", "| outcome | rule | section | message | evidence |",
                  "|---|---|---|---|---|"]
        for rule in rows[:ROWS_SHOWN]:
            first = standing.evidence_text(rule["evidence"][0]) if rule["evidence"] else ""
            more = len(rule["evidence"]) - 1
            if more > 0:
                first += f" (+{more})"
            lines.append(f"| {rule['outcome']} | `{rule['id']}` ({rule['level']}) | "
                         f"{_cell(rule['section'])} | {_cell(rule['message'])} | "
                         f"{_cell(first)} |")
        if len(rows) > ROWS_SHOWN:
            lines += ["", f"... and {len(rows) - ROWS_SHOWN} more rules; report.html and "
                          "report.json list them all."]
    errors = report["audit"]["internal_errors"]
    if errors:
        lines += ["", f"ivi-conform itself failed {len(errors)} time(s) (its bugs, never "
                      "counted against the driver); report.json has the tracebacks."]
    tool = report["tool"]
    lines += ["", f"<sub>{tool['name']} {tool['version']}, {report['audit']['started']}, "
                  f"{report['audit']['seconds']:.1f} s</sub>"]
    return "\n".join(lines) + "\n"


def _cell(text: object) -> str:
    """Text fit for one table cell: one line, pipes escaped, cut to :data:`CELL`."""
    flat = " ".join(str(text).split()).replace("|", "\\|").replace("<", "&lt;")
    return flat if len(flat) <= CELL else flat[:CELL - 1] + "…"
