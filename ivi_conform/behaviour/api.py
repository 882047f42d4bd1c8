"""The driver's API, found by introspection and by watching what each call sends.

No exercise assumes a member name of the reference driver; every exercise
finds what it needs here, in one of two ways.

* **Walking** (:func:`api_members`, :class:`Walker`): every property read (and
  written back), every method called once with plausible arguments, and for
  each step what the driver sent and what the instrument refused meanwhile.
  The members come from the agent's ``describe`` (type hints find references
  and collections), then from the classes' own dictionaries for what hints do
  not show (descriptors other than ``property``, nodes without annotations).
* **Mapping** (:func:`discover`, :class:`ApiMap`): reading each member once
  against the live simulator shows which SCPI query it sends (``PAN2:POS?``),
  whatever its name, so that an exercise asks for "the member that reads
  ``MOT:SPE?``" or "the member that sets ``PAN2:POS``". A member is a
  property, or methods that read and write a setting together (a get()/set()
  pair on an object, get_x()/set_x() siblings, a query method): the spec
  leaves that form to the vendor, and :class:`Access` carries how to read and
  write each (:func:`readings`, :func:`get`, :func:`put`). A
  selector-style repeated capability (a method that selects the active panel
  for the members that follow) is found the same way: calling a one-argument
  method that sends nothing, then reading again, changes the panel suffix of
  what the reads send.

A collection is entered through the keys it lists (:func:`listed`): a
mapping's keys (str, int, Enum members: indexed with the very object
listed); for a sequence, the name or position that gives each item back, as
the agent finds by trying (1-based sequences included). :func:`commands_of`
names the SCPI commands a message holds as the live simulator parses them.
Direct I/O is left out of a walk (it sends whatever it is given), and so are
the methods that end the session or block by design.
"""

from __future__ import annotations

import ast
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ivi_conform.behaviour.exercises import (
    ChargedElsewhereError,
    NotApplicableError,
    NotJudgedError,
    Stillness,
    quiesce,
)
from ivi_conform.behaviour.harness import Call, DriverRef, Harness, plain, show
from ivi_conform.behaviour.protocol import EnumValue, Remote, Scalar, Sequence, encode_value
from ivi_conform.behaviour.wire import attr_form
from ivi_conform.sim import MODELS
from ivi_conform.sim.scpi import Call as Parsed
from ivi_conform.sim.scpi import canonical, parse_program
from ivi_conform.static.api_shape import hierarchy_of

if TYPE_CHECKING:
    from ivi_conform.sim import LiveSimulator, ModelSpec, TraceEntry

#: Agent path steps: ``[["attr", "panels"], ["item", "1"], ["attr", "position"]]``.
Steps = list[list[object]]
#: The same path, hashable: ``(("attr", "panels"), ("item", "1"), ...)``.
Path = tuple[tuple[str, object], ...]

#: Methods never called: they end the session, hold a lock, block by design, read a reply
#: nobody asked for, or send whatever they are given.
NOT_CALLED = frozenset({"close", "locked", "read_bytes", "read_string", "write_bytes",
                        "write_string", "wait_for_motion", "__enter__", "__exit__"})

#: Subtrees never walked: direct I/O sends whatever it is given.
NOT_WALKED = ("ivi_direct_io",)
#: Settings of ivi_utility that a walk leaves alone (they change how the driver behaves).
NOT_SET = frozenset({"ivi_utility.query_instrument_status_enabled",
                     "ivi_utility.query_instrument_status", "ivi_utility.simulation_enabled",
                     "ivi_utility.simulate"})
#: The status queries of the sunroof (IEEE 488.2 and SCPI), canonical names.
STATUS_QUERIES = frozenset({"SYST:ERR?", "SYST:ERR:COUN?", "*ESR?", "*STB?"})
#: Arguments tried for a parameter, by the name of its type; the first call that returns wins.
CANDIDATES: dict[str, tuple[object, ...]] = {
    "int": (1, 30, 20, 2), "float": (1.0, 30.0), "bool": (True, False), "str": ("1",),
}
#: At most this many argument combinations per method.
MAX_TRIES = 6
#: The time one exercise may spend walking the API (within the audit's --timeout).
WALK_S = 90.0


#: How deep the walk follows references, collections and nodes.
MAX_DEPTH = 5
#: Property types that say nothing (no hint, ``Any``): the value read decides what it is.
UNTYPED = frozenset({"Any", "None", "object", "typing.Any"})


@dataclass(frozen=True)
class Key:
    """One key a collection lists: how to show it, and what indexes the collection with it."""

    shown: object
    ref: object

    def __repr__(self) -> str:
        shown = plain(self.shown)
        if isinstance(shown, EnumValue):
            return f"{shown.type.rsplit('.', 1)[-1]}.{shown.name}"
        return show(self.shown)

    @property
    def text(self) -> str:
        """The key as text, for comparing with an item's ``name``."""
        value = plain(self.shown)
        if isinstance(value, EnumValue):
            return str(plain(value.value))
        return str(value)

    def matches(self, name: object) -> bool:
        """Whether an item's ``name`` is the physical identifier that corresponds to this key.

        A string key is the identifier itself (the spec's ``dict[str, Trigger]``):
        the name must equal it. An int or an Enum member only corresponds to
        one: the name must be a non-empty string that contains the number (or
        the member's name or value), ``"PAN1"`` for ``1`` say.
        """
        value = plain(name)
        shown = plain(self.shown)
        if isinstance(shown, str):
            return str(value) == shown
        if not isinstance(value, str) or not value.strip():
            return False
        if isinstance(shown, EnumValue):
            tokens = [shown.name, str(plain(shown.value))]
        else:
            tokens = [str(shown)]
        return any(token and token.lower() in value.lower() for token in tokens)


