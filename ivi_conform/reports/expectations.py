"""Expectations: failures a vendor accepts for now, so CI stays green while they are fixed.

A driver adopting ivi-conform in CI usually starts with a few failures it
cannot fix at once. Rather than not running the audit, the vendor lists them
in a TOML file, each with the reason and, best, a date by which it will be
fixed::

    [[expected]]
    rule = "bitness-installation-testing"
    reason = "32-bit installation testing is scheduled for the 2.0 release"
    expires = 2027-03-31

Like pytest's strict xfail: a listed rule that fails (or warns) is
*expected*, reported but no longer failing the run's exit status; a listed
rule that now passes is *stale* (say so, and fail with
``--strict-expectations``, so the list shrinks as things are fixed); an
entry past its ``expires`` date fails the run, so that "for now" ends.

Expectations change the exit status only, never the report or what the
outputs claim: a badge still says "2 failing". The command line and the
pytest plugin (``--ivi-expectations``) read the same file.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ivi_conform.reports import standing
from ivi_conform.reports.report_types import Report, RuleEntry

_KEYS = {"rule", "reason", "expires"}


class ExpectationsError(ValueError):
    """An unreadable or malformed expectations file; the message names the file and entry."""


@dataclass(frozen=True)
class Expectation:
    """One accepted failure."""

    rule: str
    reason: str
    expires: date | None = None

    def expired(self, today: date) -> bool:
        """Past its date: the day given is the last day it holds."""
        return self.expires is not None and today > self.expires


def load(path: Path) -> dict[str, Expectation]:
    """The file's expectations by rule id."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ExpectationsError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ExpectationsError(f"{path}: not valid TOML ({exc})") from None
    entries = data.get("expected", [])
    if set(data) - {"expected"} or not isinstance(entries, list):
        raise ExpectationsError(f"{path}: expected only [[expected]] tables")
    found: dict[str, Expectation] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: [[expected]] #{number}"
        if not isinstance(entry, dict) or set(entry) - _KEYS:
            raise ExpectationsError(f"{where}: the keys are rule, reason and expires")
        rule, reason, expires = entry.get("rule"), entry.get("reason"), entry.get("expires")
        if not isinstance(rule, str) or not rule:
            raise ExpectationsError(f"{where}: rule must be a rule id")
        if not isinstance(reason, str) or not reason.strip():
            raise ExpectationsError(f"{where} ({rule}): give the reason the failure is accepted")
        if expires is not None and (not isinstance(expires, date) or hasattr(expires, "hour")):
            raise ExpectationsError(f"{where} ({rule}): expires must be a date, YYYY-MM-DD")
        if rule in found:
            raise ExpectationsError(f"{where}: {rule} is listed twice")
        found[rule] = Expectation(rule, reason.strip(), expires)
    return found


@dataclass
class Judgement:
    """How a report measures against the expectations."""

    #: Listed rules that failed or warned, as listed: no longer failing the run.
    expected: list[Expectation] = field(default_factory=list)
    #: Listed rules that now pass: the entry can go.
    stale: list[Expectation] = field(default_factory=list)
    #: Listed rules a full audit does not have (renamed or a typo): stale too.
    unknown: list[Expectation] = field(default_factory=list)
    #: Entries past their date: they fail the run.
    expired: list[Expectation] = field(default_factory=list)
    #: Listed rules this audit did not judge (skipped, not judged, not selected).
    unused: list[Expectation] = field(default_factory=list)
    #: Failed *shall* rules no (valid) entry accepts.
    failing: list[str] = field(default_factory=list)
    #: A *shall* could not be judged, or the audit crashed: the verdict stays incomplete.
    incomplete: bool = False

    def exit_code(self, *, strict: bool = False) -> int:
        """The run's exit status: 1 for an unaccepted failure, an expired entry or (strict)
        a stale one; else 3 when incomplete, 0 when not."""
        if self.failing or self.expired or (strict and (self.stale or self.unknown)):
            return 1
        return 3 if self.incomplete else 0

    def lines(self, *, strict: bool = False) -> list[str]:
        """What a person reads about the expectations (empty when there are none)."""
        out: list[str] = []
        for entry in self.expected:
            out.append(f"EXPECTED   {entry.rule}: {entry.reason}"
                       + (f" (until {entry.expires})" if entry.expires else ""))
        for entry in self.expired:
            out.append(f"EXPIRED    {entry.rule}: the expectation ended on {entry.expires}; "
                       "fix the rule or renew the entry")
        strictly = " (fails with --strict-expectations)" if strict else ""
        for entry in self.stale:
            out.append(f"STALE      {entry.rule}: listed as expected, but it passes; "
                       f"remove the entry{strictly}")
        for entry in self.unknown:
            out.append(f"STALE      {entry.rule}: listed as expected, but there is no such "
                       f"rule; remove the entry{strictly}")
        for entry in self.unused:
            out.append(f"UNUSED     {entry.rule}: not judged in this audit")
        return out


def judge(report: Report, expectations: Mapping[str, Expectation],
          today: date) -> Judgement:
    """Measure ``report`` against ``expectations`` on ``today``."""
    judgement = Judgement()
    rules = {rule["id"]: rule for rule in report["rules"]}
    for entry in expectations.values():
        rule = rules.get(entry.rule)
        if entry.expired(today):
            judgement.expired.append(entry)
        elif rule is not None and rule["outcome"] in standing.CHARGED:
            judgement.expected.append(entry)
        elif rule is not None and rule["outcome"] == "pass":
            judgement.stale.append(entry)
        elif rule is None and report["audit"]["selection"] is None:
            judgement.unknown.append(entry)
        else:
            judgement.unused.append(entry)
    accepted = {entry.rule for entry in judgement.expected}
    judgement.failing = [rule["id"] for rule in report["rules"]
                         if rule["outcome"] == "fail" and rule["id"] not in accepted]
    judgement.incomplete = report["verdict"] == "incomplete" or any(
        rule["outcome"] in ("not-judged", "error") and rule["level"] == "shall"
        for rule in report["rules"])
    return judgement


def dump(report: Report, reasons: Mapping[str, str] | None = None) -> str:
    """An expectations file accepting every failure and warning of ``report``.

    Each reason says it is to be filled (or keeps the one in ``reasons``, from
    an earlier file), so that no failure is accepted without a stated reason.
    """
    driver = report["driver"]
    name = f"{driver['distribution'] or report['target']['origin']} {driver['version'] or ''}"
    lines = [
        f"# Failures of {name.strip()} accepted for now: ivi-conform audit --expectations FILE,",
        "# or pytest --ivi-expectations=FILE. Give each its reason and, best, the date after",
        "# which it fails the run again: expires = YYYY-MM-DD.",
    ]
    charged: Sequence[RuleEntry] = [
        rule for rule in report["rules"] if rule["outcome"] in standing.CHARGED]
    for rule in charged:
        reason = (reasons or {}).get(rule["id"]) or f"TODO: why {rule['message']} is accepted"
        lines += ["", f"# {rule['outcome']}: {' '.join(str(rule['title']).split())}",
                  "[[expected]]", f"rule = {_toml_string(rule['id'])}",
                  f"reason = {_toml_string(reason)}"]
    return "\n".join(lines) + "\n"


def _toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, but for DEL, which TOML escapes)."""
    return json.dumps(" ".join(str(text).split()), ensure_ascii=False).replace("\x7f", "\\u007f")
