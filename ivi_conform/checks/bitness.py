"""Bitness: the compliance document describes the driver's bitnesses and environments.

IVI-Python names no operating system or bitness; it asks the compliance
document to describe them "per the IVI Core specifications on driver
identification". What can be judged from the file is that the items doing
so are there and say something: Driver Bitness (in Driver Identification and
in each Test Setup) lists the Core's values, and Supported Operating
Systems is filled in rather than left as a placeholder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.documents.compliance import ComplianceDoc, DocItem, find_compliance_document
from ivi_conform.documents.core_format import BITNESS_VALUES
from ivi_conform.model import Evidence, Finding

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext

#: A bitness the Core accepts (32-bit, 64-bit), however spelled ("64 bit", "64-Bit").
_BITNESS = re.compile(r"(?<![\w.])(32|64)[- ]?bits?\b", re.IGNORECASE)
#: A bitness the Core does not know (16-bit, 128-bit): only these are accused.
_OTHER_BITNESS = re.compile(r"(?<![\w.])(?!(?:32|64)(?!\d))\d+[- ]?bits?\b", re.IGNORECASE)
#: Values that stand in for information not written yet.
PLACEHOLDER = re.compile(
    r"^(?:tbd|tba|tbc|todo|fixme|xxx+|n/?a|none|unknown|-+|\.{2,}|…|\?+|<[^>]*>|\[[^\]]*\]"
    r"|\{[^}]*\})$|\b(?:tbd|tba|todo|fixme)\b", re.IGNORECASE)


def bitness_problems(doc: ComplianceDoc, item: DocItem) -> list[Evidence]:
    """Where a Driver Bitness item names no Core bitness, or one the Core does not know.

    The Core's item lists every bitness supported, from the valid values
    32-bit and 64-bit: any non-empty list of them passes, in any order and
    with any separator or descriptive text ("64-bit (pure Python, runs with
    the interpreter's bitness)"). An item naming neither ("x64", "any",
    "32/64", "TBD") or a bitness outside the two ("16-bit") fails.
    """
    text = item.text
    if not text.strip():
        return [doc.evidence(item, "Driver Bitness is empty")]
    allowed = " or ".join(BITNESS_VALUES)
    other = [match.group(0) for match in _OTHER_BITNESS.finditer(text)]
    if other:
        return [doc.evidence(item, f"Driver Bitness {text!r} names {', '.join(other)}, "
                                   f"not a Core bitness ({allowed})")]
    if not _BITNESS.search(text):
        return [doc.evidence(item, f"Driver Bitness {text!r} names no Core bitness ({allowed})")]
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
    """Driver Bitness lists the Core's bitnesses; Supported Operating Systems is filled in."""
    found = find_compliance_document(context)
    assert found is not None  # the rule's need (rules/*.toml)
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


# --------------------------------------------------------------------------- operating systems

#: Operating system names as the compliance documents write them, with the version after them.
_OS_NAME = re.compile(
    r"(?<![\w/-])(?:(?P<bitness>(?:32|64)[- ]?bits?)\s+)?(?P<name>"
    r"(?:Microsoft\s+)?Windows(?:\s+Server)?(?:\s+(?:\d+(?:\.\d+)?|XP|Vista|R2)\b)*"
    r"|mac\s?OS(?:\s+X)?(?:\s+\d+(?:\.\d+)*)?|OS\s+X(?:\s+\d+(?:\.\d+)*)?"
    r"|(?:Ubuntu|Debian(?:\s+GNU/Linux)?|Fedora|CentOS(?:\s+Stream)?"
    r"|Red\s+Hat\s+Enterprise\s+Linux|RHEL|Rocky\s+Linux|AlmaLinux"
    r"|openSUSE(?:\s+Leap|\s+Tumbleweed)?|SUSE\s+Linux\s+Enterprise(?:\s+Server)?|SLES"
    r"|Linux\s+Mint|Arch\s+Linux|Raspberry\s+Pi\s+OS|Raspbian|FreeBSD|Linux)"
    r"(?:\s+\d+(?:\.\d+)*(?:\s+LTS)?)?)(?![\w/-])", re.IGNORECASE)
#: Windows releases published in both 32-bit and 64-bit editions: the bitness goes first.
_BOTH_BITNESSES = re.compile(r"^(?:Microsoft\s+)?Windows\s+(?:XP|Vista|7|8(?:\.1)?|10)$",
                             re.IGNORECASE)
#: Windows releases and macOS versions that exist only as 64-bit.
_ONLY_64 = re.compile(r"^(?:(?:Microsoft\s+)?Windows\s+11|mac\s?OS\s+(?:1[1-9]|[2-9]\d)"
                      r"(?:\.\d+)*|mac\s?OS(?:\s+X)?\s+10\.15)$", re.IGNORECASE)
#: Words that make a mention generic ("any Linux distribution"), not a designation.
_GENERIC = re.compile(r"\b(?:any|all|every|most|other|e\.g\.|such\s+as|like)\s*$",
                      re.IGNORECASE)


@dataclass(frozen=True)
class OsMention:
    """An operating system named in a compliance item: bitness, name, version, where."""

    bitness: str
    name: str
    version: str
    item: DocItem


