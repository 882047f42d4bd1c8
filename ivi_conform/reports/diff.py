"""``ivi-conform diff OLD NEW``: the rules whose outcome changed between two reports.

A release review or a pull request asks what got worse, not the whole audit
again. So the changes are ordered by what needs a reviewer first: new
failures and warnings, then rules that could no longer be judged, then
fixes, then the other changes and the rules only one report has. Both
inputs are report.json files; nothing is re-audited, so the comparison is
as fast as reading them and works on reports from CI artifacts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from ivi_conform.reports import standing
from ivi_conform.reports.json_report import SCHEMA_ID
from ivi_conform.reports.report_types import Report

#: The kinds of change, in the order a reviewer reads them.
KINDS = ("new failure", "no longer judged", "fixed", "changed", "added", "removed")
_UNJUDGED = ("not-judged", "error")


class ReportError(ValueError):
    """A file that is not an ivi-conform report; the message names it."""


@dataclass(frozen=True)
class Change:
    """One rule whose outcome differs (``None``: the rule is not in that report)."""

    rule: str
    section: str
    level: str
    old: str | None
    new: str | None
    message: str

    @property
    def kind(self) -> str:
        if self.new in standing.CHARGED and self.old not in standing.CHARGED:
            return "new failure"
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        if self.new in _UNJUDGED and self.old not in _UNJUDGED:
            return "no longer judged"
        if self.old in standing.CHARGED and self.new not in standing.CHARGED:
            return "fixed"
        return "changed"


def load_report(path: Path) -> Report:
    """A report.json, checked to be one (its ``schema`` field) before it is compared."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReportError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA_ID:
        raise ReportError(f"{path}: not an ivi-conform report (its schema is not {SCHEMA_ID})")
    return cast(Report, data)  # its schema field says so; its rules are all compare reads


def compare(old: Report, new: Report) -> list[Change]:
    """The rules whose outcome changed, new failures first, each kind in the new report's order."""
    before = {rule["id"]: rule for rule in old["rules"]}
    after = {rule["id"]: rule for rule in new["rules"]}
    changes = []
    for rule_id in [*after, *(rule_id for rule_id in before if rule_id not in after)]:
        was, now = before.get(rule_id), after.get(rule_id)
        if was is not None and now is not None and was["outcome"] == now["outcome"]:
            continue
        shown = now if now is not None else was
        assert shown is not None
        changes.append(Change(
            rule=rule_id, section=shown["section"], level=shown["level"],
            old=was["outcome"] if was else None, new=now["outcome"] if now else None,
            message=str(shown["message"])))
    return sorted(changes, key=lambda change: KINDS.index(change.kind))


def exit_code(changes: list[Change]) -> int:
    """1 when the new report has a failure or warning the old one did not, else 0."""
    return 1 if any(change.kind == "new failure" for change in changes) else 0


def _name(report: Report) -> str:
    driver = report["driver"]
    return f"{driver['distribution'] or report['target']['origin']} {driver['version'] or ''}"


def render_text(old: Report, new: Report, changes: list[Change]) -> str:
    """The changes as a person reads them."""
    lines = [f"old: {_name(old).strip()} ({standing.claim(old)}, {old['audit']['started']})",
             f"new: {_name(new).strip()} ({standing.claim(new)}, {new['audit']['started']})"]
    if not changes:
        return "\n".join([*lines, "", "no rule changed outcome"]) + "\n"
    width = max(len(change.rule) for change in changes)
    kind = None
    for change in changes:
        if change.kind != kind:
            kind = change.kind
            count = sum(1 for other in changes if other.kind == kind)
            lines += ["", f"{kind} ({count})"]
        was, now = change.old or "-", change.new or "-"
        lines.append(f"  {change.rule:<{width}}  {was:>10} -> {now:<10}  {change.message}")
    return "\n".join(lines) + "\n"


def render_json(old: Report, new: Report, changes: list[Change]) -> str:
    """The changes as JSON, for a bot that comments on a pull request."""
    return json.dumps({
        "old": {"driver": _name(old).strip(), "verdict": standing.claim(old)},
        "new": {"driver": _name(new).strip(), "verdict": standing.claim(new)},
        "changes": [{"kind": change.kind, "rule": change.rule, "section": change.section,
                     "level": change.level, "old": change.old, "new": change.new,
                     "message": change.message} for change in changes],
    }, indent=2, ensure_ascii=False) + "\n"
