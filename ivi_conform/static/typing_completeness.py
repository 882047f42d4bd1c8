"""How completely a driver's public API is annotated, symbol by symbol, from syntax trees.

"The driver package shall provide complete type-hinting." A type checker
does not say what is *missing* (mypy's default is silent about unannotated
code), so completeness is measured here: every public function, method,
property and variable of the driver package, each named when it lacks a hint.

What counts (after the typing community's "type completeness" guidance for
libraries, and PEP 484):

* public = not underscore-prefixed (dunder methods such as ``__init__`` and
  ``__getitem__`` are public), in a module none of whose dotted parts after
  the package is underscore-prefixed; a private module's names count when a
  public module re-exports them (``from ._driver import Driver``);
* a function or method is complete when every parameter (``*args`` and
  ``**kwargs`` included; ``self``/``cls`` excluded) and its return are
  annotated; ``__init__`` may leave out its return, which is always None;
  overloaded functions are judged by their ``@overload`` signatures; a
  property is one symbol (getter, setter and deleter together), and a
  ``x = property(_get_x, _set_x)`` call is complete when its getter's return
  and its setter's value are annotated;
* a module or class variable, and a public ``self.x`` instance variable, is
  complete when it is annotated somewhere (class body or ``self.x: T``), or
  when its type needs no annotation because every checker infers the same:
  a literal (``3``, ``"SR"``, ``True``, ``-1``, an f-string), an alias of
  another name, a type alias (``Opts = dict[str, str] | str``), a
  ``TypeVar``/``NewType``/functional ``NamedTuple``/``TypedDict``/``Enum``,
  or an enum member; ``None`` and containers (``[]``, ``{}``) need one;
* dunder variables (``__all__``, ``__version__``, ``__slots__``) are exempt;
* a module's ``.pyi`` stub, when the wheel ships one, is judged instead.

The measure is one pass over statement lists (expression trees are never
walked), so a generated driver of 50,000 members takes a fraction of its
parse time.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ivi_conform.model import Evidence
from ivi_conform.static.source import (
    BLOCKS,
    ClassInfo,
    Module,
    SourceIndex,
    facts_kind,
    nested_blocks,
    property_accessors,
    simple_name,
)

_ENUM_BASES = frozenset({"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "ReprEnum"})
_TYPE_FACTORIES = frozenset({
    "TypeVar", "ParamSpec", "TypeVarTuple", "NewType", "NamedTuple", "namedtuple",
    "TypedDict", "Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "TypeAliasType",
})
_BUILTIN_TYPES = frozenset({
    "int", "float", "complex", "str", "bytes", "bytearray", "bool", "object", "list", "dict",
    "tuple", "set", "frozenset", "type", "memoryview", "range", "slice",
})
_BLOCK_TYPES = frozenset({*BLOCKS, ast.Match})

Function = ast.FunctionDef | ast.AsyncFunctionDef
#: Attributes the built-in exception bases declare (typeshed): assigning them adds no symbol.
_BUILTIN_ATTRIBUTES: dict[str, frozenset[str]] = {
    "BaseException": frozenset({"args"}),
    "OSError": frozenset({"errno", "strerror", "filename", "filename2"}),
    "IOError": frozenset({"errno", "strerror", "filename", "filename2"}),
    "EnvironmentError": frozenset({"errno", "strerror", "filename", "filename2"}),
    "TimeoutError": frozenset({"errno", "strerror", "filename", "filename2"}),
    "ConnectionError": frozenset({"errno", "strerror", "filename", "filename2"}),
}


@dataclass(frozen=True)
class Gap:
    """One public symbol without complete hints: where it is and what it lacks."""

    file: str
    line: int
    name: str
    missing: tuple[str, ...]

    def evidence(self) -> Evidence:
        """The gap as report evidence."""
        return Evidence(self.file, self.line, f"{self.name}: no annotation for "
                        f"{', '.join(self.missing)}")


@dataclass(frozen=True)
class Completeness:
    """The measure: how many public symbols, which of them lack hints."""

    symbols: int
    gaps: tuple[Gap, ...]
    modules: int

    @property
    def complete(self) -> int:
        """Public symbols with complete hints."""
        return self.symbols - len(self.gaps)

    @property
    def percent(self) -> float:
        """The complete share, in percent (100 for a package with no public symbol)."""
        return 100.0 * self.complete / self.symbols if self.symbols else 100.0

    def summary(self) -> str:
        """``98.7 % of 1,234 public symbols fully annotated`` (never 100.0 % with a gap)."""
        shown = self.percent if not self.gaps else min(self.percent, 99.9)
        return f"{shown:.1f} % of {self.symbols:,} public symbols fully annotated"


@dataclass
class _Scope:
    """The names one module or class body binds, gathered before judging them."""

    functions: dict[str, list[Function]] = field(default_factory=dict)
    classes: list[ast.ClassDef] = field(default_factory=list)
    annotated: set[str] = field(default_factory=set)
    assigned: dict[str, ast.Assign] = field(default_factory=dict)
    declared: dict[str, int] = field(default_factory=dict)


def _flatten(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a scope, with those under if/try/with/loops (not in functions)."""
    pending = list(reversed(body))
    while pending:
        statement = pending.pop()
        if type(statement) in _BLOCK_TYPES:
            for block in reversed(nested_blocks(statement)):
                pending.extend(reversed(block))
        else:
            yield statement