#: How a member is read and written (:attr:`Access.form`). The spec leaves the form of a
#: setting to the vendor (its hierarchy example ends in a method): all four are members.
PROPERTY = "property"  # read and assigned: ``motor.speed``, ``motor.speed = 20``
PAIR = "pair"  # an object with get() and set(value): ``motor.speed.get()``, ``.set(20)``
ACCESSORS = "accessors"  # sibling methods: ``motor.get_speed()``, ``motor.set_speed(20)``
QUERY = "query"  # a method of no argument whose call reads: ``motor.current.get()``


@dataclass(frozen=True)
class Access:
    """How to reach one member: an optional selector call first, then a path; and its form.

    ``steps`` lead to the property, to the object holding ``get()``/``set()``
    (a pair), or to the reading method (``get_speed``, a query method), so
    that ``steps[:-1]`` is always the object the member belongs to.
    """

    label: str
    steps: Steps
    select: tuple[Steps, object] | None = None
    form: str = PROPERTY

    def reading(self) -> tuple[Steps, bool]:
        """The path read, and whether it is a method called with no argument."""
        if self.form == PAIR:
            return [*self.steps, ["attr", "get"]], True
        return self.steps, self.form != PROPERTY

    def writing(self) -> Steps | None:
        """The path of the method called with the value; None for an assignment."""
        if self.form == PAIR:
            return [*self.steps, ["attr", "set"]]
        if self.form == ACCESSORS:
            return [*self.steps[:-1], ["attr", "set_" + str(self.steps[-1][1])[len("get_"):]]]
        return None

    @property
    def read_shown(self) -> str:
        """The reading as the user writes it: ``motor.speed``, ``motor.speed.get()``."""
        return self.label + {PROPERTY: "", PAIR: ".get()"}.get(self.form, "()")

    def write_shown(self, value: object) -> str:
        """The writing as the user writes it: ``panels['Panel1'].position.set(1)``."""
        if self.form == PAIR:
            return f"{self.label}.set({value!r})"
        if self.form == ACCESSORS:
            head, _, name = self.label.rpartition("get_")
            return f"{head}set_{name}({value!r})"
        return f"{self.label} = {value!r}"


@dataclass(frozen=True)
class Selector:
    """A selector-style repeated capability: a method of one argument that selects the panel.

    ``choices`` are the arguments that selected a panel during discovery
    (each made the reads address another one); ``hint`` is the parameter's
    type, for drawing an argument that selects nothing.
    """

    path: str
    steps: Steps
    hint: str
    choices: tuple[int | str, ...]


@dataclass
class ApiMap:
    """Canonical SCPI queries (``MOT:SPE?``) and the members whose reading sends them."""

    queries: dict[str, Access] = field(default_factory=dict)
    settable: set[str] = field(default_factory=set)
    selectors: dict[str, Selector] = field(default_factory=dict)
    #: Accesses whose selection is the one left active after discovery (plain reads reach it).
    active: set[str] = field(default_factory=set)

    def plain(self, query: str) -> Access | None:
        """The member reading ``query`` without a selector call first, if there is one.

        A selector-style member whose selection is the one left active is read
        as it is: no thread then changes the selection under another.
        """
        access = self.queries.get(query)
        if access is None:
            return None
        if access.select is None:
            return access
        return replace(access, select=None) if access.label in self.active else None

    def reader(self, query: str) -> Access | None:
        """The member whose reading sends ``query`` (``PAN2:POS?``)."""
        return self.queries.get(query)

    def setter(self, query: str) -> Access | None:
        """The member that reads ``query`` and is settable (presumably sending the set form)."""
        access = self.queries.get(query)
        return access if access is not None and access.label in self.settable else None


@dataclass(frozen=True)
class Member:
    """One concrete member: ``panels[1].position`` and how to reach it."""

    label: str
    path: Path
    kind: str  # "property" | "method"
    type: str = ""  # the property's type, or the method's return type
    settable: bool = False
    params: tuple[tuple[str, str, bool], ...] = ()  # (name, type, required)

    def steps(self) -> list[list[object]]:
        return [[op, key] for op, key in self.path]


@dataclass
class Step:
    """One call of a walk: what was done, how it ended, and what went over the wire."""

    member: Member
    action: str  # "get" | "set" | "call"
    args: tuple[object, ...]
    call: Call
    entries: list[TraceEntry] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)  # error codes queued during the call
    queued: tuple[int, ...] = ()  # the instrument's error queue after the call

    @property
    def shown(self) -> str:
        if self.action == "get":
            return self.member.label
        if self.action == "set":
            return f"{self.member.label} = {self.args[0]!r}"
        return f"{self.member.label}({', '.join(repr(a) for a in self.args)})"

    @property
    def sent(self) -> list[str]:
        return [e.message for e in self.entries if e.direction == "in"]


