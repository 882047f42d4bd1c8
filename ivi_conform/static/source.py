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
import json
import re
import time
import weakref
from collections import defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ivi_conform import cache
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
    """One module of the candidate; its syntax tree is parsed on first use.

    A re-audit reads most modules through their remembered facts
    (:meth:`SourceIndex.module_facts`), so only the modules whose tree a rule
    really walks are parsed: after a one-module change, that one.
    """

    name: str
    path: str
    #: The index the module belongs to, held weakly: the index holds its modules, and a
    #: cycle would outlive the audit (the index's objects are frozen out of the collector).
    indexed_by: weakref.ReferenceType[SourceIndex] = field(compare=False, repr=False)

    @property
    def index(self) -> SourceIndex:
        """The index the module belongs to."""
        index = self.indexed_by()
        assert index is not None, "a module is used while its index lives"
        return index

    @property
    def tree(self) -> ast.Module:
        """The module's syntax tree (parsed once per audit)."""
        return self.index.tree_of(self.path)


#: How a call names the class it builds: ``("name", id)`` or ``("attr", module, id)``.
CallTarget = tuple[str, ...]
#: One import statement of a function: (``"from"``/``"import"``, level, module, (name, alias)s).
ImportForm = tuple[str, int, str | None, tuple[tuple[str, str | None], ...]]


class Member:
    """A member of a class: a method, property or attribute.

    ``node`` is the getter for a property, the ``def`` for a method, the
    assignment for an attribute; ``settable`` tells a read/write property.
    ``scope`` is set for an instance attribute: the method whose
    ``self.<name> = Class(...)`` creates it (``node`` is that assignment).
    ``node`` and ``scope`` come from the module's tree, parsed when first
    asked; ``returns``, ``annotation``, ``call`` and ``scope_imports`` are
    what the index resolves names with, kept with the module's facts.
    """

    __slots__ = ("name", "kind", "line", "settable", "abstract", "instance", "returns",
                 "annotation", "call", "scope_imports", "property_call", "_node", "_scope",
                 "_owner")

    def __init__(self, name: str, kind: MemberKind, node: ast.AST | None, line: int, *,
                 settable: bool = False, abstract: bool = False,
                 scope: ast.FunctionDef | ast.AsyncFunctionDef | None = None,
                 scope_imports: tuple[ImportForm, ...] = ()) -> None:
        self.name = name
        self.kind = kind
        self.line = line
        self.settable = settable
        self.abstract = abstract
        self._node = node
        self._scope = scope
        self._owner: weakref.ReferenceType[ClassInfo] | None = None  # weak: no cycle
        #: Whether it is an instance attribute built in a method (``scope`` is that method).
        self.instance = scope is not None
        function = node if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else None
        #: The simple name of the class the getter or method is annotated to return.
        self.returns: str | None = (
            simple_name(strip_optional(function.returns))
            if function is not None and function.returns is not None else None)
        #: An instance attribute's annotation (``self.x: T = ...``), simple name.
        self.annotation: str | None = (
            simple_name(strip_optional(node.annotation))
            if scope is not None and isinstance(node, ast.AnnAssign) else None)
        value = getattr(node, "value", None) if scope is not None else None
        #: The call that builds an instance attribute, as :data:`CallTarget`.
        self.call: CallTarget | None = (
            call_target(value.func) if isinstance(value, ast.Call) else None)
        #: The imports inside the method that builds an instance attribute.
        self.scope_imports = scope_imports
        #: ``name = property(...)`` whose getter is not a ``def`` of the class body.
        self.property_call = (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                              and simple_name(node.value.func) == "property")

    @classmethod
    def from_facts(cls, facts: list[Any], owner: ClassInfo) -> Member:
        """A member as the module's remembered facts hold it (:meth:`facts`); no node yet."""
        (name, kind, line, settable, abstract, instance, returns, annotation, call, imports,
         property_call) = facts
        member = cls.__new__(cls)
        member.name, member.kind, member.line = name, MemberKind(kind), line
        member.settable, member.abstract, member.instance = settable, abstract, instance
        member.returns, member.annotation = returns, annotation
        member.property_call = property_call
        member.call = tuple(call) if call is not None else None
        member.scope_imports = import_forms_of(imports)
        member._node = member._scope = None
        member._owner = weakref.ref(owner)
        return member

    def facts(self) -> list[object]:
        """What the index resolves names with, as JSON keeps it (:meth:`from_facts`)."""
        return [self.name, self.kind.value, self.line, self.settable, self.abstract,
                self.instance, self.returns, self.annotation,
                list(self.call) if self.call is not None else None,
                [[form, level, module, [list(alias) for alias in names]]
                 for form, level, module, names in self.scope_imports], self.property_call]

    @property
    def node(self) -> ast.AST:
        """The member's defining node, from the module's tree."""
        if self._node is None:
            self._attach()
        assert self._node is not None
        return self._node

    @property
    def scope(self) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """For an instance attribute, the method that creates it."""
        if self._node is None:
            self._attach()
        return self._scope

    @property
    def function(self) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The ``def`` behind a method or property getter."""
        if self.kind is MemberKind.ATTRIBUTE:
            return None
        node = self.node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node
        return None

    def _attach(self) -> None:
        """Take the node and scope from the members the owner's tree gives (same names)."""
        owner = self._owner() if self._owner is not None else None
        assert owner is not None, "a member is made with its node, or from the facts of a class"
        built = owner.built_members()[self.name]
        self._node, self._scope = built._node, built._scope


