"""What an output may claim about the audited driver, decided once for all of them.

The verdict in report.json is the engine's (every *shall* audited passes).
An output read on its own, a badge on a README, a line in a CI job summary,
must not say more than the audit established: a static audit did not run
the driver, and a ``--rule`` selection judged only part of the catalog, so
neither is ever shown as "conformant", whatever the verdict of the rules it
did judge. Every renderer asks this module, so that no two outputs disagree.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

from ivi_conform.reports.report_types import Evidence, Report, RuleEntry

#: The outcomes that charge the driver (one SARIF result, one failing test case each).
CHARGED = ("fail", "warn")
#: Suffixes of the files evidence names; anything else (``SkSunroof.motor.speed``) is an API path.
_FILE_SUFFIXES = frozenset({
    ".py", ".pyi", ".md", ".rst", ".txt", ".toml", ".cfg", ".ini", ".json", ".yaml", ".yml",
    ".typed", ".whl", ".gz", ".zip", ".html", ".in",
})
#: Files without a suffix that evidence names (the wheel's metadata, the license).
_FILE_NAMES = frozenset({"LICENSE", "LICENCE", "COPYING", "NOTICE", "METADATA", "RECORD",
                         "WHEEL", "PKG-INFO", "README", "AUTHORS"})


def partial_reason(report: Report) -> str | None:
    """Why the audit cannot stand for the whole driver, or None when it can."""
    audit = report["audit"]
    if audit["static_only"]:
        return "static audit: the driver was not run"
    if audit["selection"] is not None:
        return f"partial audit: only {len(report['rules'])} selected rules were judged"
    return None


def claim(report: Report) -> str:
    """The verdict an output shows: the report's, but never "conformant" for a partial audit."""
    verdict = str(report["verdict"])
    if verdict == "conformant" and partial_reason(report) is not None:
        return "incomplete"
    return verdict


def failing(report: Report) -> int:
    """How many rules failed (only a *shall* can fail; an unmet *should* is a warning)."""
    return sum(1 for rule in report["rules"] if rule["outcome"] == "fail")


def headline(report: Report) -> str:
    """The verdict in two words: ``conformant``, ``3 failing`` or ``incomplete``."""
    shown = claim(report)
    if shown == "non-conformant":
        return f"{failing(report)} failing"
    return shown


def by_section(rules: Iterable[RuleEntry]) -> dict[str, list[RuleEntry]]:
    """The rules grouped by spec section, sections in the order the report gives them."""
    sections: dict[str, list[RuleEntry]] = {}
    for rule in rules:
        sections.setdefault(str(rule["section"]), []).append(rule)
    return sections


@functools.lru_cache(maxsize=65536)  # asked once per piece of evidence; files repeat
def is_file(name: str) -> bool:
    """Whether evidence names a file (``pkg/driver.py``) rather than an API path or a call."""
    if not name or any(char in name for char in "[]() '\""):
        return False
    path = PurePosixPath(name)
    return "/" in name or path.suffix.lower() in _FILE_SUFFIXES or path.name in _FILE_NAMES


def evidence_text(evidence: Evidence) -> str:
    """One piece of evidence as the console and compliance.md write it: ``file:line: detail``."""
    where = str(evidence["file"])
    if evidence.get("line") is not None:
        where += f":{evidence['line']}"
    detail = str(evidence.get("detail") or "")
    return f"{where}: {detail}" if detail else where


def attention(rules: Sequence[RuleEntry], outcome: str) -> list[RuleEntry]:
    """The rules that ended in ``outcome``, in report order."""
    return [rule for rule in rules if rule["outcome"] == outcome]


#: A character XML 1.0 forbids: not Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] |
#: [#xE000-#xFFFD] | [#x10000-#x10FFFF] (control characters, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: object) -> str:
    """``text`` without the characters XML 1.0 forbids (a driver's I/O can hold any byte):
    each becomes U+FFFD, so that junit.xml and report.html always parse.

    One regular expression over the text: a generated driver's report has
    ninety thousand pieces of evidence, which a character-by-character
    generator took seconds to clean.
    """
    return _NOT_XML.sub("\ufffd", str(text))