class ErrorLog:
    """Every error the simulated instrument queues, in order (its ``push_error`` is wrapped).

    The queue itself can be drained by the driver within a call; the log
    keeps what was refused, whatever the driver did with it afterwards.
    """

    def __init__(self, simulator: LiveSimulator) -> None:
        self.codes: list[int] = []
        instrument = simulator.instrument
        original = instrument.push_error

        def record(code: object) -> None:
            self.codes.append(int(code))  # type: ignore[call-overload]
            original(code)  # type: ignore[arg-type]

        setattr(instrument, "push_error", record)  # noqa: B010 - an instance override


# -- the hierarchy ------------------------------------------------------------------------------


def describe(driver: DriverRef, path: Path = ()) -> list[dict[str, object]]:
    """The hierarchy under the object at ``path`` as the agent describes it (from type hints).

    Properties, methods, reference properties and collections, with path
    templates such as ``panels[].position``.
    """
    package = driver.harness.context.driver.package or ""
    target = driver
    if path:
        got = driver.request("get", "reaching an object to describe", 10.0, path=wire(path))
        if not got.ok or not isinstance(got.value, Remote):
            return []
        target = driver.ref(got.value, "object")
    call = target.request("describe", "describing the driver's hierarchy", 10.0,
                          package=package)
    if not call.ok or not isinstance(call.value, list):
        return []
    return [entry for entry in call.value if isinstance(entry, dict)]


#: The root's hierarchy (:func:`describe` at the driver itself).
members = describe


def wire(path: Path) -> Steps:
    """A path as agent steps."""
    return [[op, key] for op, key in path]


def steps_of(dotted: str) -> Steps:
    """``motor.speed`` as agent path steps."""
    return [["attr", part] for part in dotted.split(".") if part]


def listed(driver: DriverRef, steps: Steps, label: str) -> list[Key]:
    """The keys a collection lists, each with what indexes it (a handle for objects)."""
    got = driver.request("keys", f"iterating driver.{label}", 10.0, path=steps)
    if not got.ok or not isinstance(got.value, dict):
        return []
    value = got.value
    raw = value.get("keys") if value.get("mapping") or "keys" in value else value.get("names")
    handles = value.get("handles")
    if not isinstance(raw, list):
        return []
    keys: list[Key] = []
    for index, key in enumerate(raw):
        shown = plain(key)
        handle = handles[index] if isinstance(handles, list) and index < len(handles) else None
        if isinstance(shown, str | int) and not isinstance(shown, bool) or not isinstance(
                handle, int):
            keys.append(Key(shown, shown))
        else:  # an Enum member or another object: index with the very object listed
            keys.append(Key(shown, Remote(handle, "key")))
    return keys


def _expand(driver: DriverRef, base: Path, base_label: str, template: str,
            limit: int = 4) -> Iterator[tuple[Path, str]]:
    """``panels[].position`` below ``base`` as concrete paths, one per key (at most ``limit``)."""

    def go(parts: list[str], path: Path, label: str) -> Iterator[tuple[Path, str]]:
        part, rest = parts[0], parts[1:]
        for name in [p for p in part.split(".") if p]:
            path = (*path, ("attr", name))
            label = f"{label}.{name}" if label else name
        if not rest:
            yield path, label
            return
        for key in listed(driver, wire(path), label)[:limit]:
            yield from go(rest, (*path, ("item", encode_value(key.ref))), f"{label}[{key!r}]")

    yield from go(template.split("[]"), base, base_label)


def expand(driver: DriverRef, template: str) -> list[tuple[str, Steps]]:
    """``panels[].position`` as ``panels['1'].position``... (label, steps), by listing keys."""
    return [(label, wire(path)) for path, label in _expand(driver, (), "", template)]


def enum_ref(driver: DriverRef, value: EnumValue) -> object | None:
    """The request form of the driver's enum member ``value`` (its class found in the child).

    The class is imported in the child by its qualified name, through the
    root class's own ``__import__``, so that an enum-keyed collection can be
    indexed and an enum-typed property written back.
    """
    root = driver.harness.root_class()
    importer: Call | None = None
    for tail in (["item", "__import__"], ["attr", "__import__"]):
        importer = root.request("get", "finding __import__", 10.0, path=[
            ["attr", "__init__"], ["attr", "__globals__"], ["item", "__builtins__"], tail])
        if importer.ok:
            break
    if importer is None or not importer.ok or not isinstance(importer.value, Remote):
        return None
    function = driver.ref(importer.value, "__import__")
    parts = value.type.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module = ".".join(parts[:cut])
        loaded = function.request("call", f"__import__({module!r})", 10.0, path=[],
                                  args=encode_value([module, None, None, [parts[cut]]]))
        if not loaded.ok or not isinstance(loaded.value, Remote):
            continue
        found = driver.ref(loaded.value, module).request(
            "get", f"{value.type}", 10.0, path=[["attr", part] for part in parts[cut:]])
        if found.ok and isinstance(found.value, Remote):
            return attr_form(found.value.handle, value.name)
    return None


def wire_value(driver: DriverRef, value: object) -> object | None:
    """A value the driver returned, in the form a request sends back; None if it cannot."""
    if isinstance(value, Scalar):
        value = value.value
    if isinstance(value, EnumValue):
        return enum_ref(driver, value)
    if isinstance(value, Sequence | Remote) or value is None:
        return None
    return encode_value(value)


