"""The shape of a driver's API as its syntax shows it, shared by the API rules.

Several sections of the spec ask about the same things: what a class offers
(with what it inherits inside the distribution), what an annotation admits,
which classes the root reaches through reference properties, which of them
are repeated-capability collections, and what the IVI ``IviUtility`` and
``IviDirectIo`` ABCs require. They are answered here, once, so that the
hierarchy, repeated-capability, utility and direct-I/O rules never disagree
on what the driver is. Nothing here imports or runs driver code.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ivi_conform.model import Evidence
from ivi_conform.static.driver import DriverShape
from ivi_conform.static.source import (
    ClassInfo,
    Member,
    MemberKind,
    Module,
    SourceIndex,
    call_target,
    facts_kind,
    import_forms_of,
    simple_name,
    walk_statements,
)

# -- annotations -------------------------------------------------------------------------------

#: Generic containers whose last type argument is the item (``dict[str, Panel]`` → Panel).
MAPPINGS = frozenset({
    "dict", "Dict", "Mapping", "MutableMapping", "OrderedDict", "defaultdict", "UserDict",
})
#: Generic containers whose first type argument is the item (``list[Panel]`` → Panel).
SEQUENCES = frozenset({
    "list", "List", "Sequence", "MutableSequence", "tuple", "Tuple", "Collection", "UserList",
    "AbstractSet", "Set", "MutableSet", "set", "frozenset", "FrozenSet", "deque", "Deque",
})
#: Bases that make a class a value type: returned by a property, it is data, not a child class.
VALUE_BASES = frozenset({
    "Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "ReprEnum", "NamedTuple", "TypedDict",
    "BaseException", "Exception",
})
_VALUE_DECORATORS = frozenset({"dataclass", "define", "frozen", "mutable", "s", "attrs"})


def annotation_of(expr: ast.expr | None) -> ast.expr | None:
    """The annotation as an expression; a string annotation (``"Panel | None"``) is parsed."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        try:
            return ast.parse(expr.value.strip(), mode="eval").body
        except SyntaxError:
            return None
    return expr


@facts_kind("aliases")
def _module_aliases(module: Module) -> dict[str, str]:
    """Module-level names bound once to something that may be a type (alias candidates).

    One of the module's facts: each value as source text, read back by :func:`expression`.
    """
    found: dict[str, ast.expr] = {}
    for statement in module.tree.body:
        if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)):
            found[statement.targets[0].id] = statement.value
        elif (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
              and statement.value is not None
              and simple_name(statement.annotation) == "TypeAlias"):
            found[statement.target.id] = statement.value
        elif type(statement).__name__ == "TypeAlias":  # ``type X = ...`` (Python 3.12+)
            name = getattr(statement, "name", None)
            value = getattr(statement, "value", None)
            if isinstance(name, ast.Name) and isinstance(value, ast.expr):
                found[name.id] = value
    return {name: ast.unparse(value) for name, value in found.items()}


def expression(index: SourceIndex, text: str) -> ast.expr | None:
    """An expression kept as source text in a module's facts, parsed once per index."""
    def parse() -> ast.expr | None:
        try:
            return ast.parse(text, mode="eval").body
        except SyntaxError:
            return None

    return index.memo(("expression", text), parse)


def alias_value(index: SourceIndex, name: str, near: Module) -> tuple[ast.expr, Module] | None:
    """What a module-level alias (``Opts = Union[dict, str]``) stands for, through imports."""
    module: Module | None = near
    for _ in range(8):
        if module is None:
            return None
        aliases = index.module_facts("aliases", module)
        assert isinstance(aliases, dict)
        if name in aliases:
            found = expression(index, aliases[name])
            return (found, module) if found is not None else None
        imported = index.imported_name(name, module)
        if imported is None:
            return None
        module = index.modules.get(imported[0])
        name = imported[1]
    return None


def union_members(
    expr: ast.expr | None, index: SourceIndex | None = None, near: Module | None = None,
    depth: int = 0,
) -> list[ast.expr]:
    """The alternatives of an annotation: ``A | B``, ``Union[A, B]``, ``Optional[A]`` (A, None).

    ``Annotated[T, ...]`` is T; a module-level alias is expanded when an index
    and the module of the annotation are given.
    """
    expr = annotation_of(expr)
    if expr is None or depth > 8:
        return []
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
        return (union_members(expr.left, index, near, depth + 1)
                + union_members(expr.right, index, near, depth + 1))
    if isinstance(expr, ast.Subscript):
        head = simple_name(expr.value)
        arguments = subscript_arguments(expr)
        if head == "Union":
            return [alt for arg in arguments for alt in union_members(arg, index, near, depth + 1)]
        if head == "Optional" and arguments:
            return [*union_members(arguments[0], index, near, depth + 1), ast.Constant(None)]
        if head == "Annotated" and arguments:
            return union_members(arguments[0], index, near, depth + 1)
    if isinstance(expr, ast.Name) and index is not None and near is not None:
        found = alias_value(index, expr.id, near)
        if found is not None and _looks_like_type(found[0]):
            return union_members(found[0], index, found[1], depth + 1)
    return [expr]


