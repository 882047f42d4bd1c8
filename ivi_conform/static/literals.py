"""Values a driver spells as constants, computed from its syntax tree without running it.

Several rules compare what the driver's API returns (``driver_vendor``,
``supported_instrument_models``, ``instrument_manufacturer``) with its
metadata and documents. Statically that is possible when the driver spells
the value as a constant; this module is the one evaluator all those rules
share. What it cannot compute is :data:`UNKNOWN`, and the rules then skip,
leaving the comparison to the behavioural run.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ivi_conform.model import Evidence
from ivi_conform.static.source import ClassInfo, MemberKind, Module, SourceIndex, simple_name

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext


class _Unknown:
    """The value of an expression that cannot be computed from the syntax alone."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()
_MAX_DEPTH = 24


class _Evaluate(Protocol):
    """The nested evaluator that ``StaticValues.value`` hands to its helpers."""

    def __call__(self, child: ast.expr, inner: dict[str, object] | None = None) -> object: ...


@dataclass(frozen=True)
class Record:
    """An instance of a dataclass or NamedTuple of the candidate, built from constants."""

    fields: dict[str, object]


def returns_of(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.Return]:
    """The function's own ``return`` statements (not those of nested functions)."""
    found: list[ast.Return] = []
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Return):
            found.append(node)
        elif not isinstance(
            node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
        ):
            pending.extend(ast.iter_child_nodes(node))
    return found


def _record_fields(info: ClassInfo) -> list[str] | None:
    """The positional fields of a dataclass or NamedTuple, in order; None for other classes."""
    decorators = {
        simple_name(d.func if isinstance(d, ast.Call) else d) for d in info.node.decorator_list
    }
    if "dataclass" not in decorators and "NamedTuple" not in info.base_names:
        return None
    return [
        statement.target.id
        for statement in info.node.body
        if isinstance(statement, ast.AnnAssign)
        and isinstance(statement.target, ast.Name)
        and "ClassVar" not in ast.unparse(statement.annotation)
    ]


