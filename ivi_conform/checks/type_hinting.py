"""IVI-Python Package Type-Hinting: py.typed, complete hints, hints that hold together."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.model import Evidence, Finding
from ivi_conform.mypy_run import RULE_ID as MYPY_RULE
from ivi_conform.mypy_run import mypy_of
from ivi_conform.typing_completeness import measure

if TYPE_CHECKING:
    from ivi_conform.engine import AuditContext


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
    """Every public function, method, property and variable of the package is annotated."""
    package = context.driver.package
    if package is None:
        return Finding.failed("the wheel holds no import package whose hints could be measured")
    broken = [error for error in context.source.parse_errors
              if error.file.startswith(package + "/")]
    if broken:
        return Finding.failed(f"{len(broken)} modules of {package} are not valid Python, so "
                              "their hints cannot be read", tuple(broken))
    result = measure(context.source, package, context.dist.files)
    return Finding.judge(
        [gap.evidence() for gap in result.gaps],
        ok=f"{result.summary()} ({result.modules} modules of {package})",
        bad=f"{result.summary()}: {{n}} symbol(s) lack hints",
    )


@check(MYPY_RULE)
def consistent_hints(context: AuditContext) -> Finding:
    """mypy, with our configuration, finds no error in the package (a crash is an error)."""
    package = context.driver.package
    if package is None:
        return Finding.skipped("the wheel holds no import package to type-check")
    run = mypy_of(context, package)
    timing = f"{run.seconds:.1f} s of mypy"
    if run.problem:
        return Finding.errored(f"{run.problem} ({timing})")
    return Finding.judge(
        list(run.errors),
        ok=f"mypy finds the hints of {run.files} files consistent ({timing})",
        bad=f"mypy reports {{n}} error(s) in the hints of {package} ({timing})",
    )