def api_members(driver: DriverRef) -> list[Member]:
    """Every property and method of the driver's hierarchy, collections expanded.

    From the agent's ``describe`` (type hints); then, for what it cannot see
    (descriptors other than ``property``, attributes without hints), from
    the classes' own dictionaries: each public name is read, and an object
    of the driver's package is followed as a node (or a collection).
    """
    out: list[Member] = []
    _discover(driver, (), "", out, 0)
    return out


def collections(driver: DriverRef) -> list[str]:
    """The paths of the collections reachable without indexing (``panels``); maybe none.

    Those ``describe`` types as collections, then those the walk
    (:func:`api_members`) entered through the keys they list: a collection
    whose type hints do not resolve (imported for type checkers only) is
    found by what it is, a ``Mapping`` of the driver's objects say.
    """
    found = [str(entry["path"]) for entry in members(driver)
             if entry.get("kind") == "collection" and "[]" not in str(entry.get("path"))]
    for member in api_members(driver):
        ops = [op for op, _ in member.path]
        if "item" in ops and "item" not in ops[:ops.index("item")]:
            head = ".".join(str(key) for _, key in member.path[:ops.index("item")])
            if head and head not in found:
                found.append(head)
    return found


def described_methods(driver: DriverRef) -> list[dict[str, object]]:
    """The methods of :func:`api_members` as ``describe`` entries (``panels[].stop``).

    For the drivers whose type hints do not resolve, where ``describe``
    sees only the root: the walk reached the rest.
    """
    return [{"path": "".join(f".{key}" if op == "attr" else "[]" for op, key in member.path
                             ).lstrip("."),
             "kind": "method", "returns": member.type,
             "params": [{"name": name, "type": hint, "required": needed}
                        for name, hint, needed in member.params]}
            for member in api_members(driver) if member.kind == "method"]


def declared_collections(harness: Harness) -> list[str]:
    """The collection reference properties the driver's source declares (rc-collection-style's
    reading), for telling a collection the run did not reach from one that is not there."""
    context = harness.context
    found = hierarchy_of(context.source, context.driver)
    return sorted({ref.name for ref in found.references if ref.collection}) if found else []


def _params(entry: dict[str, object]) -> tuple[tuple[str, str, bool], ...]:
    raw = entry.get("params")
    return tuple((str(p.get("name")), str(p.get("type")), bool(p.get("required")))
                 for p in (raw if isinstance(raw, list) else []) if isinstance(p, dict))


def _member(entry: dict[str, object], path: Path, label: str) -> Member | None:
    """The member a ``describe`` entry names at ``path``, or None (not walked)."""
    kind, template = str(entry.get("kind")), str(entry.get("path"))
    if kind not in ("property", "method") or label.startswith(NOT_WALKED):
        return None
    if kind == "method" and template.rsplit(".", 1)[-1] in NOT_CALLED:
        return None
    hint = entry.get("type") if kind == "property" else entry.get("returns")
    settable = bool(entry.get("settable")) and label not in NOT_SET
    return Member(label, path, kind, str(hint or ""), settable, _params(entry))


def _discover(driver: DriverRef, base: Path, prefix: str, out: list[Member], depth: int) -> None:
    """The members of the object at ``base``: described ones, then the rest of its classes."""
    if depth > MAX_DEPTH or prefix.startswith(NOT_WALKED):
        return
    known: set[str] = set()
    for entry in describe(driver, base):
        template = str(entry.get("path"))
        known.add(template.split(".", 1)[0].split("[", 1)[0])
        if entry.get("kind") == "collection" and "[]" not in template:
            for path, label in _expand(driver, base, prefix, template):
                _own(driver, path, label, out)
            continue
        untyped = entry.get("kind") == "property" and str(entry.get("type")) in UNTYPED
        for path, label in _expand(driver, base, prefix, template):
            if untyped and _follow(driver, path, label, out, depth):
                continue
            member = _member(entry, path, label)
            if member is not None:
                out.append(member)
    _scan(driver, base, prefix, out, depth, known)


def _follow(driver: DriverRef, path: Path, label: str, out: list[Member], depth: int) -> bool:
    """Read the attribute at ``path``; if it is an object of the driver's package, walk it.

    A node (and a collection's items) is discovered like the root; True when
    it was one, False when the value is a setting (or unreadable).
    """
    package = driver.harness.context.driver.package or ""
    got = driver.request("get", f"driver.{label}", 10.0, path=wire(path))
    value = got.value
    if not got.ok or not isinstance(value, Remote) or not value.type.startswith(package + "."):
        return False
    for key in listed(driver, wire(path), label)[:4]:
        _discover(driver, (*path, ("item", encode_value(key.ref))), f"{label}[{key!r}]", out,
                  depth + 1)
    _discover(driver, path, label, out, depth + 1)
    return True


def _own(driver: DriverRef, base: Path, prefix: str, out: list[Member]) -> None:
    """A collection object's own members (``panels.names``); ``describe`` walked its items."""
    for entry in describe(driver, base):
        template = str(entry.get("path"))
        if "." in template or "[" in template:
            continue
        member = _member(entry, (*base, ("attr", template)), f"{prefix}.{template}")
        if member is not None:
            out.append(member)


