"""The driver's code as syntax trees: modules, classes and their members.

Every static check reads the driver through this one index, built once per
audit, so that a generated driver with thousands of classes is parsed once
and looked up in constant time. Nothing here imports or runs driver code.
"""

from __future__ import annotations

import ast
import contextlib
import enum
import gc
import re
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from ivi_conform.model import Evidence

_T = TypeVar("_T")


class MemberKind(enum.StrEnum):
    """What a class member is, as the syntax shows it."""

    METHOD = "method"
    PROPERTY = "property"
    CLASSMETHOD = "classmethod"
    STATICMETHOD = "staticmethod"
    ATTRIBUTE = "attribute"


@dataclass(frozen=True)
class Module:
    """One parsed module of the candidate."""

    name: str
    path: str
    tree: ast.Module


@dataclass
class Member:
    """A member of a class: a method, property or attribute.

    ``node`` is the getter for a property, the ``def`` for a method, the
    assignment for an attribute; ``settable`` tells a read/write property.
    ``scope`` is set for an instance attribute: the method whose
    ``self.<name> = Class(...)`` creates it (``node`` is that assignment).
    """

    name: str
    kind: MemberKind
    node: ast.AST
    line: int
    settable: bool = False
    abstract: bool = False
    scope: ast.FunctionDef | ast.AsyncFunctionDef | None = None

    @property
    def function(self) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The ``def`` behind a method or property getter."""
        if isinstance(self.node, ast.FunctionDef | ast.AsyncFunctionDef):
            return self.node
        return None


@dataclass
class ClassInfo:
    """A class of the candidate with its own members (not inherited ones)."""

    name: str
    module: Module
    node: ast.ClassDef
    members: dict[str, Member] = field(default_factory=dict)

    @property
    def qualname(self) -> str:
        """``module.Class``, for messages."""
        return f"{self.module.name}.{self.name}"

    @property
    def base_names(self) -> tuple[str, ...]:
        """The bases as written: last dotted part, subscripts dropped (``Generic[T]``: Generic)."""
        return tuple(name for base in self.node.bases if (name := simple_name(base)))

    def evidence(self, detail: str = "") -> Evidence:
        """Where the class is defined."""
        return Evidence(self.module.path, self.node.lineno, detail)


def simple_name(expr: ast.expr) -> str:
    """The last name of ``a.b.C``, ``C[...]`` or ``"C"``; empty for anything else."""
    if isinstance(expr, ast.Subscript):
        return simple_name(expr.value)
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value.strip().rsplit(".", 1)[-1].split("[", 1)[0]
    return ""


def _decorator_names(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    names = []
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute):
            names.append(f"{simple_name(target.value)}.{target.attr}")
        else:
            names.append(simple_name(target))
    return names


def _members(node: ast.ClassDef, text: SourceText | None = None) -> dict[str, Member]:
    members: dict[str, Member] = {}
    for statement in node.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            decorators = _decorator_names(statement)
            abstract = "abstractmethod" in decorators or "abc.abstractmethod" in decorators
            setter = any(name.endswith(".setter") for name in decorators)
            if setter and statement.name in members:
                members[statement.name].settable = True
                continue
            if any(name.endswith(".deleter") for name in decorators):
                continue
            if "property" in decorators or "cached_property" in decorators:
                kind = MemberKind.PROPERTY
            elif "classmethod" in decorators:
                kind = MemberKind.CLASSMETHOD
            elif "staticmethod" in decorators:
                kind = MemberKind.STATICMETHOD
            else:
                kind = MemberKind.METHOD
            members[statement.name] = Member(
                statement.name, kind, statement, statement.lineno, abstract=abstract
            )
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            name = statement.target.id
            members.setdefault(
                name, Member(name, MemberKind.ATTRIBUTE, statement, statement.lineno)
            )
        elif isinstance(statement, ast.Assign):
            built = _property_call(statement, node)
            for target in statement.targets:
                if isinstance(target, ast.Name) and built is not None:
                    getter, settable = built
                    members[target.id] = Member(target.id, MemberKind.PROPERTY, getter,
                                                statement.lineno, settable=settable)
                elif isinstance(target, ast.Name):
                    members.setdefault(
                        target.id,
                        Member(target.id, MemberKind.ATTRIBUTE, statement, statement.lineno),
                    )
    for name, member in _instance_members(node, text).items():
        members.setdefault(name, member)
    return members


def _self_calls(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[str]:
    """Names of the ``self.<method>(...)`` calls in a function."""
    for node in ast.walk(function):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "self"):
            yield node.func.attr


class SourceText:
    """A module's source, split into lines on first use (most classes never ask)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._lines: list[bytes] | None = None

    def names_in(self, node: ast.stmt) -> set[bytes] | None:
        """The identifiers written in ``node``'s lines; None if they could be spelt otherwise.

        An identifier outside ASCII may be written in another form that Python
        normalises to it (NFKC), so non-ASCII text gives no answer.
        """
        if self._lines is None:
            self._lines = self._data.splitlines()  # the tokenizer's line ends: \n, \r\n, \r
        span = b"\n".join(self._lines[node.lineno - 1: node.end_lineno])
        return set(_IDENTIFIER.findall(span)) if span.isascii() else None