def _scope(body: list[ast.stmt]) -> _Scope:
    scope = _Scope()
    for statement in _flatten(body):
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            scope.functions.setdefault(statement.name, []).append(statement)
        elif isinstance(statement, ast.ClassDef):
            scope.classes.append(statement)
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            scope.annotated.add(statement.target.id)
            scope.declared.setdefault(statement.target.id, statement.lineno)
        elif isinstance(statement, ast.Assign):
            for name in _bound_names(statement.targets):
                scope.assigned.setdefault(name, statement)
                scope.declared.setdefault(name, statement.lineno)
    return scope


def _bound_names(targets: list[ast.expr]) -> Iterator[str]:
    for target in targets:
        if isinstance(target, ast.Name):
            yield target.id
        elif isinstance(target, ast.Tuple | ast.List):
            yield from _bound_names(list(target.elts))


def _public(name: str) -> bool:
    return not name.startswith("_") or _dunder(name)


def _dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def _decorated(function: Function, name: str) -> bool:
    """Whether a decorator of the function is ``name`` (or ``x.name``), without building a set."""
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (target.attr if isinstance(target, ast.Attribute) else simple_name(target)) == name:
            return True
    return False


def _missing(function: Function, *, method: bool) -> list[str]:
    """What one ``def`` lacks: parameters (self/cls aside), *args, **kwargs, return."""
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    if method and positional and not _decorated(function, "staticmethod"):
        positional = positional[1:]
    missing = [f"parameter {arg.arg!r}" for arg in [*positional, *args.kwonlyargs]
               if arg.annotation is None]
    if args.vararg is not None and args.vararg.annotation is None:
        missing.append(f"*{args.vararg.arg}")
    if args.kwarg is not None and args.kwarg.annotation is None:
        missing.append(f"**{args.kwarg.arg}")
    if function.returns is None and function.name != "__init__":
        missing.append("return")
    return missing


def _inferable(value: ast.expr) -> bool:
    """Whether every checker infers the same type for a variable bound to ``value``."""
    if isinstance(value, ast.Constant):
        return value.value is not None
    if isinstance(value, ast.UnaryOp) and isinstance(value.operand, ast.Constant):
        return isinstance(value.operand.value, int | float | complex)
    if isinstance(value, ast.JoinedStr | ast.Name | ast.Attribute):
        return True
    if isinstance(value, ast.Call):
        return simple_name(value.func) in _TYPE_FACTORIES
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.BitOr):
        return _type_like(value.left) and _type_like(value.right)
    if isinstance(value, ast.Subscript):
        return _type_like(value)
    return False


def _type_like(expr: ast.expr) -> bool:
    """A type expression (for type aliases): ``X``, ``a.X``, ``X[...]``, ``X | Y``, None."""
    if isinstance(expr, ast.Constant):
        return expr.value is None or isinstance(expr.value, str)
    if isinstance(expr, ast.Name | ast.Attribute):
        name = simple_name(expr)
        return name[:1].isupper() or name in _BUILTIN_TYPES
    if isinstance(expr, ast.Subscript):
        return _type_like(expr.value)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
        return _type_like(expr.left) and _type_like(expr.right)
    return False


