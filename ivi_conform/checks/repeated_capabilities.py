"""Repeated Capabilities: collection style, the naming of collections, items and accessors.

A repeated capability shows in the syntax as a reference property returning
a collection: a class of the driver named ``*Collection``, deriving from a
mapping or sequence (``dict``, ``Mapping``, ``Sequence``, ...) or defining
``__getitem__``; or a plain ``Mapping[str, Item]`` / ``list[Item]`` of a
driver class. Its item class is what ``__getitem__`` is annotated to
return, else the generic argument of its base (``Mapping[str, Panel]``).

The rules walk every member of every class of the hierarchy, so what they
read of a syntax tree is one of its module's facts (:func:`_module_facts`),
remembered between audits: a re-audit after a one-module change parses that
module alone. What needs other modules (a repeated-capability enum, a base
class) is decided here from those facts and the index's summaries.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any

from ivi_conform.checks import check
from ivi_conform.model import Evidence, Finding
from ivi_conform.static.api_shape import (
    Hierarchy,
    Reference,
    all_members,
    expression,
    hierarchy_of,
    parameters,
    property_like,
    required_parameters,
    settable,
    type_name,
    union_members,
)
from ivi_conform.static.source import (
    ClassInfo,
    Member,
    MemberKind,
    Module,
    SourceIndex,
    facts_kind,
)
from ivi_conform.static.typing_completeness import instance_attributes

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext

_SELECTOR = re.compile(r"^(select_|set_active_)")
_NO_RC = "the driver has no collection-style repeated capability"

#: Plurals that do not end in s, and words ending in s that are singular.
_IRREGULAR_PLURALS = frozenset({
    "children", "people", "data", "criteria", "indices", "matrices", "vertices", "media",
    "men", "women", "feet", "teeth", "mice", "geese", "phenomena", "axes", "series",
    "species", "chassis",
})
_SINGULAR_S = frozenset({
    "status", "bus", "gas", "lens", "alias", "bias", "canvas", "focus", "radius", "bonus",
    "virus", "corpus", "campus", "census", "plus", "minus", "apparatus", "analysis",
    "basis", "axis", "hypothesis", "thesis", "diagnosis", "emphasis", "atlas", "iris",
})


def is_plural(name: str) -> bool:
    """Whether the last word of a snake-case name is a plural (a heuristic, English)."""
    word = name.rstrip("_").rsplit("_", 1)[-1].lower()
    word = re.sub(r"\d+$", "", word)
    if word in _IRREGULAR_PLURALS:
        return True
    if word in _SINGULAR_S or word.endswith(("ss", "us", "is")):
        return False
    return word.endswith("s") and len(word) > 1


def _singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith(("sses", "xes", "ches", "shes")):
        return name[:-2]
    return name[:-1] if name.endswith("s") else name


def _collections(hierarchy: Hierarchy) -> list[Reference]:
    """The collection reference properties, each once (where it is declared)."""
    found: list[Reference] = []
    seen: set[tuple[int, str]] = set()
    for reference in hierarchy.references:
        key = (id(reference.declared_in), reference.name)
        if reference.collection and key not in seen:
            seen.add(key)
            found.append(reference)
    return found


def _label(reference: Reference) -> str:
    container = reference.target.name if reference.target else "a plain container"
    item = reference.item.name if reference.item else "items of unknown class"
    return f"{reference.name} ({container} of {item})"


@facts_kind("rc-members")
def _module_facts(module: Module) -> list[dict[str, Any]]:
    """What the rules read of each class of a module's tree, by ClassInfo position.

    ``methods``: for each method, the annotation of its one parameter when it
    takes only that and returns nothing (``index``, a selector's candidate
    index), its return annotation (``returns``), both as source text, and how
    many arguments a call must give (``required``); ``active``: whether each
    ``active_*`` property has a setter; ``sets_name``: whether a method sets
    ``self.name``. A function of the module's path and bytes, so the index
    remembers it between audits (:meth:`SourceIndex.module_facts`).
    """
    classes: list[dict[str, Any]] = []
    for info in module.index.index_classes(module):
        methods: dict[str, dict[str, Any]] = {}
        active: dict[str, bool] = {}
        for name, member in info.built_members().items():
            function = member.function
            if member.kind is MemberKind.METHOD and function is not None:
                params = parameters(function)
                only = params[0].annotation if len(params) == 1 else None
                selected = only if only is not None and _returns_nothing(function) else None
                methods[name] = {
                    "index": ast.unparse(selected) if selected is not None else None,
                    "returns": (ast.unparse(function.returns) if function.returns is not None
                                else None),
                    "required": len(required_parameters(function)),
                }
            elif property_like(member) and name.startswith("active_"):
                active[name] = settable(member)
        classes.append({"methods": methods, "active": active,
                        "sets_name": "name" in instance_attributes(info.node)})
    return classes


def _class_facts(index: SourceIndex, info: ClassInfo) -> dict[str, Any]:
    """The class's part of its module's facts (:func:`_module_facts`)."""
    found: dict[str, Any] = index.class_facts("rc-members", info)
    return found


def _selector(index: SourceIndex, owner: ClassInfo, name: str, member: Member) -> str:
    """How a member selects the active instance of a repeated capability, or "".

    Selector style is a member that sets which instance later calls address,
    whatever it is called: ``select_*`` / ``set_active_*`` methods, a settable
    ``active_*`` property, R&S's ``repcap_<rc>_set`` (with its ``_get``), or a
    method that takes one value of a repeated-capability enumeration (an Enum
    of a ``repcap`` module) and returns nothing.
    """
    if member.kind is MemberKind.METHOD and _SELECTOR.match(name):
        return "a selector method by name"
    facts = _class_facts(index, owner)
    if property_like(member) and name.startswith("active_") and facts["active"][name]:
        return "a settable active_* property"
    method = facts["methods"].get(name) if member.kind is MemberKind.METHOD else None
    if method is None:
        return ""
    if _REPCAP_ACCESSOR.match(name):
        return "the repeated capability's default instance, set for the calls that follow"
    text = method["index"]
    annotation = expression(index, text) if text is not None else None
    if annotation is not None and _repcap_enum(index, owner, annotation):
        return f"takes only the repeated-capability index {text}"
    return ""


#: R&S drivers: ``repcap_<rc>_set(value)`` sets the default instance, ``repcap_<rc>_get`` reads it.
_REPCAP_ACCESSOR = re.compile(r"^repcap_\w+_set$")
_REPCAP_MODULE = re.compile(r"(?:^|\.)(?:repcaps?|repeated_capabilit(?:y|ies))$", re.IGNORECASE)


def _returns_nothing(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    if function.returns is not None:
        return type_name(function.returns) == "None"
    return not any(isinstance(node, ast.Return) and node.value is not None
                   for node in ast.walk(function))


def _repcap_enum(index: SourceIndex, owner: ClassInfo, annotation: ast.expr) -> bool:
    """An annotation naming an Enum of a repeated-capability module (``repcap.Channel``)."""
    if isinstance(annotation, ast.Attribute) and isinstance(annotation.value, ast.Name):
        imported = index.imported_name(annotation.value.id, owner.module)
        module = ".".join(part for part in imported if part) if imported else annotation.value.id
        if not _REPCAP_MODULE.search(module):
            return False
        found = index.modules.get(module)
        info = index.resolve(annotation.attr, found) if found is not None else None
    else:
        info = index.resolve(type_name(annotation), owner.module)
        if info is None or not _REPCAP_MODULE.search(info.module.name):
            return False
    return info is not None and any(base.endswith("Enum") for base in index.ancestors(info))


@check("rc-collection-style")
def collection_style(context: AuditContext) -> Finding:
    """Repeated capabilities are collections, not selector methods (``select_*``, ``active_*``)."""
    hierarchy = hierarchy_of(context.source, context.driver)
    assert hierarchy is not None  # the rule's need (rules/*.toml)
    selectors: list[Evidence] = []
    seen: set[tuple[int, str]] = set()
    for info in hierarchy.classes:
        for name, (owner, member) in all_members(context.source, info).items():
            key = (id(owner), name)
            if key in seen:
                continue
            seen.add(key)
            how = _selector(context.source, owner, name, member)
            if how:
                selectors.append(Evidence(owner.module.path, member.line,
                                          f"{owner.name}.{name}: selector style ({how})"))
    collections = _collections(hierarchy)
    if not collections and not selectors:
        return Finding.skipped("the driver has no repeated capability (no collection, "
                               "no selector method)")
    shown = ", ".join(_label(ref) for ref in collections[:5])
    return Finding.judge(
        selectors,
        ok=f"{len(collections)} collection-style repeated capabilities: {shown}",
        bad="{n} selector-style repeated-capability member(s) (members that set which "
            "instance the following calls address); collections are recommended",
    )


@check("rc-collection-class-name")
def collection_class_name(context: AuditContext) -> Finding:
    """Each collection class is named ``<RcName>Collection``."""
    hierarchy = hierarchy_of(context.source, context.driver)
    assert hierarchy is not None  # the rule's need (rules/*.toml)
    collections = _collections(hierarchy)
    classes = {id(ref.target): ref for ref in collections if ref.target is not None}
    if not collections:
        return Finding.skipped(_NO_RC)
    if not classes:
        return Finding.skipped("the repeated capabilities are plain containers "
                               "(Mapping[...], list[...]): no collection class to name")
    problems = []
    for reference in classes.values():
        assert reference.target is not None
        name = reference.target.name
        if not name.endswith("Collection") or name == "Collection":
            item = reference.item.name if reference.item else "<RcName>"
            problems.append(reference.target.evidence(
                f"{name}, returned by {reference.declared_in.name}.{reference.name}: "
                f"expected {item}Collection"))
    names = ", ".join(sorted(ref.target.name for ref in classes.values() if ref.target))
    return Finding.judge(problems, ok=f"collection classes named <RcName>Collection: {names}",
                         bad="{n} collection class(es) not named <RcName>Collection")


@check("rc-item-class-name")
def item_class_name(context: AuditContext) -> Finding:
    """The item class of ``<RcName>Collection`` is named ``<RcName>``."""
    hierarchy = hierarchy_of(context.source, context.driver)
    assert hierarchy is not None  # the rule's need (rules/*.toml)
    judged: dict[int, tuple[ClassInfo, ClassInfo]] = {}
    for reference in _collections(hierarchy):
        target, item = reference.target, reference.item
        if (target is not None and item is not None and target.name.endswith("Collection")
                and target.name != "Collection"):
            judged[id(target)] = (target, item)
    if not judged:
        return Finding.skipped("no <RcName>Collection class with an annotated item class "
                               "(nothing tells <RcName>)")
    problems = [
        item.evidence(f"{target.name}[...] returns {item.name}: expected "
                      f"{target.name.removesuffix('Collection')}")
        for target, item in judged.values()
        if item.name != target.name.removesuffix("Collection")
    ]
    pairs = ", ".join(sorted(f"{t.name} → {i.name}" for t, i in judged.values()))
    return Finding.judge(problems, ok=f"item classes named <RcName>: {pairs}",
                         bad="{n} item class(es) not named after their collection's <RcName>")


def _has_name(context: AuditContext, item: ClassInfo) -> bool:
    """A ``name`` property or attribute, on the class or a base in the distribution."""
    if "name" in all_members(context.source, item):
        return True
    pending, seen = [item], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if _class_facts(context.source, current)["sets_name"]:
            return True
        for base in current.base_names:
            parent = context.source.resolve(base, current.module)
            if parent is not None:
                pending.append(parent)
    return False


@check("rc-item-name-property")
def item_name_property(context: AuditContext) -> Finding:
    """Each repeated capability's item class has a ``name`` property."""
    hierarchy = hierarchy_of(context.source, context.driver)
    assert hierarchy is not None  # the rule's need (rules/*.toml)
    items = {id(ref.item): ref.item for ref in _collections(hierarchy) if ref.item is not None}
    if not items:
        return Finding.skipped("no repeated capability with an annotated item class")
    problems = [item.evidence(f"{item.name} has no name property")
                for item in items.values() if not _has_name(context, item)]
    names = ", ".join(sorted(item.name for item in items.values()))
    return Finding.judge(problems, ok=f"item classes with a name property: {names}",
                         bad="{n} repeated-capability item class(es) without a name property")