_IDENTIFIER = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")


def _instance_members(node: ast.ClassDef, text: SourceText | None = None
                      ) -> dict[str, Member]:
    """``self.<name> = Class(...)`` in ``__init__`` and in the methods it calls, as attributes.

    The IVI Core counts attributes as properties in object-oriented
    languages, so an object built in the constructor (directly or by a helper
    such as ``self._init_children()``) is as much a reference as an
    ``@property``. Only construction calls are taken: the class they build is
    resolved later (:meth:`SourceIndex.instance_class`); plain values are not
    the API's members. ``text``, the module's source, spares walking a
    method for ``self.<helper>(...)`` calls when no other method's name is
    even written in it (most constructors of a generated driver).
    """
    methods = {statement.name: statement for statement in node.body
               if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef)}
    found: dict[str, Member] = {}
    pending = ["__init__"] if "__init__" in methods else []
    seen: set[str] = set()
    while pending:
        name = pending.pop(0)
        if name in seen or name not in methods:
            continue
        seen.add(name)
        function = methods[name]
        for statement in walk_statements(function):
            if isinstance(statement, ast.Assign):
                targets, value = statement.targets, statement.value
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                targets, value = [statement.target], statement.value
            else:
                continue
            if not isinstance(value, ast.Call):
                continue
            for target in targets:
                if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                        and target.value.id == "self" and target.attr not in found):
                    found[target.attr] = Member(target.attr, MemberKind.ATTRIBUTE, statement,
                                                statement.lineno, scope=function)
        unseen = [method for method in methods if method not in seen]
        written = text.names_in(function) if text is not None and unseen else None
        if unseen and (written is None or any(method.encode() in written for method in unseen)):
            pending.extend(_self_calls(function))
    return found


def property_accessors(call: ast.Call, owner: ast.ClassDef
                       ) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef | None,
                                  ast.FunctionDef | ast.AsyncFunctionDef | None]:
    """The getter and setter ``defs`` a ``property(fget, fset, ...)`` call names in the class."""
    defs = {statement.name: statement for statement in owner.body
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef)}
    named: dict[str, ast.expr] = dict(zip(("fget", "fset"), call.args, strict=False))
    named.update({keyword.arg: keyword.value for keyword in call.keywords
                  if keyword.arg in {"fget", "fset"}})
    found = [defs.get(value.id) if isinstance(value, ast.Name) else None
             for value in (named.get("fget"), named.get("fset"))]
    return found[0], found[1]


