"""The summary ``ivi-conform audit`` prints: what a person at a terminal needs first.

The driver, the verdict and the counts, then only the rules that need
attention (fail, warn, error) with their message and a few evidence lines;
the full story is in the files it names. Rendered from the report dict like
every other output. Colour only on a terminal, and never when ``NO_COLOR`` is
set (https://no-color.org).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from ivi_conform.reports.report_types import Outcome, Report, RuleEntry, Summary

#: Evidence lines shown per rule; the report and compliance.md have the rest.
EVIDENCE_SHOWN = 3

_COLOURS = {
    "conformant": "32;1",
    "non-conformant": "31;1",
    "incomplete": "33;1",
    "fail": "31",
    "warn": "33",
    "error": "35",
    "not-judged": "33",
    "dim": "2",
}
_ATTENTION = ("fail", "warn", "not-judged", "error")
#: The outcomes in the order the counts line gives them.
OUTCOME_ORDER: tuple[Outcome, ...] = ("pass", "fail", "warn", "skip", "not-judged", "error")


def counts_line(summary: Summary) -> str:
    """``12 pass, 1 fail, ...``: how many rules ended in each outcome (every output uses it)."""
    return ", ".join(f"{summary[key]} {key}" for key in OUTCOME_ORDER)


def use_colour(stream: TextIO) -> bool:
    """Whether to colour what is written to ``stream``."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


Paint = Callable[[str, str], str]


def _rule_lines(rule: RuleEntry, paint: Paint) -> list[str]:
    """A rule that needs attention: its outcome and title, message, a few evidence lines."""
    outcome = rule["outcome"]
    lines = [f"{paint(f'{outcome.upper():<10}', outcome)} {rule['id']} ({rule['level']}): "
             f"{rule['title']}"]
    message = rule["message"]
    if outcome == "error":
        message = f"ivi-conform could not judge this rule: {message}"
    lines.append(f"           {message}")
    for evidence in rule["evidence"][:EVIDENCE_SHOWN]:
        place = evidence["file"] + (f":{evidence['line']}" if evidence["line"] is not None
                                    else "")
        detail = f": {evidence['detail']}" if evidence["detail"] else ""
        lines.append(f"           {place}{detail}")
    hidden = len(rule["evidence"]) - EVIDENCE_SHOWN
    if hidden > 0:
        lines.append(paint(f"           ... and {hidden} more (all in report.json)", "dim"))
    return lines


def _not_judged_lines(rules: Sequence[RuleEntry], paint: Paint) -> list[str]:
    """The rules that were not judged, grouped by reason: one cause reads as one line."""
    reasons: dict[str, list[str]] = {}
    for rule in rules:
        if rule["outcome"] == "not-judged":
            reasons.setdefault(rule["message"], []).append(rule["id"])
    lines = []
    for reason, ids in reasons.items():
        label = paint(f"{'NOT-JUDGED':<10}", "not-judged")
        what = ids[0] if len(ids) == 1 else f"{len(ids)} rules"
        lines.append(f"{label} {what}: {reason}")
        if len(ids) > 1:
            shown = ", ".join(ids[:6]) + (f", ... (+{len(ids) - 6})" if len(ids) > 6 else "")
            lines.append(paint(f"           {shown}", "dim"))
    return lines


def render(report: Report, written: Sequence[Path] = (), *,
           colour: bool = False, each_rule: bool = True) -> str:
    """The summary as text, ending in a newline.

    ``each_rule=False`` leaves out the failed, warned and erred rules, for the
    pytest plugin, whose items already show them; the rules that were not
    judged are shown either way (pytest shows them only as skips).
    """

    def paint(text: str, key: str) -> str:
        code = _COLOURS.get(key)
        return f"\033[{code}m{text}\033[0m" if colour and code else text

    tool, spec, driver = report["tool"], report["spec"], report["driver"]
    target, audit, summary = report["target"], report["audit"], report["summary"]
    lines = [f"{tool['name']} {tool['version']} - {spec['name']} {spec['version']}"]
    name = " ".join(part for part in (driver["distribution"], driver["version"]) if part)
    where = f"from {target['origin']}" + (f" [{target['kind']}]" if target["kind"] else "")
    located = ""
    if driver["import_name"]:
        located = f" ({driver['import_name']}" + (
            f".{driver['class_name']})" if driver["class_name"] else ")")
    lines.append(f"driver:  {name or '(unknown)'}{located} {where}")
    counts = counts_line(summary)
    verdict = report["verdict"]
    lines.append(f"verdict: {paint(verdict.upper(), verdict)}  "
                 f"{counts} ({len(report['rules'])} rules, {audit['seconds']:.1f} s)")
    notes = []
    if audit["static_only"]:
        notes.append("static audit: the driver was not run; the behavioural rules were not "
                     "judged, so the verdict cannot be conformant")
    if audit["selection"] is not None:
        notes.append(f"partial audit: {len(report['rules'])} selected rules only")
    lines += [paint(note, "dim") for note in notes]

    attention = [rule for rule in report["rules"] if rule["outcome"] in _ATTENTION]
    if attention:
        lines.append("")
    for rule in attention:
        if rule["outcome"] != "not-judged" and each_rule:
            lines += _rule_lines(rule, paint)
    lines += _not_judged_lines(attention, paint)

    errors = audit["internal_errors"]
    if errors:
        lines.append("")
        plural = "s" if len(errors) > 1 else ""
        lines.append(paint(
            f"ivi-conform hit {len(errors)} internal error{plural} (a bug in ivi-conform, not "
            "in the driver); the traceback is in report.json", "error"))
    if written:
        lines.append("")
        lines.append(f"wrote {written[0]}")
        lines += [f"      {path}" for path in written[1:]]
    return "\n".join(lines) + "\n"