class StaticValues:
    """Evaluate constant expressions of the candidate.

    Enough for the values drivers spell as constants: literals, module
    constants followed through imports (``from .models import MODELS``,
    ``models.MODELS``), class constants (``self._MODELS``), ``tuple``/
    ``list``/``sorted``/``set`` of such, dictionary keys, comprehensions over
    them, string and tuple concatenation, ``self.x`` set once to a constant
    or to an ``__init__`` argument every construction passes the same
    constant for, and the fields of dataclass or
    NamedTuple instances built from constants, and
    ``importlib.metadata.version(<this distribution>)``, which is the
    candidate's own version when ``distribution`` (name, version) is given.
    """

    def __init__(self, index: SourceIndex, distribution: tuple[str, str] | None = None) -> None:
        self.index = index
        self.distribution = distribution
        self._bindings: dict[str, dict[str, ast.expr]] = {}
        self._built: dict[int, list[tuple[ast.Call, Module, ClassInfo | None]]] = {}

    def returned(self, owner: ClassInfo, name: str) -> tuple[object, Evidence] | None:
        """What member ``name`` of ``owner`` (or a base) always returns, if constant."""
        found = self.index.find_member(owner, name)
        if found is None:
            return None
        holder, member = found
        function = member.function
        if function is None or member.abstract:
            return None
        values = [
            self.value(node.value, holder.module, owner=holder)
            for node in returns_of(function)
            if node.value is not None
        ]
        if not values or any(value is UNKNOWN for value in values):
            return None
        if not all(value == values[0] for value in values):
            return None
        return values[0], Evidence(holder.module.path, function.lineno, f"{holder.name}.{name}")

    def _module_bindings(self, module: Module) -> dict[str, ast.expr]:
        bindings = self._bindings.get(module.name)
        if bindings is None:
            bindings = {}
            for node in module.tree.body:
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            bindings[target.id] = node.value
                elif (
                    isinstance(node, ast.AnnAssign)
                    and isinstance(node.target, ast.Name)
                    and node.value is not None
                ):
                    bindings[node.target.id] = node.value
            self._bindings[module.name] = bindings
        return bindings

    def binding(self, name: str, module: Module, depth: int = 0) -> object:
        """The value a module-level name is bound to (last assignment), following imports."""
        if depth > _MAX_DEPTH:
            return UNKNOWN
        bound = self._module_bindings(module).get(name)
        if bound is not None:
            return self.value(bound, module, depth=depth + 1)
        imported = self.index.imported_name(name, module)
        if imported is not None and imported[0] in self.index.modules:
            return self.binding(imported[1], self.index.modules[imported[0]], depth + 1)
        return UNKNOWN

    def value(
        self,
        node: ast.expr,
        module: Module,
        env: dict[str, object] | None = None,
        *,
        owner: ClassInfo | None = None,
        depth: int = 0,
    ) -> object:
        """The value of an expression inside ``module`` (and class ``owner``), or UNKNOWN."""
        if depth > _MAX_DEPTH:
            return UNKNOWN
        scope = env or {}

        def sub(child: ast.expr, inner: dict[str, object] | None = None) -> object:
            return self.value(child, module, inner or scope, owner=owner, depth=depth + 1)

        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            items = [sub(element) for element in node.elts]
            return UNKNOWN if any(item is UNKNOWN for item in items) else tuple(items)
        if isinstance(node, ast.Dict):
            keys = [sub(key) if key is not None else UNKNOWN for key in node.keys]
            if any(key is UNKNOWN for key in keys):
                return UNKNOWN
            return dict(zip(keys, [sub(value) for value in node.values], strict=True))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = sub(node.left), sub(node.right)
            if isinstance(left, str) and isinstance(right, str):
                return left + right
            if isinstance(left, tuple) and isinstance(right, tuple):
                return left + right
            return UNKNOWN
        if isinstance(node, ast.Name):
            if node.id in scope:
                return scope[node.id]
            return self.binding(node.id, module, depth)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, module, owner, depth, sub)
        if isinstance(node, ast.Call):
            return self._call(node, module, sub)
        if isinstance(node, ast.DictComp | ast.ListComp | ast.SetComp | ast.GeneratorExp):
            return self._comprehension(node, scope, sub)
        return UNKNOWN

    def _attribute(
        self, node: ast.Attribute, module: Module, owner: ClassInfo | None, depth: int,
        sub: _Evaluate,
    ) -> object:
        if isinstance(node.value, ast.Name):
            if node.value.id in {"self", "cls"} and owner is not None:
                return self._class_constant(owner, node.attr, depth + 1)
            imported = self.index.imported_name(node.value.id, module)
            dotted = ".".join(part for part in imported if part) if imported else node.value.id
            if dotted in self.index.modules:
                return self.binding(node.attr, self.index.modules[dotted], depth + 1)
        base = sub(node.value)
        if isinstance(base, Record):
            return base.fields.get(node.attr, UNKNOWN)
        return UNKNOWN

    def _class_constant(self, owner: ClassInfo, name: str, depth: int) -> object:
        found = self.index.find_member(owner, name)
        if found is None:
            return self._instance_constant(owner, name, depth)
        holder, member = found
        node = member.node
        if (
            member.kind is MemberKind.ATTRIBUTE
            and isinstance(node, ast.Assign | ast.AnnAssign)
            and node.value is not None
        ):
            return self.value(node.value, holder.module, owner=holder, depth=depth + 1)
        return UNKNOWN

    def _instance_constant(self, owner: ClassInfo, name: str, depth: int) -> object:
        """``self.<name>`` set once in a method: to a constant, or to an ``__init__`` argument.

        An argument is followed to every place the candidate constructs the
        class (``Utility(session, __version__, VENDOR)``): the value is known
        when they all pass the same constant (or leave the same default).
        """
        if depth > _MAX_DEPTH:
            return UNKNOWN
        assignments: list[tuple[ClassInfo, ast.FunctionDef | ast.AsyncFunctionDef, ast.expr]] = []
        for holder in self.index.lineage(owner):
            for method in holder.node.body:
                if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(method):
                    value = _self_assignment(node, name)
                    if value is not None:
                        assignments.append((holder, method, value))
                    elif isinstance(node, ast.AugAssign | ast.Delete) and any(
                            isinstance(target, ast.Attribute) and target.attr == name
                            for target in (node.targets if isinstance(node, ast.Delete)
                                           else [node.target])):
                        return UNKNOWN  # changed after it is set
        if len(assignments) != 1:
            return UNKNOWN
        holder, method, value = assignments[0]
        arguments = method.args
        parameters = [arg.arg for arg in (*arguments.posonlyargs, *arguments.args,
                                          *arguments.kwonlyargs)]
        if isinstance(value, ast.Name) and value.id in parameters:
            if method.name != "__init__":
                return UNKNOWN
            return _immutable(self._argument(owner, method, value.id, depth + 1))
        local = set(parameters) | {target.id for node in ast.walk(method)
                                   if isinstance(node, ast.Assign | ast.AnnAssign | ast.For)
                                   for target in _targets(node) if isinstance(target, ast.Name)}
        if any(isinstance(node, ast.Name) and node.id in local for node in ast.walk(value)):
            return UNKNOWN
        return _immutable(self.value(value, holder.module, owner=holder, depth=depth + 1))


    def _argument(self, owner: ClassInfo, init: ast.FunctionDef | ast.AsyncFunctionDef,
                  parameter: str, depth: int) -> object:
        """The one value every construction of ``owner`` passes for ``parameter``."""
        arguments = init.args
        positional = [arg.arg for arg in (*arguments.posonlyargs, *arguments.args)][1:]
        defaults: dict[str, ast.expr] = dict(zip(
            positional[len(positional) - len(arguments.defaults):], arguments.defaults,
            strict=True))
        defaults.update({arg.arg: default for arg, default
                         in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
                         if default is not None})
        values: list[object] = []
        for call, module, within in self._constructions(owner):
            if any(isinstance(arg, ast.Starred) for arg in call.args) or any(
                    keyword.arg is None for keyword in call.keywords):
                return UNKNOWN
            given: ast.expr | None = next((keyword.value for keyword in call.keywords
                                           if keyword.arg == parameter), None)
            if given is None and parameter in positional:
                at = positional.index(parameter)
                given = call.args[at] if at < len(call.args) else None
            if given is None:
                default = defaults.get(parameter)
                if default is None:
                    return UNKNOWN
                values.append(self.value(default, owner.module, owner=owner, depth=depth + 1))
            else:
                values.append(self.value(given, module, owner=within, depth=depth + 1))
        if not values or any(value is UNKNOWN for value in values):
            return UNKNOWN
        return values[0] if all(value == values[0] for value in values) else UNKNOWN

    def _constructions(self, owner: ClassInfo
                       ) -> list[tuple[ast.Call, Module, ClassInfo | None]]:
        """Every ``Owner(...)`` call of the candidate, with the class it sits in (found once).

        Only the modules that could hold such a call are walked: a call
        ``N(...)`` builds ``owner`` only where ``N`` is the owner's name or a
        name the module imports, resolved to ``owner``, and ``N`` is then in
        the module's text. Walking every expression of a generated driver
        for each class asked about took seconds; most modules name none.
        """
        known = self._built.get(id(owner))
        if known is not None:
            return known
        built: list[tuple[ast.Call, Module, ClassInfo | None]] = []
        for module in self.index.modules.values():
            if not self._may_construct(module, owner):
                continue
            infos = dict(zip(map(id, self.index.class_nodes(module)),
                             self.index.index_classes(module), strict=True))
            pending: list[tuple[ast.AST, ClassInfo | None]] = [(module.tree, None)]
            while pending:
                node, within = pending.pop()
                if isinstance(node, ast.ClassDef):
                    within = infos.get(id(node), within)
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and self.index.resolve(node.func.id, module) is owner):
                    built.append((node, module, within))
                pending.extend((child, within) for child in ast.iter_child_nodes(node))
        self._built[id(owner)] = built
        return built

    def _may_construct(self, module: Module, owner: ClassInfo) -> bool:
        """Whether a ``N(...)`` call in ``module`` could build ``owner`` (its text names N)."""
        source = self.index.files.get(module.path)
        if source is None or not source.isascii():  # identifiers may be written normalised
            return True
        names = {owner.name, *self.index.imported_names(module)}
        return any(name.encode() in source and self.index.resolve(name, module) is owner
                   for name in names)

    def _call(self, node: ast.Call, module: Module, sub: _Evaluate) -> object:
        if self._is_metadata_version(node.func, module):
            return self._own_version(node, module, sub)
        name = simple_name(node.func)
        if name in {"tuple", "list", "sorted", "frozenset", "set"} and len(node.args) == 1:
            inner = sub(node.args[0])
            if isinstance(inner, dict):
                inner = tuple(inner)
            if not isinstance(inner, tuple | str):
                return UNKNOWN
            if name != "sorted":
                return tuple(inner)
            if not all(isinstance(element, str) for element in inner):
                return UNKNOWN
            return tuple(sorted(str(element) for element in inner))
        info = self.index.resolve(name, module) if isinstance(node.func, ast.Name) else None
        fields = _record_fields(info) if info is not None else None
        if fields is None or len(node.args) > len(fields):
            return UNKNOWN
        values: dict[str, object] = dict(zip(fields, (sub(arg) for arg in node.args),
                                             strict=False))
        for keyword in node.keywords:
            if keyword.arg is None:
                return UNKNOWN
            values[keyword.arg] = sub(keyword.value)
        return Record(values)

    def _is_metadata_version(self, func: ast.expr, module: Module) -> bool:
        """Whether ``func`` is ``importlib.metadata.version`` (or the backport's)."""
        if isinstance(func, ast.Name):
            return self.index.imported_name(func.id, module) in _METADATA_VERSION
        if not isinstance(func, ast.Attribute) or func.attr != "version":
            return False
        owner = ast.unparse(func.value)
        if owner in _METADATA_MODULES:
            return True
        imported = self.index.imported_name(owner, module) if "." not in owner else None
        return imported is not None and ".".join(filter(None, imported)) in _METADATA_MODULES

    def _own_version(self, node: ast.Call, module: Module, sub: _Evaluate) -> object:
        """The candidate's version, when the call asks for the candidate's distribution."""
        if self.distribution is None or len(node.args) != 1 or node.keywords:
            return UNKNOWN
        argument = node.args[0]
        if isinstance(argument, ast.Name) and argument.id in {"__name__", "__package__"}:
            asked: object = module.name.partition(".")[0]
        else:
            asked = sub(argument)
        name, version = self.distribution
        if isinstance(asked, str) and _normalized(asked) == _normalized(name):
            return version
        return UNKNOWN

    def _comprehension(
        self,
        node: ast.DictComp | ast.ListComp | ast.SetComp | ast.GeneratorExp,
        scope: dict[str, object],
        sub: _Evaluate,
    ) -> object:
        if len(node.generators) != 1:
            return UNKNOWN
        generator = node.generators[0]
        if generator.ifs or generator.is_async or not isinstance(generator.target, ast.Name):
            return UNKNOWN
        source = sub(generator.iter)
        if isinstance(source, dict):
            source = tuple(source)
        if not isinstance(source, tuple):
            return UNKNOWN
        keys: list[object] = []
        results: list[object] = []
        for element in source:
            inner = {**scope, generator.target.id: element}
            if isinstance(node, ast.DictComp):
                keys.append(sub(node.key, inner))
                results.append(sub(node.value, inner))
            else:
                results.append(sub(node.elt, inner))
        if any(key is UNKNOWN for key in keys):
            return UNKNOWN
        if isinstance(node, ast.DictComp):
            return dict(zip(keys, results, strict=True))
        return UNKNOWN if any(value is UNKNOWN for value in results) else tuple(results)