def _looks_like_type(expr: ast.expr) -> bool:
    if isinstance(expr, ast.BinOp):
        return isinstance(expr.op, ast.BitOr)
    return isinstance(expr, ast.Subscript | ast.Name | ast.Attribute) or (
        isinstance(expr, ast.Constant) and (expr.value is None or isinstance(expr.value, str)))


def subscript_arguments(expr: ast.Subscript) -> list[ast.expr]:
    """The type arguments of ``X[a, b]`` (``[a, b]``) or ``X[a]`` (``[a]``)."""
    inner = expr.slice
    return list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]


def type_name(expr: ast.expr) -> str:
    """``"None"`` for None, ``"..."`` for an ellipsis, else the simple name of the type."""
    if isinstance(expr, ast.Constant):
        if expr.value is None:
            return "None"
        if expr.value is Ellipsis:
            return "..."
    return simple_name(expr)


def admits(expr: ast.expr | None, wanted: frozenset[str], index: SourceIndex | None = None,
           near: Module | None = None) -> bool:
    """Whether some alternative of the annotation is one of the ``wanted`` type names."""
    return any(type_name(alt) in wanted for alt in union_members(expr, index, near))


# -- members -------------------------------------------------------------------------------------

Members = dict[str, tuple[ClassInfo, Member]]


def all_members(index: SourceIndex, info: ClassInfo) -> Members:
    """Every member of the class with what it inherits inside the distribution, nearest first."""
    return index.memo(("members", id(info)), lambda: _all_members(index, info))


def _all_members(index: SourceIndex, info: ClassInfo) -> Members:
    found: Members = {}
    seen: set[int] = set()
    pending = [info]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        for name, member in current.members.items():
            found.setdefault(name, (current, member))
        for base in current.base_names:
            parent = index.resolve(base, current.module)
            if parent is not None:
                pending.append(parent)
    return found


def property_like(member: Member) -> bool:
    """A property, or ``name = property(...)`` in the class body."""
    return member.kind is MemberKind.PROPERTY or member.property_call


def reference_like(index: SourceIndex, owner: ClassInfo, member: Member) -> bool:
    """A member that can be a reference property: a property, a descriptor, an instance attribute.

    The IVI Core's "property" covers attributes in object-oriented languages,
    so an attribute the constructor sets (``self.ivi_utility = Utility(...)``)
    is one too; a method is not.
    """
    return (property_like(member) or member.instance
            or descriptor_value(index, owner, member) is not None)


def settable(member: Member) -> bool:
    """Whether a property has a setter (an attribute always can be set)."""
    if member.kind is MemberKind.ATTRIBUTE and not property_like(member):
        return True
    node = member.node if member.property_call else None  # else the tree is not needed
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
        call = node.value
        return len(call.args) > 1 or any(keyword.arg == "fset" for keyword in call.keywords)
    return member.settable


def returns(member: Member) -> ast.expr | None:
    """The annotated type a member gives: the getter's or method's return, an attribute's type."""
    function = member.function
    if function is not None:
        return function.returns
    if isinstance(member.node, ast.AnnAssign):
        return member.node.annotation
    return None


def setter_of(owner: ClassInfo, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The ``@name.setter`` function in the owner's body, if there is one."""
    for statement in owner.node.body:
        if (isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef)
                and statement.name == name):
            for decorator in statement.decorator_list:
                if isinstance(decorator, ast.Attribute) and decorator.attr == "setter":
                    return statement
    return None


def parameters(function: ast.FunctionDef | ast.AsyncFunctionDef, *, bound: bool = True,
               ) -> list[ast.arg]:
    """The positional parameters, without ``self``/``cls`` for a bound method."""
    params = [*function.args.posonlyargs, *function.args.args]
    return params[1:] if bound and params else params


def required_parameters(function: ast.FunctionDef | ast.AsyncFunctionDef, *, bound: bool = True,
                        ) -> list[str]:
    """Names of the parameters a call must give (no default), self/cls left out."""
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    without_default = positional[: len(positional) - len(args.defaults)]
    names = [arg.arg for arg in without_default]
    if bound and names and positional and names[0] == positional[0].arg:
        names = names[1:]
    names += [arg.arg for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True)
              if default is None]
    return names


