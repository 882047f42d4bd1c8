"""IVI-Python Utility Interface: ``ivi_utility``, the IviUtility class, ErrorQueryResult.

The spec says the utility class "inherits from IviUtility", but IVI
publishes no package holding that ABC and its Types file calls using it
optional (RsInstrument's utility class does not inherit it). A class that
inherits a class named ``IviUtility`` passes; one that does not passes too
when it matches the ABC member for member, and the message says so.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ivi_conform.api_shape import (
    ERROR_QUERY_RESULT,
    IVI_UTILITY,
    all_members,
    derives_from,
    descriptor_value,
    implementation,
    in_package,
    member_problems,
    property_like,
    settable,
    type_name,
    union_members,
)
from ivi_conform.checks import check
from ivi_conform.model import Evidence, Finding
from ivi_conform.source import ClassInfo, MemberKind

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext

#: Members judged by the "Additional Driver API" rules, not twice here.
ADDITIONAL = frozenset({"error_query_all", "raise_on_device_error"})


def utility_class(context: AuditContext) -> tuple[ClassInfo | None, str]:
    """The driver's utility class and how it was found (the ``ivi_utility`` property first)."""
    return implementation(context.source, context.driver, "IviUtility", context.driver.utility)


@check("utility-reference")
def reference(context: AuditContext) -> Finding:
    """The root class has a property named ``ivi_utility``."""
    root = context.driver.root
    if root is None:
        return Finding.skipped("no root class was found (the Driver Classes rules judge that)")
    found = all_members(context.source, root).get("ivi_utility")
    if found is not None:
        owner, member = found
        where = Evidence(owner.module.path, member.line, "")
        if not property_like(member) and descriptor_value(context.source, owner, member) is None:
            return Finding.failed(f"{root.name}.ivi_utility is a {member.kind.value}, not a "
                                  "property", (Evidence(where.file, where.line, "make it a "
                                                        "@property"),))
        returned = context.driver.utility
        target = f", returning {returned.name}" if returned else ""
        return Finding.passed(f"{root.name}.ivi_utility is a reference property{target}")
    elsewhere = [info for info in context.source.classes
                 if in_package(info, context.driver.package) and "ivi_utility" in info.members]
    evidence = [root.evidence(f"{root.name} has no ivi_utility")]
    evidence += [info.evidence(f"{info.name} has ivi_utility, but it is not the root class")
                 for info in elsewhere]
    return Finding.failed(f"the root class {root.name} has no ivi_utility property",
                          tuple(evidence))


@check("utility-class")
def utility_members(context: AuditContext) -> Finding:
    """The utility class implements every IviUtility member with its kind and types."""
    info, how = utility_class(context)
    if info is None:
        return Finding.failed("no utility class: ivi_utility returns no class of the "
                              "distribution and no class of the package derives from IviUtility")
    problems: list[Evidence] = []
    for expected in IVI_UTILITY:
        if expected.name not in ADDITIONAL:
            problems += member_problems(context.source, info, expected)
    inherits = derives_from(context.source, info, "IviUtility")
    relation = ("inherits IviUtility" if inherits else
                "does not inherit IviUtility but matches it member for member (accepted: the "
                "spec's Types file makes inheriting the ABC optional)")
    notes = ""
    simulation = all_members(context.source, info).get("simulation_enabled")
    if simulation is not None and settable(simulation[1]):
        notes = "; simulation_enabled is settable (the behavioural rules judge the switch)"
    if problems:
        relation = "inherits IviUtility" if inherits else "does not inherit IviUtility"
    return Finding.judge(
        problems,
        ok=f"{info.name} ({how}) {relation}{notes}",
        bad=f"{info.name} ({how}) {relation}, and {{n}} member(s) differ from the ABC",
    )


def error_result_class(context: AuditContext) -> tuple[ClassInfo | None, str]:
    """``ErrorQueryResult``: what ``error_query`` returns, else the class of that name.

    The second value is the module it is imported from when it lies outside
    the distribution (then it cannot be judged).
    """
    index = context.source
    utility, _ = utility_class(context)
    if utility is not None:
        found = all_members(index, utility).get("error_query")
        if found is not None and found[1].function is not None:
            owner, member = found
            function = member.function
            assert function is not None
            for alternative in union_members(function.returns, index, owner.module):
                name = type_name(alternative)
                if name == "None":
                    continue
                resolved = index.resolve(name, owner.module)
                if resolved is not None:
                    return resolved, ""
                origin = index.imported_name(name, owner.module)
                if origin is not None and origin[0] not in index.modules:
                    return None, origin[0]
    named = [info for info in index.classes_named("ErrorQueryResult")
             if in_package(info, context.driver.package)]
    return (named[0] if named else None), ""


@check("utility-error-query-result")
def error_query_result(context: AuditContext) -> Finding:
    """ErrorQueryResult has read-only ``code: int`` and ``message: str`` properties."""
    info, outside = error_result_class(context)
    if outside:
        return Finding.skipped(f"ErrorQueryResult comes from {outside}, outside the distribution")
    if info is None:
        return Finding.failed("no ErrorQueryResult class: error_query returns no class of the "
                              "distribution and the package defines none")
    index = context.source
    problems: list[Evidence] = []
    frozen = _frozen_record(info)
    for expected in ERROR_QUERY_RESULT:
        found = member_problems(index, info, expected)
        problems += found
        member = all_members(index, info).get(expected.name)
        if not found and member is not None:
            owner, item = member
            writable = (item.settable if property_like(item)
                        else item.kind is MemberKind.ATTRIBUTE and not frozen)
            if writable:
                problems.append(Evidence(owner.module.path, item.line,
                                         f"{info.name}.{expected.name} can be set; the spec's "
                                         "property is read-only"))
    return Finding.judge(
        problems, ok=f"{info.name} has read-only code: int and message: str",
        bad=f"{info.name} differs from the spec's ErrorQueryResult in {{n}} way(s)")


def _frozen_record(info: ClassInfo) -> bool:
    """A NamedTuple or a frozen dataclass: its fields cannot be set."""
    if "NamedTuple" in info.base_names:
        return True
    for decorator in info.node.decorator_list:
        if isinstance(decorator, ast.Call) and type_name(decorator.func) in ("dataclass", "define",
                                                                             "attrs", "s"):
            for keyword in decorator.keywords:
                if keyword.arg == "frozen" and isinstance(keyword.value, ast.Constant):
                    return keyword.value.value is True
        elif type_name(decorator) == "frozen":
            return True
    return False