def _property_call(statement: ast.Assign, owner: ast.ClassDef
                   ) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef, bool] | None:
    """``x = property(_get_x, _set_x, doc=...)``: the getter ``def`` and whether it is settable.

    Such a property is the same member as an ``@property``: its getter is the
    function the call names in the class body.
    """
    value = statement.value
    if not isinstance(value, ast.Call) or simple_name(value.func) != "property":
        return None
    getter, _ = property_accessors(value, owner)
    if getter is None:
        return None
    settable = len(value.args) > 1 or any(keyword.arg == "fset" for keyword in value.keywords)
    return getter, settable


#: Statements whose bodies are still the enclosing scope (a class defined there is importable).
BLOCKS = (ast.If, ast.Try, ast.TryStar, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)


def nested_blocks(statement: ast.stmt) -> list[list[ast.stmt]]:
    """The statement lists nested in a compound statement (not in functions or classes)."""
    if isinstance(statement, ast.Match):
        return [case.body for case in statement.cases]
    if not isinstance(statement, BLOCKS):
        return []
    blocks: list[list[ast.stmt]] = [statement.body]
    if not isinstance(statement, ast.With | ast.AsyncWith):
        blocks.append(statement.orelse)
    if isinstance(statement, ast.Try | ast.TryStar):
        blocks.extend(handler.body for handler in statement.handlers)
        blocks.append(statement.finalbody)
    return blocks


def _class_defs(body: list[ast.stmt]) -> Iterator[ast.ClassDef]:
    """The classes of a module: at its top, nested in classes, or under if/try/with/loops.

    Function bodies are not entered: a class defined inside a function is not
    part of any importable API, and skipping the bodies (most of a driver's
    nodes) keeps indexing a generated driver within a small multiple of parsing.
    """
    pending = list(reversed(body))
    while pending:
        statement = pending.pop()
        if isinstance(statement, ast.ClassDef):
            yield statement
            pending.extend(reversed(statement.body))
        else:
            for block in reversed(nested_blocks(statement)):
                pending.extend(reversed(block))


def statements(tree: ast.Module) -> Iterator[ast.stmt]:
    """Every statement of a module, at any depth (function and class bodies included).

    The same statements ``ast.walk`` gives (a statement only ever sits in a
    statement list: a body, an ``else``, a handler, a ``case``), without
    visiting the expressions, which are most of a generated module's nodes.
    The order is depth first, not ``ast.walk``'s.
    """
    pending: list[ast.AST] = list(reversed(tree.body))
    while pending:
        node = pending.pop()
        if isinstance(node, ast.stmt):
            yield node
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            block = getattr(node, name, None)
            if isinstance(block, list):
                pending.extend(reversed(block))


#: The nodes between a statement and the statements nested in it (``except``, ``case``).
_STATEMENT_HOLDERS = (ast.stmt, ast.excepthandler, ast.match_case)


def walk_statements(node: ast.AST) -> Iterator[ast.stmt]:
    """The statements inside ``node`` (itself included), in ``ast.walk``'s order.

    ``ast.walk`` visits every expression too, most of a function's nodes,
    although no expression holds a statement; this walk goes breadth first
    through statements, handlers and cases only, so the statements come in
    the very order ``ast.walk`` gives them (a search taking the first match
    finds the same one), several times faster.
    """
    pending = deque([node])
    while pending:
        current = pending.popleft()
        if isinstance(current, ast.stmt):
            yield current
        for name in current._fields:
            value = getattr(current, name, None)
            if isinstance(value, list):
                pending.extend(item for item in value if isinstance(item, _STATEMENT_HOLDERS))


def scopes(tree: ast.Module) -> Iterator[ast.Module | ast.ClassDef | ast.FunctionDef
                                          | ast.AsyncFunctionDef]:
    """The module and every class and function in it, at any depth (those with docstrings)."""
    yield tree
    for node in statements(tree):
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def module_name(path: str) -> str | None:
    """``pkg/sub/mod.py`` → ``pkg.sub.mod``; ``pkg/__init__.py`` → ``pkg``; else None."""
    if not path.endswith(".py") or ".dist-info/" in path or ".data/" in path:
        return None
    parts = path[:-3].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    return ".".join(parts)


