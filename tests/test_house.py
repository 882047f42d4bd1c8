"""The house: each spec section has one stem, and every rule's parts live under it.

A rule is found from its section's stem (``catalog.SECTION_STEMS``): its
catalog entry in ``rules/<stem>.toml``, its static check in
``checks/<stem>.py`` or its runtime exercise in
``behaviour/exercises/<stem>.py`` (hyphens as underscores), and its broken
fixture in ``fixtures/broken/<id>.toml`` (manual rules have none: nothing
judges them). :func:`misplaced` lists every departure; the tests run it on the
house itself and on small made-up layouts, to show that it sees each kind.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from ivi_conform.behaviour.exercises import registry as exercises
from ivi_conform.catalog import SECTION_STEMS, SPEC_SECTIONS, catalog_dir
from ivi_conform.checks import registry as checks

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ivi_conform"


@dataclass(frozen=True)
class Entry:
    """One ``[[rule]]`` table as filed: the stem of the file that holds it, and what it says."""

    file: str
    id: str
    section: str
    judged: str


@dataclass(frozen=True)
class Layout:
    """Where a house keeps its rules' parts."""

    entries: list[Entry]
    #: The module (last dotted part) of each static rule's check, by rule id.
    checks: dict[str, str]
    #: The module (last dotted part) of each runtime rule's exercise, by rule id.
    exercises: dict[str, str]
    #: The modules of ``checks/`` and ``behaviour/exercises/`` (``__init__`` aside).
    modules: dict[str, list[str]]
    fixtures: set[str]


def module_of(stem: str) -> str:
    """The module name of a stem: ``error-handling`` -> ``error_handling``."""
    return stem.replace("-", "_")


def misplaced(layout: Layout, stems: dict[str, str]) -> list[str]:
    """Every rule part that is not where its section's stem says, and every stray file."""
    problems: list[str] = []
    homes = set(stems.values())
    for file in sorted({entry.file for entry in layout.entries} - homes):
        problems.append(f"rules/{file}.toml is the stem of no spec section")
    for entry in layout.entries:
        stem = stems.get(entry.section)
        if stem is None:
            problems.append(f"{entry.id}: {entry.section!r} has no stem")
            continue
        if entry.file != stem:
            problems.append(f"{entry.id}: in rules/{entry.file}.toml, not rules/{stem}.toml")
        judges = {"static": ("checks", layout.checks),
                  "runtime": ("behaviour/exercises", layout.exercises)}
        if entry.judged in judges:
            folder, found = judges[entry.judged]
            module, home = found.get(entry.id), f"{folder}/{module_of(stem)}.py"
            if module is None:
                problems.append(f"{entry.id}: judged nowhere (its home is {home})")
            elif module != module_of(stem):
                problems.append(f"{entry.id}: judged in {folder}/{module}.py, not {home}")
            if entry.id not in layout.fixtures:
                problems.append(f"{entry.id}: no fixtures/broken/{entry.id}.toml")
    for folder, modules in layout.modules.items():
        for module in modules:
            if not module.startswith("_") and module not in {module_of(s) for s in homes}:
                problems.append(f"{folder}/{module}.py is the stem of no spec section (a "
                                "module of shared helpers is named _<something>.py)")
    return problems


def _entries(folder: Path) -> list[Entry]:
    found: list[Entry] = []
    for path in sorted(folder.glob("*.toml")):
        for raw in tomllib.loads(path.read_text(encoding="utf-8")).get("rule", []):
            found.append(Entry(path.stem, raw["id"], raw["section"], raw["judged"]))
    return found


def _modules(folder: Path) -> list[str]:
    return sorted(path.stem for path in folder.glob("*.py") if path.stem != "__init__")


def the_house() -> Layout:
    """ivi-conform's own layout."""
    return Layout(
        entries=_entries(catalog_dir()),
        checks={rule: f.__module__.rsplit(".", 1)[-1] for rule, f in checks().items()},
        exercises={rule: f.__module__.rsplit(".", 1)[-1] for rule, f in exercises().items()},
        modules={"checks": _modules(PACKAGE / "checks"),
                 "behaviour/exercises": _modules(PACKAGE / "behaviour" / "exercises")},
        fixtures={path.stem for path in (ROOT / "fixtures" / "broken").glob("*.toml")},
    )


def test_every_spec_heading_has_a_stem() -> None:
    assert set(SECTION_STEMS) == set(SPEC_SECTIONS)
    assert all(stem == stem.lower() and " " not in stem for stem in SECTION_STEMS.values())


def test_the_house_keeps_every_rule_under_its_stem() -> None:
    house = the_house()
    assert house.entries and house.checks and house.exercises
    assert misplaced(house, SECTION_STEMS) == []


def test_no_catalog_file_groups_rules_by_concern() -> None:
    assert sorted(catalog_dir().glob("behaviour-*.toml")) == []


#: A made-up house, all in place: two rules of "Constructor" (one static, one runtime) and a
#: manual one (it needs no fixture).
TIDY = Layout(
    entries=[Entry("constructor", "ctor-x", "Constructor", "static"),
             Entry("constructor", "run-ctor-x", "Constructor", "runtime"),
             Entry("conformance", "conf-x", "IVI-Python Driver Conformance", "manual")],
    checks={"ctor-x": "constructor"},
    exercises={"run-ctor-x": "constructor"},
    modules={"checks": ["constructor"], "behaviour/exercises": ["_common", "constructor"]},
    fixtures={"ctor-x", "run-ctor-x"},
)


def test_a_tidy_house_passes() -> None:
    assert misplaced(TIDY, SECTION_STEMS) == []


@pytest.mark.parametrize(("layout", "expected"), [
    (dataclasses.replace(TIDY, entries=[
        Entry("behaviour-constructor", "run-ctor-x", "Constructor", "runtime")]),
     ["rules/behaviour-constructor.toml is the stem of no spec section",
      "run-ctor-x: in rules/behaviour-constructor.toml, not rules/constructor.toml"]),
    (dataclasses.replace(TIDY, entries=[Entry("utility", "run-ctor-x", "Constructor", "runtime")]),
     ["run-ctor-x: in rules/utility.toml, not rules/constructor.toml"]),
    (dataclasses.replace(TIDY, checks={"ctor-x": "style"}),
     ["ctor-x: judged in checks/style.py, not checks/constructor.py"]),
    (dataclasses.replace(TIDY, exercises={"run-ctor-x": "faults"}),
     ["run-ctor-x: judged in behaviour/exercises/faults.py, not "
      "behaviour/exercises/constructor.py"]),
    (dataclasses.replace(TIDY, exercises={}),
     ["run-ctor-x: judged nowhere (its home is behaviour/exercises/constructor.py)"]),
    (dataclasses.replace(TIDY, fixtures={"ctor-x"}),
     ["run-ctor-x: no fixtures/broken/run-ctor-x.toml"]),
    (dataclasses.replace(TIDY, modules={"behaviour/exercises": ["constructor", "faults"]}),
     ["behaviour/exercises/faults.py is the stem of no spec section (a module of shared "
      "helpers is named _<something>.py)"]),
], ids=["grouped-by-concern", "wrong-stem", "check-elsewhere", "exercise-elsewhere",
        "no-exercise", "no-fixture", "stray-module"])
def test_a_misplaced_part_is_named(layout: Layout, expected: list[str]) -> None:
    assert misplaced(layout, SECTION_STEMS) == expected