def _self_assignments(function: Function) -> list[tuple[str, ast.stmt, bool]]:
    """``self.x = v`` / ``self.x: T = v`` in a method: (x, statement, annotated).

    Only statement lists are walked (into if/for/while/with/try/match, not
    into nested functions or classes, whose ``self`` is another object).
    This runs for every method of a generated driver, hence ``type() is``.
    """
    args = function.args
    first = args.posonlyargs[0] if args.posonlyargs else args.args[0] if args.args else None
    if first is None:
        return []
    owner = first.arg
    found: list[tuple[str, ast.stmt, bool]] = []
    pending = function.body[::-1]
    while pending:
        statement = pending.pop()
        kind = type(statement)
        if kind is ast.Assign:
            assert isinstance(statement, ast.Assign)
            for target in statement.targets:
                if (type(target) is ast.Attribute and type(target.value) is ast.Name
                        and target.value.id == owner):
                    found.append((target.attr, statement, False))
        elif kind is ast.AnnAssign:
            assert isinstance(statement, ast.AnnAssign)
            target = statement.target
            if (type(target) is ast.Attribute and type(target.value) is ast.Name
                    and target.value.id == owner):
                found.append((target.attr, statement, True))
        elif kind in _BLOCK_TYPES:
            for block in reversed(nested_blocks(statement)):
                pending.extend(reversed(block))
    return found


def instance_attributes(node: ast.ClassDef) -> dict[str, tuple[ast.stmt, bool]]:
    """The ``self.x`` attributes a class's methods set: name → (first statement, annotated)."""
    found: dict[str, tuple[ast.stmt, bool]] = {}
    for statement in node.body:
        if (isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef)
                and not _decorated(statement, "staticmethod")):
            for name, where, annotated in _self_assignments(statement):
                first = found.get(name)
                if first is None:
                    found[name] = (where, annotated)
                elif annotated and not first[1]:
                    found[name] = (first[0], True)
    return found


#: One public symbol as a module's facts keep it: [gate, line, name, missing, condition].
#: ``gate`` is the module-level name it belongs to (a private module counts only the names
#: a public one re-exports); ``condition`` is what only the other modules can tell:
#: ``["enum", position]`` (complete if that class is an enum) or ``["base", position,
#: attribute]`` (no symbol if a base class declares it), ``position`` a ClassInfo's.
Symbol = list[Any]


class _Symbols:
    """One module's public symbols, from its tree alone (the map of :func:`measure`)."""

    def __init__(self, positions: Mapping[int, int] | None) -> None:
        #: ``id(class node)`` → its ClassInfo position; None for a stub (not indexed).
        self.positions = positions
        self.found: list[Symbol] = []

    def _symbol(self, gate: str, line: int, name: str, missing: list[str],
                condition: list[Any] | None = None) -> None:
        self.found.append([gate, line, name, missing, condition])

    def module(self, qualname: str, tree: ast.Module) -> list[Symbol]:
        """Every symbol of the module that a public module or a re-export could count."""
        scope = _scope(tree.body)
        self._functions(qualname, scope, None, method=False)
        for node in scope.classes:
            self.klass(node.name, f"{qualname}.{node.name}", node)
        for name, line in scope.declared.items():
            if _dunder(name) or name in scope.functions:
                continue
            statement = scope.assigned.get(name)
            inferable = statement is not None and _inferable(statement.value)
            self._symbol(name, line, f"{qualname}.{name}",
                         [] if name in scope.annotated or inferable else ["its type"])
        return self.found

    def _functions(self, qualname: str, scope: _Scope, gate: str | None, *,
                   method: bool) -> None:
        for name, defs in scope.functions.items():
            if method and not _public(name):
                continue
            overloads = [function for function in defs if _decorated(function, "overload")]
            missing: list[str] = []
            for function in overloads or defs:
                missing += [item for item in _missing(function, method=method)
                            if item not in missing]
            self._symbol(gate or name, defs[0].lineno, f"{qualname}.{name}", missing)

    def klass(self, gate: str, qualname: str, node: ast.ClassDef) -> None:
        """A class's methods, properties, class and instance variables (public ones)."""
        scope = _scope(node.body)
        self._functions(qualname, scope, gate, method=True)
        for inner in scope.classes:
            if _public(inner.name):
                self.klass(gate, f"{qualname}.{inner.name}", inner)
        position = self.positions.get(id(node)) if self.positions is not None else None
        direct_enum = any(simple_name(base) in _ENUM_BASES for base in node.bases)
        for name, line in scope.declared.items():
            if not _public(name) or _dunder(name) or name in scope.functions:
                continue
            assignment = scope.assigned.get(name)
            complete = name in scope.annotated or assignment is None
            if not complete and assignment is not None and _is_property_call(assignment.value):
                assert isinstance(assignment.value, ast.Call)
                self._symbol(gate, line, f"{qualname}.{name}",
                             _property_call_gaps(assignment.value, node))
                continue
            if not complete and assignment is not None:
                complete = direct_enum or _inferable(assignment.value)
            condition = ["enum", position] if not complete and position is not None else None
            self._symbol(gate, line, f"{qualname}.{name}", [] if complete else ["its type"],
                         condition)
        for name, (statement, annotated) in instance_attributes(node).items():
            if (not _public(name) or _dunder(name) or name in scope.declared
                    or name in scope.functions):
                continue
            complete = annotated or (
                isinstance(statement, ast.Assign) and _inferable(statement.value))
            based = ["base", position, name] if position is not None and node.bases else None
            self._symbol(gate, statement.lineno, f"{qualname}.{name}",
                         [] if complete else ["its type"], based)