def is_stub(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A body that does nothing: pass, ..., a docstring, a leading raise NotImplementedError.

    What follows a leading ``raise NotImplementedError`` never runs, so the
    body is a stub whatever comes after it.
    """
    for statement in function.body:
        if isinstance(statement, ast.Pass):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # docstring or ``...``
        if isinstance(statement, ast.Raise) and statement.exc is not None:
            raised = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
            return simple_name(raised) == "NotImplementedError"
        return False
    return True


def in_package(info: ClassInfo, package: str | None) -> bool:
    """Whether the class is defined in the driver's import package."""
    if package is None:
        return False
    name = info.module.name
    return name == package or name.startswith(package + ".")


def is_value_class(index: SourceIndex, info: ClassInfo) -> bool:
    """Enums, named tuples, typed dicts, dataclasses, exceptions: data, not API children."""
    if any(name in _VALUE_DECORATORS for name in class_shape(index, info)["decorators"]):
        return True
    return any(name in VALUE_BASES or name.endswith(("Error", "Exception"))
               for name in index.ancestors(info)) or info.name == "ErrorQueryResult"


# -- the hierarchy -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """A reference property: ``owner.name`` returns ``target`` (or a container of ``item``).

    ``collection`` is set when the property returns a repeated-capability
    collection: a collection class of the driver (``target``) or a plain
    container such as ``Mapping[str, Panel]`` (``target`` None); ``item`` is
    the class of its items when the annotations tell it.
    """

    owner: ClassInfo
    declared_in: ClassInfo
    name: str
    member: Member
    target: ClassInfo | None
    collection: bool = False
    item: ClassInfo | None = None

    def evidence(self, detail: str) -> Evidence:
        """Where the property is defined."""
        return Evidence(self.declared_in.module.path, self.member.line, detail)


@dataclass
class Hierarchy:
    """The classes the root reaches through reference properties, and those properties."""

    root: ClassInfo
    references: list[Reference] = field(default_factory=list)
    classes: list[ClassInfo] = field(default_factory=list)
    _by_owner: dict[int, list[Reference]] = field(default_factory=dict)

    def add(self, reference: Reference) -> None:
        """Record a reference property of ``reference.owner``."""
        self.references.append(reference)
        self._by_owner.setdefault(id(reference.owner), []).append(reference)

    def references_of(self, info: ClassInfo) -> list[Reference]:
        """The reference properties a class offers (its own and inherited)."""
        return self._by_owner.get(id(info), [])


def is_collection(index: SourceIndex, info: ClassInfo) -> bool:
    """A collection class: named ``*Collection``, a container subclass, or with ``__getitem__``."""
    if info.name.endswith("Collection"):
        return True
    if any(name in MAPPINGS or name in SEQUENCES for name in index.ancestors(info)):
        return True
    return "__getitem__" in all_members(index, info)


def item_class(index: SourceIndex, info: ClassInfo) -> ClassInfo | None:
    """The class a collection's ``[]`` returns: ``__getitem__``'s return, else its generic base."""
    found = all_members(index, info).get("__getitem__")
    if found is not None:
        owner, member = found
        for alternative in union_members(shaped_returns(index, owner, member), index,
                                         owner.module):
            resolved = index.resolve(type_name(alternative), owner.module)
            if resolved is not None:
                return resolved
    pending = [info]
    seen: set[int] = set()
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        for base, element in class_shape(index, current)["bases"]:
            if element is not None:
                resolved = index.resolve(element, current.module)
                if resolved is not None:
                    return resolved
            parent = index.resolve(base, current.module)
            if parent is not None:
                pending.append(parent)
    return None


def container_element(expr: ast.expr) -> ast.expr | None:
    """The item type X of ``dict[str, X]``, ``Mapping[str, X]``, ``list[X]``, ``tuple[X, ...]``."""
    if not isinstance(expr, ast.Subscript):
        return None
    head = simple_name(expr.value)
    arguments = subscript_arguments(expr)
    if head in MAPPINGS and arguments:
        return arguments[-1]
    if head in SEQUENCES and arguments:
        return arguments[0]
    return None


def hierarchy_of(index: SourceIndex, shape: DriverShape) -> Hierarchy | None:
    """The driver's hierarchy, walked once per index from the root class."""
    root = shape.root
    if root is None:
        return None
    return index.memo(("hierarchy", id(root), shape.package),
                      lambda: _walk(index, root, shape.package))


def _reference(index: SourceIndex, info: ClassInfo, name: str, owner: ClassInfo, member: Member,
               package: str | None) -> Reference | None:
    annotation = (shaped_returns(index, owner, member) if property_like(member)
                  else descriptor_value(index, owner, member))
    if annotation is None:
        target = inferred_class(index, owner, member)
        if target is None or not in_package(target, package) or is_value_class(index, target):
            return None
        if is_collection(index, target):
            return Reference(info, owner, name, member, target, True, item_class(index, target))
        return Reference(info, owner, name, member, target)
    alternatives = [alt for alt in union_members(annotation, index, owner.module)
                    if type_name(alt) != "None"]
    if len(alternatives) != 1:
        return None
    declared = alternatives[0]
    target = index.resolve(type_name(declared), owner.module)
    if target is not None and in_package(target, package) and not is_value_class(index, target):
        if is_collection(index, target):
            return Reference(info, owner, name, member, target, True, item_class(index, target))
        return Reference(info, owner, name, member, target)
    element = container_element(declared)
    if element is not None:
        item = index.resolve(type_name(element), owner.module)
        if item is not None and in_package(item, package) and not is_value_class(index, item):
            return Reference(info, owner, name, member, None, True, item)
    return None


def descriptor_value(index: SourceIndex, owner: ClassInfo, member: Member) -> ast.expr | None:
    """The type a descriptor-typed class attribute gives on an instance, if it is one.

    ``panels: Child[PanelCollection] = Child(...)`` where ``Child`` is a class
    of the candidate with ``__get__`` is a reference property written as a
    descriptor: reading ``driver.panels`` gives a ``PanelCollection``.
    """
    if member.kind is not MemberKind.ATTRIBUTE:
        return None
    written = member_shape(index, owner, member.name).get("descriptor")
    if written is None:
        return None
    head, arguments = written
    descriptor = index.resolve(head, owner.module)
    if descriptor is None or len(arguments) != 1:
        return None
    if "__get__" not in all_members(index, descriptor):
        return None
    return expression(index, arguments[0])


def _descriptor_facts(member: Member) -> list[Any] | None:
    """``Child[X]``, the annotation of an attribute: ["Child", [X's source]], else None."""
    node = member.node
    if member.kind is not MemberKind.ATTRIBUTE or not isinstance(node, ast.AnnAssign):
        return None
    annotation = node.annotation
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return None
    if not isinstance(annotation, ast.Subscript):
        return None
    return [simple_name(annotation.value),
            [ast.unparse(argument) for argument in subscript_arguments(annotation)]]


# -- what an unannotated getter returns ---------------------------------------------------------

Function = ast.FunctionDef | ast.AsyncFunctionDef


def inferred_class(index: SourceIndex, owner: ClassInfo, member: Member) -> ClassInfo | None:
    """The one class of the candidate an unannotated getter returns, read from its code.

    Drivers written without annotations (or generated ones) build their
    children in code: ``return self._x`` with ``self._x = Child(...)`` in
    ``__init__`` (or any method of the class and its bases), the lazy
    ``if not hasattr(self, "_x"): from .child import ChildCls; self._x =
    ChildCls(...)`` of generated drivers, or ``return Child(...)``. The class
    is named only when every return gives the same one. The code is read
    from the module's facts (:func:`_shape_facts`), not its tree.
    """
    getter = member_shape(index, owner, member.name).get("getter")
    if getter is None:
        return None
    place, returned = getter
    method = _method(index, owner, place)
    found: ClassInfo | None = None
    for value in returned:
        target = _class_of(index, owner, method, value)
        if target is None or (found is not None and target is not found):
            return None
        found = target
    return found


#: The fields of a statement, ``except`` or ``case`` that hold statement lists.
_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")


def _own_returns(function: Function) -> list[ast.Return]:
    """The function's ``return`` statements, not those of functions or classes inside it.

    Only statement lists are walked: a ``return`` is a statement, and no
    expression holds one (a lambda's body is an expression).
    """
    found: list[ast.Return] = []
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Return):
            found.append(node)
        elif not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for name in _BLOCK_FIELDS:
                block = getattr(node, name, None)
                if isinstance(block, list):
                    pending.extend(block)
    return found