def _top_level(text: str) -> list[bool]:
    """For each character, whether it is outside parentheses and brackets."""
    depth = 0
    flags: list[bool] = []
    for char in text:
        if char in "([{":
            depth += 1
        flags.append(depth == 0)
        if char in ")]}":
            depth = max(0, depth - 1)
    return flags


def os_mentions(item: DocItem) -> list[OsMention]:
    """The operating systems an item designates, outside parentheses and generic phrases."""
    found: list[OsMention] = []
    for piece in (item.value, *item.entries):
        outside = _top_level(piece)
        for match in _OS_NAME.finditer(piece):
            if not outside[match.start()] or _GENERIC.search(piece[:match.start()]):
                continue
            rest = piece[match.end():].lstrip()
            version = rest[1:rest.find(")")] if rest.startswith("(") and ")" in rest else ""
            name = " ".join(match["name"].split())
            bitness = (match["bitness"] or "").lower().replace(" ", "-")
            found.append(OsMention(bitness, name, version.strip(), item))
    return found


def _os_items(doc: ComplianceDoc) -> list[DocItem]:
    """The items that name operating systems: supported, unit-tested, installed, rebuilt on."""
    items: list[DocItem] = []
    prerequisites = doc.section("Software Prerequisites")
    if prerequisites is not None:
        items.extend(prerequisites.items_named("Supported Operating Systems"))
    for setup in doc.test_setups:
        items.extend(setup.items_named("Operating System"))
    for name in ("Driver Installation Testing", "Driver Buildability"):
        section = doc.section(name)
        if section is not None:
            items.extend(section.items_named("Operating System"))
    return items


@check("bitness-os-naming")
def os_naming(context: AuditContext) -> Finding:
    """Each operating system: its name, the version in parentheses, the bitness first if needed."""
    found = find_compliance_document(context)
    assert found is not None  # the rule's need (rules/*.toml)
    doc = found.doc
    problems: list[Evidence] = []
    mentions = [mention for item in _os_items(doc) for mention in os_mentions(item)]
    for mention in mentions:
        shown = f"{mention.bitness} {mention.name}".strip()
        if not mention.version:
            problems.append(doc.evidence(mention.item, f'"{shown}" has no version in '
                                                       "parentheses, as in \"Windows 11 (24H2)\""))
        if not mention.bitness and _BOTH_BITNESSES.match(mention.name):
            problems.append(doc.evidence(mention.item, f'"{mention.name}" exists in 32-bit and '
                                                       "64-bit: the bitness precedes the name, "
                                                       f'as in "64-bit {mention.name} (22H2)"'))
    if not mentions:
        return Finding.skipped(f"{found.where} names no operating system ivi-conform knows "
                               "(the items are judged by bitness-compliance-environment)")
    return Finding.judge(problems, ok=f"{found.where} names its {len(mentions)} operating "
                                      "systems with their versions (and bitness) as the Core "
                                      "asks",
                         bad="{n} operating system designation(s) not in the Core's form")


def _bitness_of(mention: OsMention) -> str | None:
    if mention.bitness:
        return "32-bit" if mention.bitness.startswith("32") else "64-bit"
    if _ONLY_64.match(mention.name):
        return "64-bit"
    return None


@check("bitness-installation-testing")
def installation_testing(context: AuditContext) -> Finding:
    """Installation tested on two operating systems, 32-bit and 64-bit if both are claimed."""
    found = find_compliance_document(context)
    assert found is not None  # the rule's need (rules/*.toml)
    doc = found.doc
    section = doc.section("Driver Installation Testing")
    items = section.items_named("Operating System") if section is not None else ()
    if not items:
        return Finding.skipped("the compliance document has no Driver Installation Testing "
                               "Operating System (rule compliance-sections-items)")
    tested = [mention for item in items for mention in os_mentions(item)]
    listed = [part for item in items for part in item.listed()]
    prerequisites = doc.section("Software Prerequisites")
    supported_items = (prerequisites.items_named("Supported Operating Systems")
                       if prerequisites is not None else ())
    supported = [mention for item in supported_items for mention in os_mentions(item)]
    identification = doc.section("Driver Identification")
    bitness_item = identification.item("Driver Bitness") if identification else None
    claimed = {value.group(1) for value in _BITNESS.finditer(bitness_item.text)} if (
        bitness_item is not None) else set()
    problems: list[Evidence] = []
    systems = {(mention.bitness, mention.name.casefold()) for mention in tested}
    count = len(systems) if tested else len(listed)
    single = len({mention.name.casefold() for mention in supported}) == 1
    if count < 2 and not single:
        problems.append(doc.evidence(items[0], f"installation tested on {count} operating "
                                               "system(s); the Core asks for at least two "
                                               "unless only one is supported"))
    if claimed >= {"32", "64"}:
        bitnesses = {_bitness_of(mention) for mention in tested}
        for wanted in ("32-bit", "64-bit"):
            if wanted not in bitnesses:
                problems.append(doc.evidence(items[0], f"Driver Bitness claims 32-bit and "
                                                       f"64-bit, but no {wanted} operating "
                                                       "system is among those installation "
                                                       "tested"))
    return Finding.judge(problems, ok=f"installation tested on {count} operating systems"
                                      f"{' of both bitnesses' if claimed >= {'32', '64'} else ''}",
                         bad="the Driver Installation Testing falls short of the Core ({n})")