def _class_names(driver: DriverRef, base: Path) -> list[tuple[str, Remote]]:
    """Public names in the own dictionaries of the package's classes of the object at ``base``."""
    package = driver.harness.context.driver.package or ""
    mro = driver.request("get", "the classes of an object", 10.0,
                         path=[*wire(base), ["attr", "__class__"], ["attr", "__mro__"]])
    classes = mro.value.items if mro.ok and isinstance(mro.value, Sequence) else ()
    found: list[tuple[str, Remote]] = []
    for kind in classes:
        if not isinstance(kind, Remote) or f"'{package}." not in kind.repr:
            continue
        listed = driver.ref(kind, kind.repr).request("keys", "a class's names", 10.0,
                                                     path=[["attr", "__dict__"]])
        names = listed.value.get("keys") if listed.ok and isinstance(listed.value, dict) else []
        for name in names if isinstance(names, list) else []:
            if isinstance(name, str) and not name.startswith("_") and all(
                    name != seen for seen, _ in found):
                found.append((name, kind))
    return found


def _scan(driver: DriverRef, base: Path, prefix: str, out: list[Member], depth: int,
          known: set[str]) -> None:
    """Members ``describe`` did not report: each other public class attribute, read once.

    A value of the driver's package is followed as a node (and, when it
    lists keys, as a collection of nodes); another value is a property,
    settable when its class attribute is a data descriptor.
    """
    for name, owner in _class_names(driver, base):
        label = f"{prefix}.{name}" if prefix else name
        if name in known or label.startswith(NOT_WALKED) or name in NOT_CALLED:
            continue
        path = (*base, ("attr", name))
        if _follow(driver, path, label, out, depth):
            continue
        got = driver.request("get", f"driver.{label}", 10.0, path=wire(path))
        if not got.ok or isinstance(got.value, Remote):
            continue
        out.append(Member(label, path, "property", "",
                          _settable(driver, owner, name) and label not in NOT_SET))


def _settable(driver: DriverRef, owner: Remote, name: str) -> bool:
    """Whether the class attribute ``name`` of ``owner`` can be set on an instance.

    A ``property`` with a setter (``fset``), or another data descriptor (``__set__``).
    """
    kind = driver.ref(owner, owner.repr)
    attribute = [["attr", "__dict__"], ["item", name]]
    fset = kind.request("get", f"{name}.fset", 10.0, path=[*attribute, ["attr", "fset"]])
    if fset.ok:
        return fset.value is not None
    return kind.request("get", f"{name}.__set__", 10.0,
                        path=[*attribute, ["attr", "__set__"]]).ok


# -- calling them -------------------------------------------------------------------------------


def _candidates(hint: str) -> tuple[object, ...]:
    found: dict[tuple[str, object], object] = {}
    for part in hint.replace(" ", "").split("|"):
        for value in CANDIDATES.get(part, ()):
            found.setdefault((type(value).__name__, value), value)
    return tuple(found.values())


def argument_sets(member: Member) -> list[tuple[object, ...]]:
    """Plausible argument tuples for a method: the required parameters, from their hints."""
    required = [hint for _, hint, needed in member.params if needed]
    pools = [_candidates(hint) for hint in required]
    if any(not pool for pool in pools):
        return []
    return list(itertools.islice(itertools.product(*pools), MAX_TRIES))


def perform(driver: DriverRef, member: Member, action: str, args: tuple[object, ...] = (),
            timeout: float = 10.0) -> Call:
    """get / set / call ``member`` in the child."""
    steps = member.steps()
    if action == "get":
        return driver.request("get", f"driver.{member.label}", timeout, path=steps)
    if action == "set":
        return driver.request("set", f"driver.{member.label} = {args[0]!r}", timeout,
                              path=steps, value=args[0] if isinstance(args[0], dict)
                              else encode_value(args[0]))
    return driver.request("call", f"driver.{member.label}()", timeout, path=steps,
                          args=encode_value(list(args)))


class Walker:
    """Steps through members against one simulator, recording each step's trace and refusals."""

    def __init__(self, driver: DriverRef, simulator: LiveSimulator,
                 before: Callable[[], None] | None = None, until: float | None = None) -> None:
        self.driver = driver
        self.simulator = simulator
        self.before = before
        self.until = until if until is not None else deadline(driver.harness)
        self.log = ErrorLog(simulator)
        #: What the wait after the last call saw (``before`` touches the instrument, not the
        #: trace): the wait before the next call counts that stillness instead of restarting.
        self.still: Stillness | None = None

    def step(self, member: Member, action: str, args: tuple[object, ...] = ()) -> Step:
        if time.monotonic() > self.until:
            raise NotJudgedError(f"walking the API took longer than ivi-conform's limit (at "
                                 f"{member.label}); raise --timeout to judge this rule")
        if self.before is not None:
            self.before()
        quiesce(self.simulator, seen=self.still)
        start, logged = len(self.simulator.trace), len(self.log.codes)
        call = perform(self.driver, member, action, args)
        self.still = quiesce(self.simulator)
        queued = tuple(int(code) for code in self.simulator.instrument.errors)
        return Step(member, action, args, call, self.simulator.trace[start:],
                    self.log.codes[logged:], queued)

    def walk(self, members: list[Member], *, sets: bool = True, calls: bool = True,
             keep: Callable[[Member], bool] | None = None) -> list[Step]:
        """Read every property (and write its value back), call every method once.

        A method with required parameters is tried with argument tuples from
        :data:`CANDIDATES` until one returns normally; every try is a step.
        """
        steps: list[Step] = []
        for member in members:
            if keep is not None and not keep(member):
                continue
            if member.kind == "property":
                got = self.step(member, "get")
                steps.append(got)
                value = wire_value(self.driver, got.call.value) if got.call.ok else None
                if sets and member.settable and value is not None:
                    steps.append(self.step(member, "set", (value,)))
            elif calls:
                tries = argument_sets(member) if any(r for _, _, r in member.params) else [()]
                for args in tries:
                    done = self.step(member, "call", args)
                    steps.append(done)
                    if done.call.ok:
                        break
        return steps