def _returned_facts(function: Function) -> list[list[Any]]:
    """What each ``return`` of a getter gives, as :func:`_class_of` reads it.

    ``["call", target]`` for ``return Child(...)``; ``["name", [value, ...]]``
    for a local name, with what every assignment to it gives (``["call",
    target]`` or ``["other"]``); ``["self", name]`` for ``return self.<name>``;
    ``["other"]`` for anything else. A return of nothing or None is left out.
    """
    found: list[list[Any]] = []
    for node in _own_returns(function):
        value = node.value
        if value is None or (isinstance(value, ast.Constant) and value.value is None):
            continue
        if isinstance(value, ast.Call):
            found.append(["call", call_target(value.func)])
        elif isinstance(value, ast.Name):
            assigned = [statement.value for statement in walk_statements(function)
                        if isinstance(statement, ast.Assign) and statement.value is not None
                        and any(isinstance(target, ast.Name) and target.id == value.id
                                for target in statement.targets)]
            found.append(["name", [["call", call_target(item.func)] if isinstance(item, ast.Call)
                                   else ["other"] for item in assigned]])
        elif (isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name)
              and value.value.id == "self"):
            found.append(["self", value.attr])
        else:
            found.append(["other"])
    return found


def _class_of(index: SourceIndex, owner: ClassInfo, method: list[Any],
              value: list[Any]) -> ClassInfo | None:
    """The class a returned value (:func:`_returned_facts`) is an instance of, if known."""
    if value[0] == "call":
        return _built(index, owner.module, method, value[1])
    if value[0] == "name":
        classes = {id(found): found for found in (
            _built(index, owner.module, method, item[1])
            for item in value[1] if item[0] == "call") if found is not None}
        if len(classes) != 1 or len(classes) != len(value[1]):
            return None
        return next(iter(classes.values()))
    if value[0] == "self":
        return _attribute_class(index, owner, method, value[1])
    return None