@facts_kind("symbols")
def _module_symbols(module: Module) -> list[Symbol]:
    """A module's symbols (one of its facts: a function of its path and bytes)."""
    nodes = module.index.class_nodes(module)
    positions = {id(node): position for position, node in enumerate(nodes)}
    return _Symbols(positions).module(module.name, module.tree)


class _Conditions:
    """What only other modules tell of a class: is it an enum, does a base declare a name."""

    def __init__(self, index: SourceIndex) -> None:
        self.index = index

    def holds(self, module: Module, condition: list[Any]) -> bool:
        """Whether the condition is met (an enum; an attribute a base declares)."""
        info = self.index.index_classes(module)[condition[1]]
        if condition[0] == "enum":
            return any(name in _ENUM_BASES for name in self.index.ancestors(info))
        return self._declared_in_base(info, condition[2])

    def _declared_in_base(self, info: ClassInfo, name: str) -> bool:
        """A ``self.x = ...`` for an attribute a base class declares (annotated or a property).

        The bases are the candidate's own classes, and the built-in exceptions,
        whose attributes typeshed declares (``self.args = ...`` in an exception's
        ``__init__`` adds no symbol).
        """
        for base in info.base_names:
            parent = self.index.resolve(base, info.module)
            if parent is not None and self.index.find_member(parent, name) is not None:
                return True
        ancestors = self.index.ancestors(info)
        return any(name in attributes for base, attributes in _BUILTIN_ATTRIBUTES.items()
                   if any(ancestor == base or (base == "BaseException" and ancestor.endswith(
                       ("Error", "Exception", "Warning"))) for ancestor in ancestors))


def _is_property_call(value: ast.expr) -> bool:
    return isinstance(value, ast.Call) and simple_name(value.func) == "property"


def _property_call_gaps(call: ast.Call, owner: ast.ClassDef) -> list[str]:
    """What ``x = property(_get_x, _set_x)`` lacks: its hints are its accessors'.

    A ``property()`` call has no other place for a hint than the functions it
    names: the getter's return, the setter's value parameter.
    """
    getter, setter = property_accessors(call, owner)
    missing: list[str] = []
    if getter is None or getter.returns is None:
        missing.append("the getter's return")
    if setter is not None:
        parameters = [*setter.args.posonlyargs, *setter.args.args][1:]
        if not parameters or parameters[0].annotation is None:
            missing.append("the setter's value")
    return missing


def _private_module(name: str, package: str) -> bool:
    return any(part.startswith("_") for part in name[len(package):].split(".") if part)