def deadline(harness: Harness) -> float:
    """When an exercise must stop walking: :data:`WALK_S` from now, within the audit's budget."""
    return time.monotonic() + harness.limit(WALK_S)


def restore(simulator: LiveSimulator) -> None:
    """The simulated instrument back at rest in its reset state, its error queue empty."""
    simulator.wait_idle(2.0)
    simulator.instrument.reset()
    simulator.instrument.clear_status()


def get(driver: DriverRef, access: Access, timeout: float | None = None) -> Call:
    """Read a member (after its selector call, if any), in its form."""
    if access.select is not None and not (done := select(driver, access)).ok:
        return done
    path, called = access.reading()
    limit = driver.harness.limit(timeout)
    if called:
        return driver.request("call", f"driver.{access.read_shown}", limit, path=path,
                              args=encode_value([]))
    return driver.request("get", f"driver.{access.read_shown}", limit, path=path)


def put(driver: DriverRef, access: Access, value: object) -> Call:
    """Write a member (after its selector call, if any), in its form."""
    if access.select is not None and not (done := select(driver, access)).ok:
        return done
    method = access.writing()
    if method is not None:
        return driver.request("call", f"driver.{access.write_shown(value)}",
                              driver.harness.limit(), path=method,
                              args=encode_value([value]))
    return driver.request("set", f"driver.{access.write_shown(value)}",
                          driver.harness.limit(), path=access.steps, value=encode_value(value))


def invoke(driver: DriverRef, steps: Steps, label: str, *args: object) -> Call:
    """Call a method at ``steps`` with ``args``."""
    shown = ", ".join(repr(arg) for arg in args)
    return driver.request("call", f"driver.{label}({shown})", driver.harness.limit(),
                          path=steps, args=encode_value(list(args)))


def select(driver: DriverRef, access: Access) -> Call:
    """The selector call of an access."""
    assert access.select is not None
    steps, argument = access.select
    return invoke(driver, steps, "select", argument)


# -- the map: what each member sends ------------------------------------------------------------


def _queries(simulator: LiveSimulator, start: int) -> list[str]:
    """The canonical queries the driver sent since trace entry ``start``, status reads left out."""
    quiesce(simulator)
    panels = simulator.instrument.panel_count
    found: list[str] = []
    for entry in simulator.trace[start:]:
        if entry.direction != "in":
            continue
        for header in canonical(entry.message, panels):
            if header.endswith("?") and not header.startswith(("*", "SYST:ERR")):
                found.append(header)
    return found


def _required(member: Member) -> int:
    return sum(1 for _, _, needed in member.params if needed)


#: Where a method is not read as a setting: the utility's and direct I/O's own methods
#: (reset, error queries, raw I/O) are judged by their own rules.
NOT_READ = ("ivi_utility.", "ivi_direct_io.")
#: Return types that say a method reads nothing (or says nothing of what it returns).
NO_VALUE = frozenset({"", "None", "NoneType"})


def readings(found: list[Member]) -> list[tuple[Access, bool]]:
    """The members that may read one setting, each with whether it is settable.

    Properties first (as they are found); then the methods that make a
    member together: an object with ``get()`` of no argument and
    ``set(value)`` of one (the generated style, ``motor.speed.get()``),
    sibling ``get_x()`` / ``set_x(value)`` on one class; last, any other
    method of no argument that declares a return value (a query method, a
    ``get()`` without ``set``). Which of them reads a setting, and which
    setting, the trace of a call tells (:func:`discover`).
    """
    methods = {member.label: member for member in found if member.kind == "method"
               and not member.label.startswith(NOT_READ)}
    out: list[tuple[Access, bool]] = [(Access(m.label, m.steps()), m.settable)
                                      for m in found if m.kind == "property"]
    paired: set[str] = set()
    for label, member in methods.items():
        head, _, name = label.rpartition(".")
        prefix = f"{head}." if head else ""
        if _required(member) or not (name == "get" and head or name.startswith("get_")):
            continue
        writer = methods.get(f"{head}.set" if name == "get" else f"{prefix}set_{name[4:]}")
        if writer is None or _required(writer) != 1:
            continue
        paired |= {label, writer.label}
        if name == "get":
            out.append((Access(head, member.steps()[:-1], form=PAIR), True))
        else:
            out.append((Access(label, member.steps(), form=ACCESSORS), True))
    out += [(Access(label, member.steps(), form=QUERY), False)
            for label, member in methods.items()
            if label not in paired and not _required(member) and member.type not in NO_VALUE]
    return out


#: A failed read that took this long waited for an answer that did not come.
SLOW_FAILURE_S = 1.0