def _built(index: SourceIndex, module: Module, method: list[Any],
           target: list[str] | None) -> ClassInfo | None:
    """The class a call in ``method`` (its facts: assignments, imports) builds."""
    if target is None:
        return None
    return index.constructed(module, import_forms_of(method[1]), tuple(target))


def _attribute_class(index: SourceIndex, owner: ClassInfo, getter: list[Any],
                     attribute: str) -> ClassInfo | None:
    """The class ``self.<attribute>`` holds: its annotation, else what every assignment builds.

    The getter itself is searched first (lazy creation), then every method of
    the owner and of its bases inside the candidate.
    """
    methods: list[tuple[ClassInfo, list[Any]]] = [(owner, getter)]
    for holder in index.lineage(owner):
        shape = class_shape(index, holder)
        methods.extend((holder, method) for method in shape["methods"])
        annotated = shape["annotated"].get(attribute)  # a class-level ``_x: Child``
        if annotated is not None:
            return index.resolve(annotated, holder.module)
    found: dict[int, ClassInfo] = {}
    for holder, method in methods:
        for annotation, value, target in method[0].get(attribute, ()):
            if annotation is not None:
                annotated_class = index.resolve(annotation, holder.module)
                if annotated_class is not None:
                    return annotated_class
            if value != "call":
                if value == "none":
                    continue  # ``self._x = None`` until created
                return None
            built = _built(index, holder.module, method, target)
            if built is None:
                return None
            found[id(built)] = built
    return next(iter(found.values())) if len(found) == 1 else None


def _self_assignments(method: Function) -> dict[str, list[list[Any]]]:
    """The method's assignments to ``self.<name>``, by name, in ``ast.walk``'s order.

    Each is ``[annotation, value, target]``: the annotation's type name (None
    for a plain assignment), ``"call"`` (``target`` its :data:`CallTarget`),
    ``"none"`` or ``"other"``.
    """
    found: dict[str, list[list[Any]]] = {}
    for node in walk_statements(method):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        value = node.value
        fact = [type_name(node.annotation) if isinstance(node, ast.AnnAssign) else None,
                "call" if isinstance(value, ast.Call) else "none" if (
                    isinstance(value, ast.Constant) and value.value is None) else "other",
                call_target(value.func) if isinstance(value, ast.Call) else None]
        for name in dict.fromkeys(target.attr for target in targets
                                  if isinstance(target, ast.Attribute)
                                  and isinstance(target.value, ast.Name)
                                  and target.value.id == "self"):
            found.setdefault(name, []).append(fact)
    return found


# -- a class's shape, one of its module's facts ------------------------------------------------


