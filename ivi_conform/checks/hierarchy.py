"""IVI-Python Hierarchy: reference properties from the root, named after their classes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.model import Evidence, Finding
from ivi_conform.static.api_shape import (
    IVI_DIRECT_IO,
    IVI_UTILITY,
    Reference,
    all_members,
    hierarchy_of,
    property_like,
    returns,
    same_words,
    snake_case,
)

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext

#: The IVI interfaces' reference properties, not counted as the instrument API's children.
IVI_REFERENCES = frozenset({"ivi_utility", "ivi_direct_io"})
#: Properties whose names the spec itself fixes (the references and the ABCs' members).
FIXED_NAMES = IVI_REFERENCES | {item.name for item in (*IVI_UTILITY, *IVI_DIRECT_IO)}


@check("hierarchy-root-references")
def root_references(context: AuditContext) -> Finding:
    """The root class has reference properties to child classes (besides the IVI interfaces).

    A reference property is one whose returned class is known: from its
    annotation, else from its code (what ``self._x`` is built as, the class a
    lazy getter imports and builds; see :func:`~ivi_conform.static.api_shape.inferred_class`).
    """
    root = context.driver.root
    hierarchy = hierarchy_of(context.source, context.driver)
    assert root is not None and hierarchy is not None  # the rule's need (rules/*.toml)
    children = [ref for ref in hierarchy.references_of(root) if ref.name not in IVI_REFERENCES]
    if children:
        shown = ", ".join(f"{ref.name} → {_target(ref)}" for ref in children[:6])
        more = f" and {len(children) - 6} more" if len(children) > 6 else ""
        return Finding.passed(f"{root.name} has {len(children)} reference properties ({shown}"
                              f"{more}); {len(hierarchy.classes)} classes reachable")
    unannotated = sorted(
        name for name, (_, member) in all_members(context.source, root).items()
        if property_like(member) and not name.startswith("_") and returns(member) is None
    )
    hint = (f"; properties without a return annotation whose returned class cannot be read: "
            f"{', '.join(unannotated)}" if unannotated else "")
    return Finding.failed(
        f"{root.name} has no property returning a child class of the driver besides "
        f"{' and '.join(sorted(IVI_REFERENCES))}: the API is not a hierarchy{hint}",
        (root.evidence("the root class"),))


def _target(reference: Reference) -> str:
    if reference.target is not None:
        return reference.target.name
    return f"collection of {reference.item.name if reference.item else '?'}"


def _accepted_names(reference: Reference, root_name: str) -> list[str]:
    """``snake_case(Class)``, also without the owner's or the root's name as a prefix."""
    assert reference.target is not None
    target = reference.target.name
    names = [snake_case(target)]
    for prefix in (reference.owner.name, reference.declared_in.name, root_name):
        if target.startswith(prefix) and len(target) > len(prefix):
            names.append(snake_case(target[len(prefix):]))
    return names


@check("hierarchy-property-names")
def property_names(context: AuditContext) -> Finding:
    """Each reference property is named in snake case after the class it returns."""
    root = context.driver.root
    hierarchy = hierarchy_of(context.source, context.driver)
    assert root is not None and hierarchy is not None  # the rule's need (rules/*.toml)
    problems: list[Evidence] = []
    judged = 0
    seen: set[tuple[int, str]] = set()
    for reference in hierarchy.references:
        key = (id(reference.declared_in), reference.name)
        if (key in seen or reference.name in FIXED_NAMES or reference.collection
                or reference.target is None):
            continue
        seen.add(key)
        judged += 1
        accepted = _accepted_names(reference, root.name)
        if not any(same_words(reference.name, name) for name in accepted):
            problems.append(reference.evidence(
                f"{reference.declared_in.name}.{reference.name} returns "
                f"{reference.target.name}: expected {accepted[0]}"))
    if not judged:
        return Finding.skipped("the driver has no reference property other than the IVI "
                               "interfaces and repeated-capability collections")
    return Finding.judge(
        problems,
        ok=f"all {judged} reference properties are named after their classes",
        bad="{n} reference property(ies) not the snake-case form of their class name",
    )
