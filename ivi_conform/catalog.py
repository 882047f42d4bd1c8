"""The rule catalog: the rules ivi-conform enforces, loaded from data.

Each file in ``rules/`` holds, as ``[[rule]]`` tables, the rules of the spec
section whose stem it is named after (:data:`SECTION_STEMS`). The catalog is
data so that a reviewer can read what is enforced, and the sentence it traces
to, without reading code.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ivi_conform.model import Judged, Level
from ivi_conform.needs import NEEDS

#: Headings of the IVI-Python specification v1.0, exactly as the spec writes them, in its
#: order, each with its stem: the home of its rules, ``rules/<stem>.toml``, and of their
#: judges, ``checks/<stem>.py`` and ``behaviour/exercises/<stem>.py`` (hyphens become
#: underscores), so that a heading leads to all three. A stem is one heading's, except
#: where one judge reads several: "Style Guide" and "IVI-Python Naming" share ``style``
#: (one ruff run, its codes split between the two rules); "Repeated Capabilities" and the
#: two subsections the spec nests under it share ``repeated-capabilities`` (one reading
#: of the collections). ``tests/test_house.py`` holds the files to this table.
SECTION_STEMS: dict[str, str] = {
    "Driver Identifier and Driver Class Name": "identifier",
    "IVI-Python Driver Architecture": "architecture",
    "Style Guide": "style",
    "Bitness": "bitness",
    "Target Python Versions": "python-versions",
    "IVI-Python Naming": "style",
    "IVI-Python Packages": "packages",
    "IVI-Python Package Versioning": "versioning",
    "IVI-Python Distribution Package Naming": "distribution-naming",
    "IVI-Python Package Type-Hinting": "type-hinting",
    "IVI-Python Driver Classes": "driver-classes",
    "IVI-Python Hierarchy": "hierarchy",
    "Repeated Capabilities": "repeated-capabilities",
    "Collection Style Repeated Capabilities and the Hierarchy": "repeated-capabilities",
    "Repeated Capability Reference Property Naming": "repeated-capabilities",
    "IVI-Python Error Handling": "error-handling",
    "Documentation and Source Code": "documentation",
    "Base IVI-Python API": "base-api",
    "Required Driver API Mapping Table": "api-mapping",
    "Additional Driver API": "additional-api",
    "Constructor": "constructor",
    "IVI-Python Utility Interface": "utility",
    "Direct IO Properties and Methods": "direct-io",
    "Package Requirements": "package-requirements",
    "Package Metadata": "metadata",
    "Package Contents": "package-contents",
    "IVI-Python Driver Conformance": "conformance",
    "Driver Registration": "registration",
}
#: The headings alone, in the spec's order.
SPEC_SECTIONS: tuple[str, ...] = tuple(SECTION_STEMS)

SPEC_NAME = "IVI Driver Python Specification"
SPEC_VERSION = "1.0"

_RULE_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$")


class CatalogError(Exception):
    """The catalog data is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Rule:
    """One catalog entry: what is enforced and where the spec says so."""

    id: str
    title: str
    section: str
    level: Level
    sentence: str
    judged: Judged
    source: str = "IVI-Python 1.0"
    decision: str = ""
    #: What the rule needs before it can be judged (see :mod:`ivi_conform.needs`).
    needs: tuple[str, ...] = ()

    def to_json(self) -> dict[str, str]:
        """The entry as ``ivi-conform rules --format json`` prints it."""
        data = {
            "id": self.id,
            "title": self.title,
            "section": self.section,
            "level": self.level.value,
            "judged": self.judged.value,
            "source": self.source,
            "sentence": self.sentence,
        }
        if self.decision:
            data["decision"] = self.decision
        return data


def catalog_dir() -> Path:
    """Where the catalog files are: ``ivi_conform/rules``, shipped inside the package."""
    return Path(str(resources.files("ivi_conform"))) / "rules"


def _parse_rule(raw: dict[str, object], where: str) -> Rule:
    required = ("id", "title", "section", "level", "sentence", "judged")
    missing = [key for key in required if not isinstance(raw.get(key), str)]
    if missing:
        raise CatalogError(f"{where}: entry lacks {', '.join(missing)}")
    rule_id = str(raw["id"])
    if not _RULE_ID.match(rule_id):
        raise CatalogError(f"{where}: rule id {rule_id!r} is not kebab-case")
    section = str(raw["section"])
    if section not in SPEC_SECTIONS:
        raise CatalogError(f"{where}: {rule_id}: {section!r} is not a heading of the spec")
    try:
        level = Level(str(raw["level"]))
        judged = Judged(str(raw["judged"]))
    except ValueError as exc:
        raise CatalogError(f"{where}: {rule_id}: {exc}") from None
    needs = raw.get("needs", ["root-class"] if judged is Judged.RUNTIME else [])
    if not isinstance(needs, list) or not all(isinstance(need, str) for need in needs):
        raise CatalogError(f"{where}: {rule_id}: needs must be a list of strings")
    unknown = [need for need in needs if need not in NEEDS]
    if unknown:
        raise CatalogError(f"{where}: {rule_id}: unknown need(s) {', '.join(unknown)}")
    return Rule(
        id=rule_id,
        title=str(raw["title"]),
        section=section,
        level=level,
        sentence=" ".join(str(raw["sentence"]).split()),
        judged=judged,
        source=str(raw.get("source", "IVI-Python 1.0")),
        decision=" ".join(str(raw.get("decision", "")).split()),
        needs=tuple(needs),
    )


@functools.cache
def load_catalog(directory: Path | None = None) -> tuple[Rule, ...]:
    """All rules, in spec order (by section, then as written in their file)."""
    folder = directory or catalog_dir()
    rules: list[Rule] = []
    seen: set[str] = set()
    for path in sorted(folder.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise CatalogError(f"{path}: {exc}") from None
        entries = data.get("rule", [])
        if not isinstance(entries, list):
            raise CatalogError(f"{path}: 'rule' must be an array of tables")
        for index, raw in enumerate(entries):
            rule = _parse_rule(raw, f"{path.name}[{index}]")
            if rule.id in seen:
                raise CatalogError(f"{path.name}: rule id {rule.id!r} is used twice")
            seen.add(rule.id)
            rules.append(rule)
    rules.sort(key=lambda rule: SPEC_SECTIONS.index(rule.section))
    return tuple(rules)