@facts_kind("shape")
def _shape_facts(module: Module) -> list[dict[str, Any]]:
    """What the API rules read of each class of a module (by ClassInfo position), from its tree.

    The decorators, each base (simple name, container item type), the
    class-level annotations, each method's ``self.<x>`` assignments and
    imports, and each member's annotation, descriptor and returned values:
    a function of the module's path and bytes, remembered between audits
    (:meth:`SourceIndex.module_facts`), so a re-audit reads one tree.
    """
    index = module.index
    shapes: list[dict[str, Any]] = []
    for info in index.index_classes(module):
        node = info.node
        methods = [statement for statement in node.body
                   if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef)]
        place = {id(method): position for position, method in enumerate(methods)}
        annotated: dict[str, str] = {}
        for statement in node.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                annotated.setdefault(statement.target.id, type_name(statement.annotation))
        members: dict[str, dict[str, Any]] = {}
        for name, member in info.built_members().items():
            shape: dict[str, Any] = {}
            valued = property_like(member) or member.kind is MemberKind.ATTRIBUTE
            annotation = returns(member) if valued or name == "__getitem__" else None
            if annotation is not None:  # a method's return is not read from the facts
                shape["returns"] = ast.unparse(annotation)
            descriptor = _descriptor_facts(member)
            if descriptor is not None:
                shape["descriptor"] = descriptor
            function = member.function if property_like(member) else None
            if function is not None:  # a getter: what it returns may be read from its code
                method = (place[id(function)] if id(function) in place
                          else _method_facts(index, function))
                shape["getter"] = [method, _returned_facts(function)]
            if shape:
                members[name] = shape
        shapes.append({
            "decorators": [simple_name(decorator.func if isinstance(decorator, ast.Call)
                                       else decorator) for decorator in node.decorator_list],
            "bases": [[simple_name(base), type_name(element) if (
                element := container_element(base)) is not None else None]
                for base in node.bases],
            "annotated": annotated,
            "methods": [_method_facts(index, method) for method in methods],
            "members": members,
        })
    return shapes


def _method_facts(index: SourceIndex, method: Function) -> list[Any]:
    """A method's ``self.<x>`` assignments and the imports inside it (for its calls)."""
    return [_self_assignments(method), index.scope_forms(method)]


def class_shape(index: SourceIndex, info: ClassInfo) -> dict[str, Any]:
    """The class's facts (:func:`_shape_facts`)."""
    shape: dict[str, Any] = index.class_facts("shape", info)
    return shape


def member_shape(index: SourceIndex, owner: ClassInfo, name: str) -> dict[str, Any]:
    """A member's facts in its class's shape (empty for a member it does not hold)."""
    found: dict[str, Any] = class_shape(index, owner)["members"].get(name, {})
    return found


def shaped_returns(index: SourceIndex, owner: ClassInfo, member: Member) -> ast.expr | None:
    """:func:`returns`, read from the facts: the annotated type the member gives."""
    text = member_shape(index, owner, member.name).get("returns")
    return expression(index, text) if text is not None else None


def _method(index: SourceIndex, owner: ClassInfo, place: int | list[Any]) -> list[Any]:
    """A method's facts: by its place among the class's methods, or kept with the member."""
    if isinstance(place, list):
        return place
    method: list[Any] = class_shape(index, owner)["methods"][place]
    return method


def _walk(index: SourceIndex, root: ClassInfo, package: str | None) -> Hierarchy:
    hierarchy = Hierarchy(root)
    seen: set[int] = set()
    pending = [root]
    while pending:
        info = pending.pop(0)
        if id(info) in seen:
            continue
        seen.add(id(info))
        hierarchy.classes.append(info)
        for name, (owner, member) in all_members(index, info).items():
            if name.startswith("_") or not (property_like(member)
                                            or descriptor_value(index, owner, member)):
                continue
            reference = _reference(index, info, name, owner, member, package)
            if reference is None:
                continue
            hierarchy.add(reference)
            pending.extend(c for c in (reference.target, reference.item) if c is not None)
    return hierarchy


def snake_case(name: str) -> str:
    """``AntiPinch`` → ``anti_pinch``, ``IOTimeout`` → ``io_timeout``, ``Cls2`` → ``cls2``."""
    words = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", words)
    return words.lower()


def same_words(first: str, second: str) -> bool:
    """Equal snake-case names, letting an underscore before a digit be there or not."""
    def key(text: str) -> str:
        return re.sub(r"_(?=\d)|(?<=\d)_", "", text.lower())
    return key(first) == key(second)


# -- the IVI ABCs --------------------------------------------------------------------------------

TypeCheck = Callable[[SourceIndex, Module, ast.expr], bool]


def _names(*allowed: str) -> TypeCheck:
    """A return type whose every alternative is one of ``allowed`` (or Any / a Literal)."""
    wanted = frozenset(allowed) | {"Any", "Literal"}

    def check(index: SourceIndex, near: Module, expr: ast.expr) -> bool:
        alternatives = union_members(expr, index, near)
        return bool(alternatives) and all(type_name(alt) in wanted for alt in alternatives)

    return check