def discover(driver: DriverRef, simulator: LiveSimulator) -> ApiMap:
    """Read every member of :func:`readings` once; map the query each sends to the member.

    A read that sends exactly one query (status reads aside) maps it; one
    that sends none or several is left out. Then one-argument methods that
    send nothing are tried as panel selectors.
    """
    api = ApiMap()
    plain_reads: list[tuple[Access, bool]] = []
    # a read that failed after waiting maps nothing; on the same instrument it fails again, so
    # it is not waited for in every exercise (a refused query costs the driver's whole timeout)
    slow_failures = driver.harness.slow_failed_reads.setdefault(simulator.instrument.identity,
                                                                set())
    for access, settable in readings(api_members(driver)):
        if access.label in slow_failures:
            continue
        start = len(simulator.trace)
        got = get(driver, access)
        if not got.ok and got.seconds >= SLOW_FAILURE_S:
            slow_failures.add(access.label)
        sent = _queries(simulator, start)
        if got.ok and len(sent) == 1 and sent[0] not in api.queries:
            api.queries[sent[0]] = access
            if settable:
                api.settable.add(access.label)
            plain_reads.append((access, settable))
    _find_selectors(driver, simulator, members(driver), plain_reads, api)
    return api


def _selector_arguments(params: object) -> list[int | str]:
    if not isinstance(params, list) or len(params) != 1 or not isinstance(params[0], dict) \
            or not params[0].get("required"):
        return []
    hint = str(params[0].get("type", "")).replace(" ", "")
    parts = set(hint.replace("Optional[", "").rstrip("]").split("|"))
    if "int" in parts:
        hint = "int"
    elif "str" in parts:
        hint = "str"
    if hint.startswith("Literal["):
        try:
            values = ast.literal_eval("(" + hint[len("Literal["):-1] + ",)")
        except (ValueError, SyntaxError):
            return []
        return [value for value in values if isinstance(value, int | str)][:4]
    if hint == "int":
        return [1, 2]
    if hint == "str":
        return ["1", "2"]
    return []


def _find_selectors(driver: DriverRef, simulator: LiveSimulator,
                    entries: list[dict[str, object]],
                    reads: list[tuple[Access, bool]], api: ApiMap) -> None:
    """Methods of one argument that change the panel the plain reads address."""
    if simulator.instrument.panel_count < 2 or any(query.startswith("PAN2:")
                                                   for query in api.queries):
        return  # one panel, or the panels are reached without a selector
    panel_reads = [(access, settable) for access, settable in reads
                   if any(query.startswith("PAN") and api.queries[query].label == access.label
                          for query in api.queries)]
    if not panel_reads:
        return
    first: tuple[str, Steps, int | str] | None = None
    for entry in entries:
        path = str(entry.get("path"))
        if entry.get("kind") != "method" or "[]" in path or path.rsplit(".", 1)[-1] in \
                NOT_CALLED or path.startswith(("ivi_direct_io.", "ivi_utility.")):
            continue
        arguments = _selector_arguments(entry.get("params"))
        if not arguments:
            continue
        steps = steps_of(path)
        chosen: list[int | str] = []
        panels: set[str] = set()
        for argument in arguments:
            start = len(simulator.trace)
            called = invoke(driver, steps, path, argument)
            if not called.ok or _sent_setting(simulator, start):
                break
            chosen.append(argument)
            for read, settable in panel_reads:
                start = len(simulator.trace)
                got = get(driver, read)
                sent = _queries(simulator, start)
                if not got.ok or len(sent) != 1:
                    continue
                panels.add(sent[0].split(":", 1)[0])
                if sent[0] not in api.queries:
                    access = replace(read, label=f"{path}({argument!r}); {read.label}",
                                     select=(steps, argument))
                    api.queries[sent[0]] = access
                    if settable:
                        api.settable.add(access.label)
        if len(panels) > 1:  # its arguments redirect the reads: a selector (an alias too)
            params = entry.get("params")
            hint = params[0].get("type") if isinstance(params, list) and isinstance(
                params[0], dict) else ""
            api.selectors[path] = Selector(path, steps, str(hint), tuple(chosen))
            if first is None:
                first = (path, steps, arguments[0])
    if first is None:
        return
    # the reads found without the selector address its first choice: say so, so that a
    # later selection does not redirect them; and leave that choice active (a method tried
    # later, an alias of the selector say, may have changed it)
    path, steps, argument = first
    for query, access in list(api.queries.items()):
        if access.select is None and any(access.label == read.label for read, _ in panel_reads):
            api.queries[query] = replace(access, label=f"{path}({argument!r}); {access.label}",
                                         select=(steps, argument))
            api.active.add(api.queries[query].label)
            if access.label in api.settable:
                api.settable.add(api.queries[query].label)
    invoke(driver, steps, path, argument)


def _sent_setting(simulator: LiveSimulator, start: int) -> bool:
    """Whether the driver sent anything but queries since ``start`` (a selector may ask)."""
    quiesce(simulator)
    panels = simulator.instrument.panel_count
    for entry in simulator.trace[start:]:
        if entry.direction != "in":
            continue
        headers = canonical(entry.message, panels)
        if not headers or any(not header.endswith("?") for header in headers):
            return True
    return False


# -- commands -----------------------------------------------------------------------------------