def _immutable(value: object) -> object:
    """``value`` if nothing can change it in place (a list or dict held in an attribute can)."""
    if value is None or isinstance(value, str | bytes | int | float | tuple | frozenset):
        return value
    return UNKNOWN


def _self_assignment(node: ast.AST, name: str) -> ast.expr | None:
    """The value of ``self.<name> = value`` (or annotated), if ``node`` is one."""
    targets = _targets(node) if isinstance(node, ast.Assign | ast.AnnAssign) else []
    value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
    if value is None:
        return None
    for target in targets:
        if (isinstance(target, ast.Attribute) and target.attr == name
                and isinstance(target.value, ast.Name) and target.value.id == "self"):
            return value
    return None


def _targets(node: ast.Assign | ast.AnnAssign | ast.For) -> list[ast.expr]:
    """The names and attributes an assignment or loop binds (tuples unpacked)."""
    raw = list(node.targets) if isinstance(node, ast.Assign) else [node.target]
    found: list[ast.expr] = []
    while raw:
        target = raw.pop()
        if isinstance(target, ast.Tuple | ast.List):
            raw.extend(target.elts)
        else:
            found.append(target)
    return found


_METADATA_MODULES = frozenset({"importlib.metadata", "importlib_metadata"})
_METADATA_VERSION = frozenset((module, "version") for module in _METADATA_MODULES)


def _normalized(name: str) -> str:
    """A distribution name as PyPA normalizes it (runs of - _ . become -, lower case)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def static_values(context: AuditContext) -> StaticValues:
    """The audit's one evaluator (it caches module bindings), a fact of the context."""
    return context.fact(_static_values)


def _static_values(context: AuditContext) -> StaticValues:
    return StaticValues(context.source, (context.dist.name, context.dist.version))


def utility_returns(context: AuditContext, member: str) -> tuple[object, Evidence] | None:
    """What the utility class's ``member`` returns, when the driver spells it as a constant."""
    utility = context.driver.utility
    if utility is None:
        return None
    return static_values(context).returned(utility, member)