def _accepts(*allowed: str) -> TypeCheck:
    """A parameter type with one alternative that takes ``allowed`` (or a supertype of it)."""
    wanted = frozenset(allowed) | {"Any", "object"}

    def check(index: SourceIndex, near: Module, expr: ast.expr) -> bool:
        return admits(expr, wanted, index, near)

    return check


def _is_error_result(index: SourceIndex, near: Module, expr: ast.expr) -> bool:
    name = type_name(expr)
    if name in ("ErrorQueryResult", "Any"):
        return True
    resolved = index.resolve(name, near)
    return resolved is not None and "ErrorQueryResult" in index.ancestors(resolved)


def _optional_error(index: SourceIndex, near: Module, expr: ast.expr) -> bool:
    alternatives = union_members(expr, index, near)
    return bool(alternatives) and all(
        type_name(alt) == "None" or _is_error_result(index, near, alt) for alt in alternatives
    )


def _error_collection(index: SourceIndex, near: Module, expr: ast.expr) -> bool:
    alternatives = union_members(expr, index, near)
    if len(alternatives) != 1:
        return False
    declared = alternatives[0]
    head = type_name(declared)
    if head == "Any":
        return True
    if head in SEQUENCES:
        if not isinstance(declared, ast.Subscript):
            return True  # a bare ``list``: items of any type
        return all(type_name(arg) == "..." or _is_error_result(index, near, arg)
                   for arg in subscript_arguments(declared))
    resolved = index.resolve(head, near)
    return resolved is not None and any(name in SEQUENCES for name in index.ancestors(resolved))


def _str_tuple(index: SourceIndex, near: Module, expr: ast.expr) -> bool:
    alternatives = union_members(expr, index, near)
    if len(alternatives) != 1:
        return False
    declared = alternatives[0]
    if type_name(declared) == "Any":
        return True
    if type_name(declared) not in ("tuple", "Tuple"):
        return False
    if not isinstance(declared, ast.Subscript):
        return True
    return all(type_name(arg) in ("str", "...") for arg in subscript_arguments(declared))


def _anything(index: SourceIndex, near: Module, expr: ast.expr) -> bool:
    return True


@dataclass(frozen=True)
class Expected:
    """One member of an IVI ABC: its kind, and the types an implementation must keep to.

    ``returns`` judges the getter's or method's return annotation (an
    implementation may narrow it: covariance); ``accepts`` judges the
    setter's or the method's parameters (an implementation may widen them).
    ``spelled`` is the type as the spec writes it, for messages.
    """

    name: str
    kind: str  # "property" | "method"
    spelled: str
    returns: TypeCheck
    settable: bool = False
    accepts: tuple[tuple[str, TypeCheck], ...] = ()
    optional: bool = False

    @property
    def described(self) -> str:
        """``property (r/w) x -> bool`` / ``method x() -> None``, as messages say it."""
        if self.kind == "method":
            params = ", ".join(name for name, _ in self.accepts)
            return f"method {self.name}({params}) -> {self.spelled}"
        access = "r/w" if self.settable else "r"
        return f"property ({access}) {self.name}: {self.spelled}"


IVI_UTILITY: tuple[Expected, ...] = (
    Expected("driver_version", "property", "str", _names("str")),
    Expected("driver_vendor", "property", "str", _names("str")),
    Expected("instrument_manufacturer", "property", "str", _names("str")),
    Expected("instrument_model", "property", "str", _names("str")),
    Expected("query_instrument_status_enabled", "property", "bool", _names("bool"), settable=True,
             accepts=(("enabled", _accepts("bool", "int", "float")),)),
    Expected("simulation_enabled", "property", "bool", _names("bool")),
    Expected("error_query", "method", "ErrorQueryResult | None", _optional_error),
    Expected("error_query_all", "method", "Collection[ErrorQueryResult]", _error_collection),
    Expected("raise_on_device_error", "method", "None", _names("None")),
    Expected("reset", "method", "None", _names("None")),
    Expected("supported_instrument_models", "property", "tuple[str, ...]", _str_tuple),
)

IVI_DIRECT_IO: tuple[Expected, ...] = (
    Expected("session", "property", "Any", _anything, optional=True),
    Expected("io_timeout_ms", "property", "int", _names("int"), settable=True,
             accepts=(("timeout_ms", _accepts("int", "float", "complex")),)),
    Expected("read_bytes", "method", "bytes", _names("bytes")),
    Expected("read_string", "method", "str", _names("str")),
    Expected("write_bytes", "method", "None", _names("None"),
             accepts=(("data", _accepts("bytes", "Buffer", "ReadableBuffer")),)),
    Expected("write_string", "method", "None", _names("None"),
             accepts=(("data", _accepts("str")),)),
)

