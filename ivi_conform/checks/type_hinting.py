"""IVI-Python Package Type-Hinting: py.typed, complete hints, hints that hold together."""

from __future__ import annotations

import ast
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.judges.mypy import RULE_ID as MYPY_RULE
from ivi_conform.judges.mypy import file_suppressions, mypy_of, split_errors
from ivi_conform.model import Evidence, Finding
from ivi_conform.static.source import Module, SourceIndex, facts_kind, import_base, statements
from ivi_conform.static.typing_completeness import measure

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext


@check("typing-py-typed")
def py_typed(context: AuditContext) -> Finding:
    """``<package>/py.typed`` is in the wheel and empty (white space aside; not ``partial``)."""
    package = context.driver.package
    if package is None:
        return Finding.failed("the wheel holds no import package, so no py.typed at its top")
    wanted = f"{package}/py.typed"
    dist = context.dist
    if wanted not in dist.files:
        elsewhere = sorted(path for path in dist.files if PurePosixPath(path).name == "py.typed")
        if elsewhere:
            return Finding.failed(
                f"py.typed is not at the top of {package}/, but at {', '.join(elsewhere)}",
                tuple(Evidence(dist.where(path), None, "not the package's top level")
                      for path in elsewhere))
        if dist.source_root is not None and any(
            (dist.source_root / prefix / package / "py.typed").is_file() for prefix in ("", "src")
        ):
            return Finding.failed(
                f"{wanted} is in the source tree but the build leaves it out of the wheel",
                (Evidence(dist.where(wanted), None, "include it in the build's package data"),))
        return Finding.failed(f"the wheel has no {wanted}")
    text = dist.files[wanted].decode("utf-8", errors="replace")
    where = dist.where(wanted)
    if text.strip() == "":
        return Finding.passed(f"{wanted} ships in the wheel, empty")
    if text.strip() == "partial":
        return Finding.failed(
            f"{wanted} says 'partial' (PEP 561: a partial stub package), not complete hints",
            (Evidence(where, 1, "must be empty"),))
    first = text.strip().splitlines()[0][:60]
    return Finding.failed(f"{wanted} is not empty", (Evidence(where, 1, f"holds {first!r}"),))


@check("typing-complete")
def complete_hints(context: AuditContext) -> Finding:
    """Every public function, method, property and variable of the package is annotated.

    Measured from the syntax trees, so no comment switches it off; a module's
    file-wide suppression (``# type: ignore``, ``# mypy: ignore-errors``,
    ``# pyright: basic``) is named beside its gaps.
    """
    package = context.driver.package
    if package is None:
        return Finding.failed("the wheel holds no import package whose hints could be measured")
    broken = [error for error in context.source.parse_errors
              if error.file.startswith(package + "/")]
    if broken:
        return Finding.failed(f"{len(broken)} modules of {package} are not valid Python, so "
                              "their hints cannot be read", tuple(broken))
    result = measure(context.source, package, context.dist.files)
    gaps = [gap.evidence() for gap in result.gaps]
    if not gaps:
        return Finding.passed(f"{result.summary()} ({result.modules} modules of {package})")
    # A file-wide suppression exempts nothing: it is shown beside the gaps it would hide.
    files = {gap.file for gap in gaps}
    suppressions = [where for path in sorted(files) if path in context.dist.files
                    for where in file_suppressions(
                        path, context.dist.files[path].decode("utf-8", errors="replace"))]
    hiding = (f", {len(suppressions)} file-wide suppression(s) in their modules exempt "
              "nothing" if suppressions else "")
    return Finding.failed(f"{result.summary()}: {len(gaps)} symbol(s) lack hints{hiding}",
                          (*suppressions, *gaps))


def package_imports(index: SourceIndex, package: str) -> dict[str, set[str]]:
    """Each module of the package → the package's own modules it imports (anywhere in it).

    What a module imports is a function of its path and bytes: one of its
    facts (:meth:`SourceIndex.module_facts`), so a re-audit walks only the
    modules that changed.
    """
    graph: dict[str, set[str]] = {}
    for module in index.modules_of(package):
        names = index.module_facts("imports", module)
        assert isinstance(names, list)
        graph[module.name] = {name for name in names
                              if name in index.modules and name != module.name}
    return graph


@facts_kind("imports")
def _imported(module: Module) -> list[str]:
    """Every module an import statement of ``module`` runs (``a.b.c`` runs a and a.b too)."""
    found: set[str] = set()
    for node in statements(module.tree):  # an import is a statement: no expression walked
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = import_base(module, node.level, node.module)
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        for name in names:
            pieces = name.split(".")
            found.update(".".join(pieces[:size]) for size in range(1, len(pieces) + 1))
    return sorted(found)


@check(MYPY_RULE)
def consistent_hints(context: AuditContext) -> Finding:
    """mypy, with our configuration, finds no error in the package (a crash is an error).

    File-wide suppressions are switched off for the run, and shown beside the
    errors they would have hidden. Errors in modules that depend on an import
    mypy cannot read (a dependency not installed beside ivi-conform, or one
    without hints) are not counted: the message names them.
    """
    package = context.driver.package
    if package is None:
        return Finding.skipped("the wheel holds no import package to type-check")
    imports = package_imports(context.source, package)  # while mypy runs
    run = mypy_of(context)
    timing = f"{run.seconds:.1f} s of mypy"
    if run.problem:
        return Finding.errored(f"{run.problem} ({timing})")
    verdict = split_errors(run, imports)
    notes: list[str] = []
    if verdict.missing:
        shown = ", ".join(verdict.missing[:8]) + (" ..." if len(verdict.missing) > 8 else "")
        notes.append(f"imports mypy cannot read (not installed beside ivi-conform, or without "
                     f"hints) taken as Any: {shown}")
        if verdict.unjudged:
            notes.append(f"{len(verdict.unjudged)} error(s) in the {len(verdict.tainted)} "
                         "module(s) depending on them not counted")
    hidden = {error.file for error in verdict.counted}
    suppressions = [where for where in run.suppressions if where.file in hidden]
    if run.suppressions:
        notes.append(f"{len(run.suppressions)} file-wide suppression(s) switched off")
    note = f"; {'; '.join(notes)}" if notes else ""
    if not verdict.counted:
        return Finding.passed(f"mypy finds the hints of {run.files} files consistent "
                              f"({timing}){note}")
    hiding = (f", {len(suppressions)} of them behind a file-wide suppression"
              if suppressions else "")
    return Finding.failed(
        f"mypy reports {len(verdict.counted)} error(s) in the hints of {package}{hiding} "
        f"({timing}){note}",
        (*suppressions, *verdict.counted),
    )