@contextlib.contextmanager
def _parsing() -> Iterator[None]:
    """Keep Python's cyclic garbage collector off the syntax trees while they are built.

    A generated driver parses to millions of AST nodes that live as long as
    the audit. With the collector on, every generation's collection walks
    them all, again and again while they are being built and after: indexing
    took five times as long as parsing. The trees hold no reference cycles
    (a node refers only to its children), so they need no cyclic collection:
    they are built with the collector paused, then frozen (moved out of the
    generations it walks, ``gc.freeze``); reference counting still frees
    them when the audit drops the index. Garbage made before is collected
    first, so nothing else is frozen that the collector should have freed.
    """
    if not gc.isenabled():
        yield
        return
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


class SourceIndex:
    """The candidate's Python modules and classes, parsed once.

    ``parse_errors`` lists files that are not valid Python; they are left out
    of the index and reported by the rules that need them.
    """

    def __init__(self, files: Mapping[str, bytes]) -> None:
        #: The files indexed (the distribution's own mapping, not a copy), for text searches.
        self.files = files
        self.modules: dict[str, Module] = {}
        self.parse_errors: list[Evidence] = []
        self.classes: list[ClassInfo] = []
        self._by_name: dict[str, list[ClassInfo]] = {}
        self._import_cache: dict[str, dict[str, tuple[str, str]]] = {}
        self._memo: dict[Hashable, object] = {}
        started = time.perf_counter()
        with _parsing():
            self._index(files)
        #: How long the index took to build (the benchmark's "index" stage).
        self.seconds = time.perf_counter() - started

    def _index(self, files: Mapping[str, bytes]) -> None:
        for path in sorted(files):
            name = module_name(path)
            if name is None:
                continue
            try:
                tree = ast.parse(files[path], filename=path)
            except (SyntaxError, ValueError) as exc:
                line = exc.lineno if isinstance(exc, SyntaxError) else None
                self.parse_errors.append(Evidence(path, line, f"not valid Python: {exc}"))
                continue
            module = Module(name, path, tree)
            self.modules[name] = module
            text = SourceText(files[path])
            for node in _class_defs(tree.body):
                info = ClassInfo(node.name, module, node, _members(node, text))
                self.classes.append(info)
                self._by_name.setdefault(node.name, []).append(info)

    def memo(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """``compute()`` once per index: what is derived from the syntax trees, kept beside them.

        The derived facts (a class's inherited members, the hierarchy, a
        module's aliases) live as long as the trees they are read from, and no
        module keeps a cache of its own.
        """
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[return-value]

    @property
    def top_level_packages(self) -> list[str]:
        """Import packages at the top of the wheel (folders with ``__init__.py``)."""
        return sorted(
            name for name, module in self.modules.items()
            if "." not in name and module.path.endswith("/__init__.py")
        )

    def modules_of(self, package: str) -> Iterator[Module]:
        """The modules of one import package, the package itself first."""
        for name, module in self.modules.items():
            if name == package or name.startswith(package + "."):
                yield module

    def classes_named(self, name: str) -> list[ClassInfo]:
        """Every class of that simple name, anywhere in the candidate."""
        return self._by_name.get(name, [])

    def _imports(self, module_name: str) -> dict[str, tuple[str, str]]:
        """Names a module imports: local name → (absolute module, imported name).

        Cached on the index itself (not with ``functools.cache``, whose global
        cache would keep every index, and its syntax trees, alive for good).
        """
        cached = self._import_cache.get(module_name)
        if cached is not None:
            return cached
        module = self.modules[module_name]
        is_package = module.path.endswith("__init__.py")
        package = module_name if is_package else module_name.rpartition(".")[0]
        found: dict[str, tuple[str, str]] = {}
        # names imported for type checkers only (``if TYPE_CHECKING:``) name classes too (an
        # annotation may use them); they come first, so that a runtime import of a name wins
        for node in [*_type_checking_imports(module.tree), *module.tree.body]:
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)] if node.level > 1 else anchor
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    found[alias.asname or alias.name] = (base, alias.name)
        self._import_cache[module_name] = found
        return found

    def imported_names(self, module: Module) -> list[str]:
        """The names a module's top-level ``from`` imports bind."""
        return list(self._imports(module.name))

    def imported_name(self, name: str, near: Module) -> tuple[str, str] | None:
        """Where a name that module ``near`` imports comes from: (absolute module, name)."""
        return self._imports(near.name).get(name)

    def resolve(self, name: str, near: Module) -> ClassInfo | None:
        """The class a simple name means inside module ``near``.

        Order: a class defined in that module, then one it imports (followed
        through re-exports), then the only class of that name in the candidate.
        A name imported from another distribution is not the candidate's class.
        """
        return self._resolve(name, near.name, 0)

    def _resolve(self, name: str, module_name: str, depth: int) -> ClassInfo | None:
        if depth > 8 or module_name not in self.modules:
            return None
        for info in self.classes_named(name):
            if info.module.name == module_name:
                return info
        imported = self._imports(module_name).get(name)
        if imported is not None:
            source_module, source_name = imported
            if source_module in self.modules:
                return self._resolve(source_name, source_module, depth + 1)
            submodule = f"{source_module}.{source_name}"
            if submodule in self.modules or source_module.partition(".")[0] not in self.modules:
                return None  # a module, or a class of another distribution
        candidates = self.classes_named(name)
        return candidates[0] if len(candidates) == 1 else None

    def exported_classes(self, package: str) -> dict[str, ClassInfo]:
        """Classes importable from the package top: ``from package import Name``."""
        if package not in self.modules:
            return {}
        module = self.modules[package]
        names = {node.name for node in module.tree.body if isinstance(node, ast.ClassDef)}
        names.update(self._imports(package))
        exported = {}
        for name in names:
            info = self._resolve(name, package, 0)
            if info is not None:
                exported[name] = info
        return exported

    def ancestors(self, info: ClassInfo) -> list[str]:
        """Names of every base class, followed through the candidate's own classes."""
        seen: list[str] = []
        pending = [(info, base) for base in info.node.bases]
        while pending:
            owner, base = pending.pop(0)
            name = simple_name(base)
            if not name or name in seen:
                continue
            seen.append(name)
            parent = self.resolve(name, owner.module)
            if parent is not None and parent is not info:
                pending.extend((parent, grand) for grand in parent.node.bases)
        return seen

    def lineage(self, info: ClassInfo) -> list[ClassInfo]:
        """The class and its bases inside the candidate, nearest first (each once)."""
        found: list[ClassInfo] = []
        pending = [info]
        while pending:
            current = pending.pop(0)
            if any(current is seen for seen in found):
                continue
            found.append(current)
            pending.extend(parent for base in current.node.bases
                           if (parent := self.resolve(simple_name(base), current.module)))
        return found

    def find_member(self, info: ClassInfo, name: str) -> tuple[ClassInfo, Member] | None:
        """A member of the class or of one of its bases in the candidate."""
        seen: set[int] = set()
        pending = [info]
        while pending:
            current = pending.pop(0)
            if id(current) in seen:
                continue
            seen.add(id(current))
            if name in current.members:
                return current, current.members[name]
            for base in current.node.bases:
                parent = self.resolve(simple_name(base), current.module)
                if parent is not None:
                    pending.append(parent)
        return None

    def returned_class(self, member: Member, owner: ClassInfo) -> ClassInfo | None:
        """The candidate class a property or method is annotated to return, if any."""
        function = member.function
        if function is None or function.returns is None:
            return None
        return self.resolve(simple_name(strip_optional(function.returns)), owner.module)


    def constructed_class(self, module: Module, function: ast.FunctionDef | ast.AsyncFunctionDef,
                          func: ast.expr) -> ClassInfo | None:
        """The candidate's class a call in ``function`` builds: ``Child(...)``, ``mod.Child(...)``.

        Names imported inside the function (``from .child import ChildCls``, the
        lazy import of generated drivers) are followed before the module's own.
        """
        if isinstance(func, ast.Name):
            local = self._local_import(module, function, func.id)
            if local is not None:
                return local
            return self.resolve(func.id, module)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            imported = self.imported_name(func.value.id, module)
            dotted_module = ".".join(part for part in imported if part) if imported else None
            inner = _local_module(module, self.imports_inside(function), func.value.id)
            for candidate in (inner, dotted_module, func.value.id):
                if candidate is not None and candidate in self.modules:
                    return self._class_in(candidate, func.attr)
        return None

    def instance_class(self, owner: ClassInfo, member: Member) -> ClassInfo | None:
        """The class of an instance attribute: its annotation, else the class its call builds."""
        node, scope = member.node, member.scope
        if scope is None:
            return None
        if isinstance(node, ast.AnnAssign):
            annotated = self.resolve(simple_name(strip_optional(node.annotation)), owner.module)
            if annotated is not None:
                return annotated
        value = getattr(node, "value", None)
        if isinstance(value, ast.Call):
            return self.constructed_class(owner.module, scope, value.func)
        return None

    def imports_inside(self, function: ast.FunctionDef | ast.AsyncFunctionDef
                       ) -> list[ast.Import | ast.ImportFrom]:
        """The imports inside a function, in ``ast.walk``'s order, found once per function."""
        return self.memo(("imports-inside", id(function)), lambda: [
            node for node in walk_statements(function)
            if isinstance(node, ast.Import | ast.ImportFrom)])

    def _local_import(self, module: Module, function: ast.FunctionDef | ast.AsyncFunctionDef,
                      name: str) -> ClassInfo | None:
        for node in self.imports_inside(function):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        found = self._class_in(_anchor(module, node.level, node.module),
                                               alias.name)
                        if found is not None:
                            return found
        return None

    def _class_in(self, module_name: str, name: str) -> ClassInfo | None:
        """Class ``name`` of module ``module_name``, re-exports followed."""
        if module_name not in self.modules:
            return None
        return self.resolve(name, self.modules[module_name])