def commands_of(message: str, panels: int) -> list[str]:
    """The commands a program message holds, as canonical headers (``PAN:POS``, ``*RST``).

    Parsed as the live simulator parses it, so a long form, a lower-case form
    or a compound message count as the command they name; a unit the
    simulator does not know (-113, -114) is left out.
    """
    texts = [text.strip() for text in message.split(";") if text.strip()]
    units = parse_program(message, panels)
    out: list[str] = []
    for text, unit in zip(texts, units, strict=False):
        if not isinstance(unit, Parsed):
            continue
        keywords = unit.command.keywords
        if keywords:
            out.append(":".join(k.short for k in keywords) + ("?" if unit.command.query else ""))
        else:
            out.append(text.split(" ", 1)[0].upper())
    return out


def motions(spec: ModelSpec) -> tuple[str, ...]:
    """The commands that move a panel of this model (``PAN:POS``, ``PAN:TILT``)."""
    return tuple(command for command, feature in (("PAN:POS", "slide"), ("PAN:TILT", "tilt"))
                 if getattr(spec, feature))


def features(spec: ModelSpec) -> frozenset[str]:
    """What a model has, for choosing the models that together show every feature."""
    have = {name for name in ("slide", "tilt", "shade", "solar") if getattr(spec, name)}
    return frozenset(have | ({"second panel"} if spec.panels > 1 else set()))


def covering_models(models: list[str]) -> list[str]:
    """Few of ``models`` that together have every feature any of them has (greedy)."""
    wanted = frozenset().union(*(features(MODELS[m]) for m in models)) if models else frozenset()
    chosen: list[str] = []
    have: frozenset[str] = frozenset()
    while have != wanted:
        best = max(models, key=lambda m: len(features(MODELS[m]) - have))
        chosen.append(best)
        have |= features(MODELS[best])
    return chosen or models[:1]


def contrasting_models(models: list[str]) -> list[str]:
    """:func:`covering_models`, plus for each feature one of ``models`` that lacks it, if any.

    The first show every feature at work; the others show the driver meeting
    a feature its connected model does not have.
    """
    chosen = covering_models(models)
    for feature in frozenset().union(*(features(MODELS[m]) for m in models)):
        if all(feature in features(MODELS[m]) for m in chosen):
            lacking = [m for m in models if feature not in features(MODELS[m])]
            if lacking:
                chosen.append(lacking[0])
    return [m for m in models if m in chosen]


# -- what an exercise could not find --------------------------------------------------------------


def judged_nothing(what: str, found: list[str]) -> Exception:
    """Why a rule whose exercise judged nothing has not passed.

    ``found`` names the members the driver has to exercise: none, and the
    rule does not apply (a skip that says so); some, and ivi-conform failed
    to exercise them, which is not judged (naming ``what`` went without).
    """
    if not found:
        return NotApplicableError(f"{what}: the driver has no member to exercise")
    shown = ", ".join(found[:4]) + (" ..." if len(found) > 4 else "")
    return NotJudgedError(f"{what}, though the driver has {len(found)} member(s) to exercise "
                          f"({shown}): a rule that exercised nothing has not passed")


def exercisable(driver: DriverRef) -> list[str]:
    """The members a walk reaches outside ivi_utility and direct I/O, as the user writes them."""
    return [member.label + ("()" if member.kind == "method" else "")
            for member in api_members(driver) if not member.label.startswith(NOT_READ)]


def method_readings(driver: DriverRef) -> list[tuple[str, Call, str]]:
    """Each member read by a method call (``get()``, ``get_x()``, a query method), read once.

    (the reading as the user writes it, the call, the declared type of what it returns).
    """
    found = api_members(driver)
    returns = {member.label: member.type for member in found if member.kind == "method"}
    out: list[tuple[str, Call, str]] = []
    for access, _ in readings(found):
        if access.form != PROPERTY:
            method = f"{access.label}.get" if access.form == PAIR else access.label
            out.append((access.read_shown, get(driver, access), returns.get(method, "")))
    return out


def unfound(driver: DriverRef, simulator: LiveSimulator, what: str,
            commands: tuple[str, ...]) -> Exception:
    """Why an exercise goes without ``what``, a member the instrument's ``commands`` need.

    The API is walked (:class:`Walker`) for a member that sends each command
    (canonical headers, ``PAN:POS``). When one is sent by no member, the
    driver's API cannot send it at all: that is ``run-coverage-commands``'s
    defect (:class:`ChargedElsewhereError`). When every one is sent but the
    exercise could not tell which member does what it needs, ivi-conform
    failed to work it out: :class:`NotJudgedError`, naming the members seen.
    """
    panels = simulator.instrument.panel_count
    senders: dict[str, str] = {}
    for step in Walker(driver, simulator, lambda: restore(simulator)).walk(api_members(driver)):
        for message in step.sent:
            for command in commands_of(message, panels):
                senders.setdefault(command, step.shown)
    restore(simulator)
    missing = [command for command in commands if command not in senders]
    if missing:
        return ChargedElsewhereError("run-coverage-commands", (
            f"{what} is needed, and no member of the API sends {', '.join(missing)} to the "
            f"{simulator.instrument.spec.name}"))
    shown = "; ".join(f"{senders[command]} sends {command}" for command in commands)
    return NotJudgedError(f"ivi-conform could not find {what} ({shown}, but not as the "
                          "exercise needs it)")
