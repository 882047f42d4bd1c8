"""The house keeps its layers: faces -> engine -> checks and exercises -> facts.

Read from the syntax trees of ivi-conform's own modules, so a new import
that crosses a layer fails here, naming the module and the import. Imports
under ``if TYPE_CHECKING:`` count too: a type annotation that needs a higher
layer is a sign the code sits in the wrong place.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ivi_conform"

#: The faces: the command line, the pytest plugin and the reports they write.
FACES = ("ivi_conform.cli", "ivi_conform.plugin", "ivi_conform.pytest_audit",
         "ivi_conform.reports", "ivi_conform.fleet", "ivi_conform.__main__")


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[_module(path)] = {name for name in names if name.startswith("ivi_conform")}
    return found


IMPORTS = _imports()


def _under(name: str, *prefixes: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def _crossing(modules: list[str], forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    crossings = {module: sorted(name for name in IMPORTS[module] if _under(name, *forbidden))
                 for module in modules}
    return {module: names for module, names in crossings.items() if names}


def test_the_walk_sees_the_package() -> None:
    assert "ivi_conform.engine" in IMPORTS and "ivi_conform.checks.style" in IMPORTS


def test_the_engine_does_not_know_its_faces() -> None:
    assert _crossing(["ivi_conform.engine", "ivi_conform.context", "ivi_conform.needs"],
                     FACES) == {}


@pytest.mark.parametrize("layer", ["ivi_conform.checks", "ivi_conform.behaviour"])
def test_checks_and_exercises_do_not_reach_up(layer: str) -> None:
    modules = [module for module in IMPORTS if _under(module, layer)]
    assert _crossing(modules, (*FACES, "ivi_conform.engine")) == {}


def test_no_check_imports_another_check() -> None:
    checks = [module for module in IMPORTS if _under(module, "ivi_conform.checks")
              and module != "ivi_conform.checks"]
    others = {module: sorted(name for name in IMPORTS[module]
                             if _under(name, *checks) and not _under(name, module))
              for module in checks}
    assert {module: names for module, names in others.items() if names} == {}


def test_facts_do_not_reach_up() -> None:
    upper = (*FACES, "ivi_conform.engine", "ivi_conform.checks", "ivi_conform.behaviour")
    facts = [module for module in IMPORTS if not _under(module, *upper)
             and module not in {"ivi_conform.context"}]
    assert _crossing(facts, upper) == {}


def test_the_simulator_stands_alone() -> None:
    sim = [module for module in IMPORTS if _under(module, "ivi_conform.sim")]
    outside = {module: sorted(name for name in IMPORTS[module]
                              if not _under(name, "ivi_conform.sim"))
               for module in sim}
    assert {module: names for module, names in outside.items() if names} == {}


def test_the_child_side_agent_imports_nothing_of_ivi_conform() -> None:
    assert IMPORTS["ivi_conform.behaviour.agent"] == set()


#: The modules the child loads by their path beside the agent (standard library only).
CHILD_SIDE = ("agent", "wire", "confine", "explore")
#: What the child side may import beyond the standard library: hypothesis, for the exploration.
CHILD_THIRD_PARTY = {"explore": {"hypothesis"}}


@pytest.mark.parametrize("stem", CHILD_SIDE)
def test_the_child_side_imports_only_the_standard_library(stem: str) -> None:
    tree = ast.parse((PACKAGE / "behaviour" / f"{stem}.py").read_text(encoding="utf-8"))
    roots = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}
    roots |= {node.module.split(".")[0] for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.module and node.level == 0}
    foreign = roots - set(sys.stdlib_module_names) - {"__future__"}
    assert foreign <= CHILD_THIRD_PARTY.get(stem, set()), f"{stem}.py imports {sorted(foreign)}"


#: A tag of the wire format: ``"$bytes"``, ``"$obj"``...
_TAG = re.compile(r"^\$[a-z]+$")
#: Modules still spelling a tag themselves, with the tags (none: keep it so).
SPELLED_ELSEWHERE: dict[str, list[str]] = {}


def test_the_wire_format_is_spelled_in_one_module() -> None:
    """Neither side of the protocol (nor what builds requests) spells a tag of its own."""
    spelled: dict[str, list[str]] = {}
    for path in sorted((PACKAGE / "behaviour").rglob("*.py")):
        module = _module(path)
        if module == "ivi_conform.behaviour.wire":
            continue
        tags = sorted({node.value for node in ast.walk(ast.parse(path.read_text("utf-8")))
                       if isinstance(node, ast.Constant) and isinstance(node.value, str)
                       and _TAG.match(node.value)})
        if tags:
            spelled[module] = tags
    assert spelled == SPELLED_ELSEWHERE