def _anchor(module: Module, level: int, base: str | None) -> str:
    """The absolute module a (possibly relative) ``from`` import in ``module`` names."""
    is_package = module.path.endswith("__init__.py")
    package = module.name if is_package else module.name.rpartition(".")[0]
    if not level:
        return base or ""
    parts = package.split(".")
    parts = parts[: len(parts) - (level - 1)] if level > 1 else parts
    return ".".join([*parts, base] if base else parts)


def _local_module(module: Module, imports: list[ast.Import | ast.ImportFrom],
                  name: str) -> str | None:
    """The module a name bound by one of a function's ``imports`` stands for."""
    for node in imports:
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    return f"{_anchor(module, node.level, node.module)}.{alias.name}".strip(".")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname == name:
                    return alias.name
    return None


def strip_optional(annotation: ast.expr) -> ast.expr:
    """``X | None`` / ``Optional[X]`` → ``X``; anything else unchanged."""
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        left, right = annotation.left, annotation.right
        for side, other in ((left, right), (right, left)):
            if isinstance(other, ast.Constant) and other.value is None:
                return side
    if (
        isinstance(annotation, ast.Subscript)
        and simple_name(annotation.value) == "Optional"
    ):
        return annotation.slice
    return annotation


def _type_checking_imports(tree: ast.Module) -> list[ast.stmt]:
    """The statements of a module's top-level ``if TYPE_CHECKING:`` blocks."""
    return [statement for node in tree.body
            if isinstance(node, ast.If) and _is_type_checking(node.test)
            for statement in node.body]


def _is_type_checking(test: ast.expr) -> bool:
    """``TYPE_CHECKING`` or ``typing.TYPE_CHECKING`` (the only guard type checkers assume true)."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
