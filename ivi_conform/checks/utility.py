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

from ivi_conform.checks import check
from ivi_conform.model import Evidence, Finding
from ivi_conform.static.api_shape import (
    ERROR_QUERY_RESULT,
    IVI_UTILITY,
    all_members,
    derives_from,
    in_package,
    member_problems,
    property_like,
    reference_like,
    settable,
    type_name,
)
from ivi_conform.static.ivi_classes import error_result_class, utility_class
from ivi_conform.static.source import ClassInfo, MemberKind

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext

#: Members judged by the "Additional Driver API" rules, not twice here.
ADDITIONAL = frozenset({"error_query_all", "raise_on_device_error"})


@check("utility-reference")
def reference(context: AuditContext) -> Finding:
    """The root class has a property named ``ivi_utility``."""
    root = context.driver.root
    assert root is not None  # the rule's need (rules/*.toml)
    found = all_members(context.source, root).get("ivi_utility")
    if found is not None:
        owner, member = found
        where = Evidence(owner.module.path, member.line, "")
        if not reference_like(context.source, owner, member):
            return Finding.failed(f"{root.name}.ivi_utility is a {member.kind.value}, not a "
                                  "property", (Evidence(where.file, where.line, "make it a "
                                                        "@property"),))
        returned = context.driver.utility
        target = f", returning {returned.name}" if returned else ""
        kind = ("an instance attribute the constructor sets (the Core's properties include "
                "attributes)" if member.scope is not None else "a reference property")
        return Finding.passed(f"{root.name}.ivi_utility is {kind}{target}")
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
    if info is None:  # the need "utility-reference" holds: ivi_utility is there
        return Finding.failed("no utility class: ivi_utility gives no class of the "
                              "distribution and no class of the package derives from IviUtility")
    problems: list[Evidence] = []
    for expected in IVI_UTILITY:
        if expected.name not in ADDITIONAL:
            problems += member_problems(context.source, info, expected)
    inherits = derives_from(context.source, info, "IviUtility")
    own = " (the driver's own class of that name)" if info.name == "IviUtility" else ""
    relation = ("inherits IviUtility" if inherits else
                f"does not inherit the IviUtility ABC{own} but matches it member for member "
                "(accepted: the spec's Types file makes inheriting the ABC optional)")
    notes = ""
    simulation = all_members(context.source, info).get("simulation_enabled")
    if simulation is not None and settable(simulation[1]):
        notes = "; simulation_enabled is settable (the behavioural rules judge the switch)"
    if problems:
        relation = ("inherits IviUtility" if inherits
                    else f"does not inherit the IviUtility ABC{own}")
    return Finding.judge(
        problems,
        ok=f"{info.name} ({how}) {relation}{notes}",
        bad=f"{info.name} ({how}) {relation}, and {{n}} member(s) differ from the ABC",
    )


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