ERROR_QUERY_RESULT: tuple[Expected, ...] = (
    Expected("code", "property", "int", _names("int")),
    Expected("message", "property", "str", _names("str")),
)


def member_problems(index: SourceIndex, info: ClassInfo, expected: Expected) -> list[Evidence]:
    """How the class's member differs from the ABC's: missing, wrong kind, incompatible types.

    Missing annotations are not judged here (the type-hinting rule counts
    them); a member found only as an abstract declaration is missing.
    """
    found = all_members(index, info).get(expected.name)
    if found is None:
        return [info.evidence(f"{info.name} lacks {expected.described}")]
    owner, member = found
    where = Evidence(owner.module.path, member.line, "")
    if member.abstract:
        return [Evidence(where.file, where.line,
                         f"{info.name}.{expected.name} is only declared abstract in {owner.name}, "
                         "never implemented")]
    function = member.function
    if function is not None and is_stub(function) and owner is not None and not member.abstract:
        if expected.kind == "method" or function.returns is not None:
            return [Evidence(where.file, where.line,
                             f"{info.name}.{expected.name} is a stub (its body does nothing)")]
    problems: list[str] = []
    is_property = property_like(member) or member.kind is MemberKind.ATTRIBUTE
    if expected.kind == "property" and not is_property:
        problems.append(f"is a {member.kind.value}, the ABC has a property")
    elif expected.kind == "method" and member.kind not in (MemberKind.METHOD,
                                                          MemberKind.CLASSMETHOD,
                                                          MemberKind.STATICMETHOD):
        problems.append(f"is a {'property' if is_property else member.kind.value}, "
                        "the ABC has a method")
    if problems:
        return [Evidence(where.file, where.line, f"{info.name}.{expected.name} {problems[0]}")]
    annotation = returns(member)
    if annotation is not None and not expected.returns(index, owner.module, annotation):
        problems.append(f"gives {ast.unparse(annotation)}, the ABC {expected.spelled}")
    if expected.kind == "property":
        if expected.settable and not settable(member):
            problems.append("is read-only, the ABC's property is read/write")
        setter = setter_of(owner, expected.name)
        if setter is not None and expected.accepts:
            problems += _parameter_problems(index, owner.module, setter, expected)
    elif function is not None:
        bound = member.kind is not MemberKind.STATICMETHOD
        required = required_parameters(function, bound=bound)
        wanted = [name for name, _ in expected.accepts]
        extra = required[len(wanted):]
        if extra:
            problems.append(f"requires {', '.join(extra)}, which the ABC's call does not give")
        problems += _parameter_problems(index, owner.module, function, expected, bound=bound)
    return [Evidence(where.file, where.line, f"{info.name}.{expected.name} {problem}")
            for problem in problems]


def _parameter_problems(index: SourceIndex, near: Module,
                        function: ast.FunctionDef | ast.AsyncFunctionDef, expected: Expected,
                        *, bound: bool = True) -> list[str]:
    params = parameters(function, bound=bound)
    problems = []
    for position, (name, accepts) in enumerate(expected.accepts):
        if position >= len(params):
            if function.args.vararg is None:
                problems.append(f"takes no parameter for the ABC's {name}")
            continue
        annotation = params[position].annotation
        if annotation is not None and not accepts(index, near, annotation):
            problems.append(f"parameter {params[position].arg}: {ast.unparse(annotation)} does "
                            f"not take the ABC's {name}")
    return problems


def derives_from(index: SourceIndex, info: ClassInfo, abc_name: str) -> bool:
    """Whether ``abc_name`` is among the class's bases (followed through the distribution)."""
    return abc_name in index.ancestors(info)


def implementations(index: SourceIndex, package: str | None, abc_name: str) -> Iterator[ClassInfo]:
    """Concrete classes of the package deriving from ``abc_name``."""
    for info in index.classes:
        if (in_package(info, package) and info.name != abc_name
                and derives_from(index, info, abc_name)
                and not any(member.abstract for member in info.members.values())):
            yield info


def implementation(index: SourceIndex, shape: DriverShape, abc_name: str,
                   referenced: ClassInfo | None) -> tuple[ClassInfo | None, str]:
    """The class implementing ``abc_name``, and how it was found.

    First the class the root's reference property returns; without one, the
    only concrete class of the package that derives from the ABC.
    """
    if referenced is not None:
        return referenced, "returned by the reference property"
    candidates = list(implementations(index, shape.package, abc_name))
    if len(candidates) == 1:
        return candidates[0], f"the package's only class deriving from {abc_name}"
    return None, ""