@check("rc-property-plural")
def property_plural(context: AuditContext) -> Finding:
    """The property returning a collection is a plural word."""
    hierarchy = hierarchy_of(context.source, context.driver)
    assert hierarchy is not None  # the rule's need (rules/*.toml)
    collections = _collections(hierarchy)
    if not collections:
        return Finding.skipped(_NO_RC)
    problems = [ref.evidence(f"{ref.declared_in.name}.{ref.name} returns a collection: "
                             "not a plural word")
                for ref in collections if not is_plural(ref.name)]
    names = ", ".join(ref.name for ref in collections[:8])
    return Finding.judge(problems, ok=f"collection properties are plural: {names}",
                         bad="{n} collection property(ies) not a plural word")


@check("rc-item-accessor")
def item_accessor(context: AuditContext) -> Finding:
    """A method-like item accessor is named ``<property>_item``."""
    index = context.source
    hierarchy = hierarchy_of(index, context.driver)
    assert hierarchy is not None  # the rule's need (rules/*.toml)
    collections = _collections(hierarchy)
    if not collections:
        return Finding.skipped(_NO_RC)
    item_ids = {id(ref.item) for ref in collections if ref.item is not None}
    item_names = {ref.item.name for ref in collections if ref.item is not None}
    problems: list[Evidence] = []
    accessors: list[str] = []
    seen: set[tuple[int, str]] = set()
    for info in hierarchy.classes:
        properties = {ref.name: ref for ref in hierarchy.references_of(info) if ref.collection}
        for name, (owner, member) in all_members(index, info).items():
            if (member.kind is not MemberKind.METHOD or name.startswith("_")
                    or (id(owner), name) in seen):
                continue
            method = _class_facts(index, owner)["methods"].get(name)
            if method is None:
                continue
            seen.add((id(owner), name))
            text = method["returns"]
            annotation = expression(index, text) if text is not None else None
            names = [type_name(alt) for alt in union_members(annotation, index, owner.module)]
            returned = [index.resolve(returned_name, owner.module)
                        for returned_name in names if returned_name in item_names]
            gives_item = any(cls is not None and id(cls) in item_ids for cls in returned)
            wanted = [ref.name for ref in properties.values()
                      if ref.item is not None and any(cls is ref.item for cls in returned)]
            where = Evidence(owner.module.path, member.line, "")
            if name.endswith("_item"):
                prefix = name.removesuffix("_item")
                if prefix in properties:
                    accessors.append(f"{info.name}.{name}")
                elif gives_item or (text is None and is_plural(prefix)):
                    hint = f"; expected {wanted[0]}_item" if wanted else ""
                    problems.append(Evidence(where.file, where.line,
                                             f"{owner.name}.{name}: {info.name} has no collection "
                                             f"property {prefix}{hint}"))
            elif wanted and method["required"] == 1:
                stem = _singular(wanted[0])
                if name in {stem, f"get_{stem}", f"get_{wanted[0]}", "item", "get_item"}:
                    problems.append(Evidence(where.file, where.line,
                                             f"{owner.name}.{name} is an item accessor of "
                                             f"{wanted[0]}: expected {wanted[0]}_item"))
    ok = (f"item accessors named <property>_item: {', '.join(accessors)}" if accessors
          else "no method-like item accessor (they are optional)")
    return Finding.judge(problems, ok=ok,
                         bad="{n} item accessor(s) not named <property>_item")