@dataclass(eq=False)
class ClassInfo:
    """A class of the candidate with its own members (not inherited ones).

    ``position`` is the class's place among the module's classes (the order
    :func:`class_defs` gives), by which its node is found in the tree when a
    rule asks for it.
    """

    name: str
    module: Module
    line: int
    base_names: tuple[str, ...]
    position: int
    members: dict[str, Member] = field(default_factory=dict)
    _node: ast.ClassDef | None = field(default=None, repr=False)
    _built: dict[str, Member] | None = field(default=None, repr=False)

    @property
    def node(self) -> ast.ClassDef:
        """The ``class`` statement, from the module's tree."""
        if self._node is None:
            self._node = self.module.index.class_nodes(self.module)[self.position]
        return self._node

    def built_members(self) -> dict[str, Member]:
        """The members as built from the tree (nodes attached), once."""
        if self._built is None:
            text = SourceText(self.module.index.files[self.module.path])
            self._built = _members(self.node, text)
        return self._built

    @property
    def qualname(self) -> str:
        """``module.Class``, for messages."""
        return f"{self.module.name}.{self.name}"

    def evidence(self, detail: str = "") -> Evidence:
        """Where the class is defined."""
        return Evidence(self.module.path, self.line, detail)


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
        forms: tuple[ImportForm, ...] | None = None
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
                    if forms is None:
                        forms = import_forms(walk_statements(function))
                    found[target.attr] = Member(target.attr, MemberKind.ATTRIBUTE, statement,
                                                statement.lineno, scope=function,
                                                scope_imports=forms)
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


#: A module's facts not yet asked for in this index (None is a fact like any other).
_UNKNOWN = object()

#: How many trees parsed for the index are kept (:meth:`SourceIndex._complete`).
TREES_HELD = 64

_Compute = TypeVar("_Compute", bound=Callable[[Module], object])

#: Every kind of module facts (:meth:`SourceIndex.module_facts`) by name, with what computes it.
FACT_KINDS: dict[str, Callable[[Module], object]] = {}


def facts_kind(kind: str) -> Callable[[_Compute], _Compute]:
    """Register ``compute`` as what gives a module's facts of ``kind``.

    A module parsed to index it has every registered kind taken from its tree
    at once, and only the last :data:`TREES_HELD` trees are kept
    (:meth:`SourceIndex._complete`): a generated driver's trees would
    otherwise be held for the whole audit (rsmxo's 5,278 take 270 MB). The
    rules ask by kind (:meth:`SourceIndex.module_facts`).
    """
    def register(compute: _Compute) -> _Compute:
        FACT_KINDS[kind] = compute
        return compute
    return register