def _reexports(index: SourceIndex, package: str) -> dict[str, set[str]]:
    """Names public modules re-export from the package's private modules: module → names.

    A name is re-exported when the public module lists it in ``__all__``;
    without ``__all__``, when the module is a package ``__init__`` or imports
    it as itself (``from ._x import A as A``, the PEP 484 stub convention).
    An import a module only uses, such as a helper class, is not API.
    """
    found: dict[str, set[str]] = {}
    for module in index.modules_of(package):
        if _private_module(module.name, package):
            continue
        facts = index.module_facts("exports", module)
        assert isinstance(facts, dict)
        exported = set(facts["all"]) if facts["all"] is not None else None
        is_init = module.path.endswith("__init__.py")
        for name, explicit in facts["imported"]:
            origin = index.imported_name(name, module)
            if origin is None or not name or name.startswith("_"):
                continue
            if not (name in exported if exported is not None else is_init or explicit):
                continue
            source, original = origin
            if source in index.modules and _private_module(source, package):
                if original == "*":
                    top = index.module_facts("exports", index.modules[source])
                    assert isinstance(top, dict)
                    found.setdefault(source, set()).update(
                        n for n in top["top"] if not n.startswith("_"))
                else:
                    found.setdefault(source, set()).add(original)
    return found


@facts_kind("exports")
def _export_facts(module: Module) -> dict[str, object]:
    """What a module's re-exports are read from: ``__all__``, its imports, its top names."""
    names = _dunder_all(module)
    return {"all": sorted(names) if names is not None else None,
            "imported": [[name, explicit] for name, explicit in _imported_names(module)],
            "top": sorted(_top_names(module))}


def _imported_names(module: Module) -> Iterator[tuple[str, bool]]:
    """(local name, re-exported explicitly as itself) of each ``from ... import``."""
    for statement in _flatten(module.tree.body):
        if isinstance(statement, ast.ImportFrom):
            for alias in statement.names:
                yield alias.asname or alias.name, alias.asname == alias.name


def _dunder_all(module: Module) -> set[str] | None:
    """The names of the module's ``__all__`` (assigned or extended), None without one."""
    names: set[str] | None = None
    for statement in module.tree.body:
        if isinstance(statement, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = (statement.targets if isinstance(statement, ast.Assign)
                       else [statement.target])
            if not any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                continue
            if isinstance(statement.value, ast.List | ast.Tuple):
                names = names or set()
                names.update(str(element.value) for element in statement.value.elts
                             if isinstance(element, ast.Constant))
    return names


def _top_names(module: Module) -> set[str]:
    scope = _scope(module.tree.body)
    return set(scope.functions) | {node.name for node in scope.classes} | set(scope.declared)


def measure(index: SourceIndex, package: str,
            files: Mapping[str, bytes] | None = None) -> Completeness:
    """Measure the public API of ``package`` in the index (``.pyi`` stubs from ``files``).

    Each module's symbols are one of its facts (map); what only other
    modules can tell (an enum base, an attribute a base declares, which
    names a private module's public ones re-export) is decided here (reduce),
    so a re-audit after a one-module change reads one tree.
    """
    conditions = _Conditions(index)
    reexported = _reexports(index, package)
    symbols = 0
    gaps: list[Gap] = []
    count = 0
    for module in index.modules_of(package):
        private = _private_module(module.name, package)
        if private and module.name not in reexported:
            continue
        path, found = module.path, None
        stub = f"{module.path}i"
        if files is not None and stub in files:
            try:
                tree = ast.parse(files[stub], filename=stub)
            except (SyntaxError, ValueError):
                pass
            else:  # a stub is not indexed: its classes are judged by their own bases only
                path, found = stub, _Symbols(None).module(module.name, tree)
        if found is None:
            facts = index.module_facts("symbols", module)
            assert isinstance(facts, list)
            found = facts
        only = frozenset(reexported[module.name]) if private else None
        for gate, line, name, missing, condition in found:
            if not (_public(gate) if only is None else gate in only):
                continue
            if condition is not None and conditions.holds(module, condition):
                if condition[0] == "base":
                    continue  # a base class declares it: no symbol of this class
                missing = []
            symbols += 1
            if missing:
                gaps.append(Gap(path, line, name, tuple(missing)))
        count += 1
    return Completeness(symbols, tuple(gaps), count)
