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
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ivi_conform.model import Evidence
from ivi_conform.source import ClassInfo, MemberKind, Module, SourceIndex, simple_name

if TYPE_CHECKING:
    from ivi_conform.engine import AuditContext


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
    them, string and tuple concatenation, and the fields of dataclass or
    NamedTuple instances built from constants.
    """

    def __init__(self, index: SourceIndex) -> None:
        self.index = index
        self._bindings: dict[str, dict[str, ast.expr]] = {}

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
            return UNKNOWN
        holder, member = found
        node = member.node
        if (
            member.kind is MemberKind.ATTRIBUTE
            and isinstance(node, ast.Assign | ast.AnnAssign)
            and node.value is not None
        ):
            return self.value(node.value, holder.module, owner=holder, depth=depth + 1)
        return UNKNOWN

    def _call(self, node: ast.Call, module: Module, sub: _Evaluate) -> object:
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


_PER_AUDIT: weakref.WeakKeyDictionary[AuditContext, StaticValues] = weakref.WeakKeyDictionary()


def static_values(context: AuditContext) -> StaticValues:
    """The audit's one evaluator (it caches module bindings)."""
    evaluator = _PER_AUDIT.get(context)
    if evaluator is None:
        evaluator = _PER_AUDIT[context] = StaticValues(context.source)
    return evaluator


def utility_returns(context: AuditContext, member: str) -> tuple[object, Evidence] | None:
    """What the utility class's ``member`` returns, when the driver spells it as a constant."""
    utility = context.driver.utility
    if utility is None:
        return None
    return static_values(context).returned(utility, member)