class SourceIndex:
    """The candidate's Python modules and classes, from each module's facts.

    A module's facts (its classes, their members, its imports: what names
    are resolved with) are a function of its path and bytes, so they are
    remembered between audits by them (:meth:`module_facts`, when
    ``remember_as`` names the cache's scope and ivi-conform's code). A syntax
    tree is parsed only when a rule walks it (:attr:`Module.tree`,
    :attr:`ClassInfo.node`, :attr:`Member.node`): in a re-audit after a
    one-module change, that module's. ``parse_errors`` lists files that are
    not valid Python; they are left out of the index and reported by the
    rules that need them.
    """

    def __init__(self, files: Mapping[str, bytes],
                 remember_as: tuple[str, str] | None = None,
                 digest: Callable[[str], bytes] | None = None) -> None:
        #: The files indexed (the distribution's own mapping, not a copy), for text searches.
        self.files = files
        #: A file's content digest by path (the distribution's, taken once per audit).
        self._digest = digest or (lambda path: cache.content_digest(files[path]))
        self.modules: dict[str, Module] = {}
        self.parse_errors: list[Evidence] = []
        self.classes: list[ClassInfo] = []
        self._by_name: dict[str, list[ClassInfo]] = {}
        #: (module, class name) → the first class of that name the module defines.
        self._defined: dict[tuple[str, str], ClassInfo] = {}
        self._imports_of: dict[str, dict[str, tuple[str, str]]] = {}
        self._top_classes: dict[str, list[str]] = {}
        self._module_classes: dict[str, list[ClassInfo]] = {}
        self._trees: dict[str, ast.Module] = {}
        #: The modules parsed in this audit (some more than once: see :meth:`_complete`).
        self.parsed_paths: set[str] = set()
        self._held: deque[tuple[Module, list[ClassInfo]]] = deque()
        self._class_nodes: dict[str, list[ast.ClassDef]] = {}
        self._built: dict[str, list[tuple[ast.ClassDef, dict[str, Member]]]] = {}
        self._keys: dict[str, str] = {}
        #: The facts known in this audit: kind → module path → value (remembered or computed).
        self._facts: defaultdict[str, dict[str, object]] = defaultdict(dict)
        #: Every kind of every module's facts, one entry per module (made on first use).
        self._table: cache.Table | None = None
        self._remember_as = remember_as
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
            module = Module(name, path, weakref.ref(self))
            facts = self._facts_by("index", module, self._facts_of)
            assert isinstance(facts, dict)
            if facts["error"] is not None:
                line, message = facts["error"]
                self.parse_errors.append(Evidence(path, line, message))
                continue
            self.modules[name] = module
            self._imports_of[name] = {local: (base, imported)
                                      for local, base, imported in facts["imports"]}
            self._top_classes[name] = facts["top"]
            built = self._built.pop(path, None)  # the nodes, when parsed just now
            infos = self._module_classes[name] = []
            for position, (class_name, line, bases, members) in enumerate(facts["classes"]):
                info = ClassInfo(class_name, module, line, tuple(bases), position)
                info.members = {member[0]: Member.from_facts(member, info) for member in members}
                if built is not None:
                    info._node, info._built = built[position]
                    for member_name, member in info.members.items():
                        member._node = info._built[member_name]._node
                        member._scope = info._built[member_name]._scope
                self.classes.append(info)
                infos.append(info)
                self._by_name.setdefault(class_name, []).append(info)
                self._defined.setdefault((name, class_name), info)
            if built is not None:
                self._complete(module, infos)

    def _complete(self, module: Module, infos: list[ClassInfo]) -> None:
        """Take every kind of facts from the module's tree, just parsed; let older trees go.

        The last :data:`TREES_HELD` trees parsed for the index are kept (a
        re-audit parses the changed modules, and rules walk them again); an
        older one is let go (:meth:`_release`). What is derived meanwhile
        (:meth:`memo`) is not kept: it is keyed by nodes, whose ids the next
        trees reuse.
        """
        kept, self._memo = self._memo, {}
        try:
            for kind, compute in FACT_KINDS.items():
                try:
                    self._facts_by(kind, module, compute)
                except Exception:  # noqa: BLE001, S112 - the rule that asks meets it as its own
                    continue
        finally:
            self._memo = kept
        self._held.append((module, infos))
        if len(self._held) > TREES_HELD:
            self._release(*self._held.popleft())

    def _release(self, module: Module, infos: list[ClassInfo]) -> None:
        """Let a module's tree go: a rule that walks it later parses it again, and keeps it."""
        self._trees.pop(module.path, None)
        self._class_nodes.pop(module.path, None)
        for info in infos:
            info._node = info._built = None
            for member in info.members.values():
                member._node = member._scope = None

    def _facts_of(self, module: Module) -> dict[str, object]:
        """What the index keeps of a module (see :meth:`_index`), from its tree."""
        try:
            tree = module.tree
        except (SyntaxError, ValueError) as exc:
            line = exc.lineno if isinstance(exc, SyntaxError) else None
            return {"error": [line, f"not valid Python: {exc}"]}
        text = SourceText(self.files[module.path])
        built = [(node, _members(node, text)) for node in self.class_nodes(module)]
        self._built[module.path] = built
        return {
            "error": None,
            "imports": [[local, base, imported]
                        for local, (base, imported) in _module_imports(module).items()],
            "top": [node.name for node in tree.body if isinstance(node, ast.ClassDef)],
            "classes": [[node.name, node.lineno, [name for base in node.bases
                                                  if (name := simple_name(base))],
                         [member.facts() for member in members.values()]]
                        for node, members in built],
        }

    def module_facts(self, kind: str, module: Module) -> object:
        """The module's facts of ``kind``: what its function (:func:`facts_kind`) gives.

        A JSON value that is a function of the module's path and bytes,
        remembered between audits under those (and ivi-conform's code) when
        the index was made with ``remember_as``; the value is always the one
        JSON gives back (lists, not tuples), remembered or not, so a rule
        sees the same value either way. The function may read
        ``module.tree`` and nothing of any other module.
        """
        known = self._facts[kind].get(module.path, _UNKNOWN)  # 100,000 asks: one lookup each
        if known is _UNKNOWN:
            known = self._facts_by(kind, module, FACT_KINDS[kind])
        return known

    def class_facts(self, kind: str, info: ClassInfo) -> Any:
        """A class's entry in its module's facts of ``kind``.

        The kind's function gives one entry per class of the module, in
        :attr:`ClassInfo.position` order (:meth:`index_classes`).
        """
        facts = self.module_facts(kind, info.module)
        assert isinstance(facts, list)
        return facts[info.position]

    def _facts_by(self, kind: str, module: Module, compute: Callable[[Module], object]
                  ) -> object:
        """``compute(module)``, once per index, remembered as the facts of ``kind``."""
        known = self._facts[kind]
        value = known.get(module.path, _UNKNOWN)
        if value is _UNKNOWN:
            value = known[module.path] = self._module_facts(kind, module, compute)
        return value

    def _module_facts(self, kind: str, module: Module,
                      compute: Callable[[Module], object]) -> object:
        table = self._facts_table()
        key = self._keys.get(module.path)
        if key is None:
            key = self._keys[module.path] = cache.digest(module.path, self._digest(module.path))
        found = table.get(key) if table is not None else None
        kinds = found if isinstance(found, dict) else {}
        for known, value in kinds.items():  # the module's other kinds: asked next, no lookup
            self._facts[known].setdefault(module.path, value)
        if kind in kinds:
            return kinds[kind]
        value = json.loads(json.dumps(compute(module)))
        if table is not None:
            table.put(key, {**kinds, kind: value})
        return value

    def _facts_table(self) -> cache.Table | None:
        """The table of module facts: one entry per module, its kinds in it (one file per shard
        to read, not one per kind and shard)."""
        if self._table is None and self._remember_as is not None:
            scope, code = self._remember_as
            self._table = cache.Table("facts", code, scope)
        return self._table

    def save_facts(self) -> None:
        """Keep the module facts of this audit for the next (see :meth:`module_facts`).

        The facts of every module indexed are kept, asked for in this audit
        or not (an audit of a few rules must not drop the others' facts).
        """
        if self._table is not None:
            self._table.save(keep=self._keys.values())

    def tree_of(self, path: str) -> ast.Module:
        """The syntax tree of one module, parsed on first use."""
        tree = self._trees.get(path)
        if tree is None:
            tree = self._trees[path] = ast.parse(self.files[path], filename=path)
            self.parsed_paths.add(path)
        return tree

    @property
    def parsed(self) -> int:
        """How many modules were parsed in this audit (the rest came from their facts)."""
        return len(self.parsed_paths)

    def class_nodes(self, module: Module) -> list[ast.ClassDef]:
        """The module's ``class`` statements, in :class:`ClassInfo` ``position`` order."""
        nodes = self._class_nodes.get(module.path)
        if nodes is None:
            nodes = self._class_nodes[module.path] = list(_class_defs(module.tree.body))
        return nodes

    def index_classes(self, module: Module) -> list[ClassInfo]:
        """The module's classes, in ``position`` order (see :meth:`class_nodes`)."""
        return self._module_classes[module.name]

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
        """Names a module imports: local name → (absolute module, imported name)."""
        return self._imports_of[module_name]

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
        defined = self._defined.get((module_name, name))
        if defined is not None:
            return defined
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
        names = set(self._top_classes[package])
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
        pending = [(info, base) for base in info.base_names]
        while pending:
            owner, name = pending.pop(0)
            if name in seen:
                continue
            seen.append(name)
            parent = self.resolve(name, owner.module)
            if parent is not None and parent is not info:
                pending.extend((parent, grand) for grand in parent.base_names)
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
            pending.extend(parent for base in current.base_names
                           if (parent := self.resolve(base, current.module)))
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
            for base in current.base_names:
                parent = self.resolve(base, current.module)
                if parent is not None:
                    pending.append(parent)
        return None

    def returned_class(self, member: Member, owner: ClassInfo) -> ClassInfo | None:
        """The candidate class a property or method is annotated to return, if any."""
        if member.returns is None:
            return None
        return self.resolve(member.returns, owner.module)

    def constructed_class(self, module: Module, function: ast.FunctionDef | ast.AsyncFunctionDef,
                          func: ast.expr) -> ClassInfo | None:
        """The candidate's class a call in ``function`` builds: ``Child(...)``, ``mod.Child(...)``.

        Names imported inside the function (``from .child import ChildCls``, the
        lazy import of generated drivers) are followed before the module's own.
        """
        target = call_target(func)
        if target is None:
            return None
        return self.constructed(module, self.scope_forms(function), target)

    def constructed(self, module: Module, imports: tuple[ImportForm, ...],
                    target: CallTarget) -> ClassInfo | None:
        """The class a call builds, from its :data:`CallTarget` and its function's imports."""
        if target[0] == "name":
            local = self._local_import(module, imports, target[1])
            if local is not None:
                return local
            return self.resolve(target[1], module)
        _, value, attr = target
        imported = self.imported_name(value, module)
        dotted_module = ".".join(part for part in imported if part) if imported else None
        inner = _local_module(module, imports, value)
        for candidate in (inner, dotted_module, value):
            if candidate is not None and candidate in self.modules:
                return self._class_in(candidate, attr)
        return None

    def instance_class(self, owner: ClassInfo, member: Member) -> ClassInfo | None:
        """The class of an instance attribute: its annotation, else the class its call builds."""
        if not member.instance:
            return None
        if member.annotation is not None:
            annotated = self.resolve(member.annotation, owner.module)
            if annotated is not None:
                return annotated
        if member.call is not None:
            return self.constructed(owner.module, member.scope_imports, member.call)
        return None

    def imports_inside(self, function: ast.FunctionDef | ast.AsyncFunctionDef
                       ) -> list[ast.Import | ast.ImportFrom]:
        """The imports inside a function, in ``ast.walk``'s order, found once per function."""
        return self.memo(("imports-inside", id(function)), lambda: [
            node for node in walk_statements(function)
            if isinstance(node, ast.Import | ast.ImportFrom)])

    def scope_forms(self, function: ast.FunctionDef | ast.AsyncFunctionDef
                    ) -> tuple[ImportForm, ...]:
        """:meth:`imports_inside` as :data:`ImportForm` tuples, once per function."""
        return self.memo(("import-forms", id(function)),
                         lambda: import_forms(self.imports_inside(function)))

    def _local_import(self, module: Module, imports: tuple[ImportForm, ...],
                      name: str) -> ClassInfo | None:
        for form, level, base, names in imports:
            if form != "from":
                continue
            for alias, bound in names:
                if (bound or alias) == name:
                    found = self._class_in(import_base(module, level, base), alias)
                    if found is not None:
                        return found
        return None

    def _class_in(self, module_name: str, name: str) -> ClassInfo | None:
        """Class ``name`` of module ``module_name``, re-exports followed."""
        if module_name not in self.modules:
            return None
        return self.resolve(name, self.modules[module_name])


