"""Bitness: the compliance document describes the driver's bitnesses and environments.

IVI-Python names no operating system or bitness; it asks the compliance
document to describe them "per the IVI Core specifications on driver
identification". What can be judged from the file is that the items doing
so are there and say something: Driver Bitness (in Driver Identification and
in each Test Setup) holds only the Core's values, and Supported Operating
Systems is filled in rather than left as a placeholder.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.compliance_doc import ComplianceDoc, DocItem, find_compliance_document
from ivi_conform.compliance_format import BITNESS_VALUES
from ivi_conform.model import Evidence, Finding

if TYPE_CHECKING:
    from ivi_conform.engine import AuditContext

_BITNESS = re.compile(r"^(32|64)[- ]?bits?$", re.IGNORECASE)
_BITNESS_SEPARATORS = re.compile(r"\s*(?:,|;|/|\band\b|&|\+)\s*", re.IGNORECASE)
#: Values that stand in for information not written yet.
PLACEHOLDER = re.compile(
    r"^(?:tbd|tba|tbc|todo|fixme|xxx+|n/?a|none|unknown|-+|\.{2,}|…|\?+|<[^>]*>|\[[^\]]*\]"
    r"|\{[^}]*\})$|\b(?:tbd|tba|todo|fixme)\b", re.IGNORECASE)


def bitness_problems(doc: ComplianceDoc, item: DocItem) -> list[Evidence]:
    """Where a Driver Bitness item holds something else than 32-bit and 64-bit."""
    values = [part for piece in (item.value, *item.entries)
              for part in _BITNESS_SEPARATORS.split(piece) if part.strip()]
    if not values:
        return [doc.evidence(item, "Driver Bitness is empty")]
    bad = [value for value in values if not _BITNESS.match(value.strip())]
    if bad:
        allowed = " and ".join(BITNESS_VALUES)
        return [doc.evidence(item, f"Driver Bitness {', '.join(bad)!s} is not {allowed}")]
    return []


def placeholder_problems(doc: ComplianceDoc, item: DocItem) -> list[Evidence]:
    """Where an item is empty or holds a placeholder (TBD, TODO, <...>, N/A)."""
    values = item.listed()
    if not values:
        return [doc.evidence(item, f'"{item.name}" is empty')]
    return [doc.evidence(item, f'"{item.name}" holds the placeholder {value!r}')
            for value in values if PLACEHOLDER.search(value.strip())]


@check("bitness-compliance-environment")
def compliance_environment(context: AuditContext) -> Finding:
    """Driver Bitness lists 32-bit/64-bit only; Supported Operating Systems is filled in."""
    found = find_compliance_document(context)
    if found is None:
        return Finding.skipped("no IVI compliance document in the package "
                               "(rule contents-compliance-document)")
    doc = found.doc
    problems: list[Evidence] = []
    identification = doc.section("Driver Identification")
    bitness = identification.item("Driver Bitness") if identification else None
    if bitness is None:
        problems.append(doc.evidence(identification, "no Driver Bitness in Driver Identification"))
    else:
        problems.extend(bitness_problems(doc, bitness))
    for setup in doc.test_setups:
        for item in setup.items_named("Driver Bitness"):
            problems.extend(bitness_problems(doc, item))
    prerequisites = doc.section("Software Prerequisites")
    systems = prerequisites.items_named("Supported Operating Systems") if prerequisites else ()
    if not systems:
        problems.append(doc.evidence(prerequisites, "no Supported Operating Systems"))
    for item in systems:
        problems.extend(placeholder_problems(doc, item))
    return Finding.judge(problems, ok=f"{found.where} gives the driver bitness and the "
                                      "supported operating systems",
                         bad="the compliance document does not describe the bitness and "
                             "environments ({n})")