def call_target(func: ast.expr) -> CallTarget | None:
    """How a call's function names a class: ``Child`` or ``mod.Child``; None otherwise."""
    if isinstance(func, ast.Name):
        return ("name", func.id)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return ("attr", func.value.id, func.attr)
    return None


def import_forms(nodes: Iterable[ast.stmt]) -> tuple[ImportForm, ...]:
    """The import statements among ``nodes``, in order, as :data:`ImportForm` tuples."""
    forms: list[ImportForm] = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            forms.append(("from", node.level or 0, node.module,
                          tuple((alias.name, alias.asname) for alias in node.names)))
        elif isinstance(node, ast.Import):
            forms.append(("import", 0, None,
                          tuple((alias.name, alias.asname) for alias in node.names)))
    return tuple(forms)


def import_forms_of(facts: list[Any]) -> tuple[ImportForm, ...]:
    """:data:`ImportForm` tuples back from the lists JSON keeps them as."""
    return tuple((form, level, module, tuple((alias, bound) for alias, bound in names))
                 for form, level, module, names in facts)


def _module_imports(module: Module) -> dict[str, tuple[str, str]]:
    """Names a module's top-level ``from`` imports bind: local name → (module, name).

    Names imported for type checkers only (``if TYPE_CHECKING:``) name
    classes too (an annotation may use them); they come first, so that a
    runtime import of a name wins.
    """
    found: dict[str, tuple[str, str]] = {}
    tree = module.tree
    for node in [*_type_checking_imports(tree), *tree.body]:
        if isinstance(node, ast.ImportFrom):
            base = import_base(module, node.level, node.module)
            for alias in node.names:
                found[alias.asname or alias.name] = (base, alias.name)
    return found


def import_base(module: Module, level: int, base: str | None) -> str:
    """The absolute module a (possibly relative) ``from`` import in ``module`` names.

    ``from ..x import y`` in ``a/b/c.py`` names ``a.x``; in ``a/b/__init__.py``, ``a.x``
    too (a package's own ``.`` is itself).
    """
    is_package = module.path.endswith("__init__.py")
    package = module.name if is_package else module.name.rpartition(".")[0]
    if not level:
        return base or ""
    parts = package.split(".")
    parts = parts[: len(parts) - (level - 1)] if level > 1 else parts
    return ".".join([*parts, base] if base else parts)


def _local_module(module: Module, imports: tuple[ImportForm, ...], name: str) -> str | None:
    """The module a name bound by one of a function's ``imports`` stands for."""
    for form, level, base, names in imports:
        for alias, bound in names:
            if form == "from" and (bound or alias) == name:
                return f"{import_base(module, level, base)}.{alias}".strip(".")
            if form == "import" and bound == name:
                return alias
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
