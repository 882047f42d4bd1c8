"""Walking the driver's API against the live simulator: one step per member, with its trace.

Several rules need the same thing: every property read (and written back),
every method called once with plausible arguments, and for each step what
the driver sent and what the instrument refused meanwhile. :func:`api_members`
finds the members, :class:`Walker` calls them, :func:`commands_of` names the
SCPI commands a message holds as the live simulator parses them. No exercise
is registered here.

The members come from the agent's ``describe`` (type hints find references
and collections), then from the classes' own dictionaries for what hints do
not show (descriptors other than ``property``, nodes without annotations).
A collection is entered through the keys it lists (str, int or enum keys)
or, for a sequence, through the names or positions that reach its items.
Direct I/O is left out (it sends what it is given), and so are the methods
that end the session or block by design.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ivi_conform.behaviour.exercises import Call, DriverRef, Harness, NotJudgedError, quiesce
from ivi_conform.behaviour.protocol import EnumValue, Remote, Scalar, Sequence, encode_value

if TYPE_CHECKING:
    from ivi_conform.sim import LiveSimulator, ModelSpec, TraceEntry

#: Methods never called (they end the session, hold a lock, or read a reply nobody asked for).
NOT_CALLED = frozenset({"close", "locked", "read_bytes", "read_string", "write_bytes",
                        "write_string", "__enter__", "__exit__"})
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

Path = tuple[tuple[str, object], ...]


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

    def trace(self, limit: int = 8) -> str:
        shown = [f"{'>' if e.direction == 'in' else '<'} {e.message}"
                 for e in self.entries[:limit]]
        more = f" ... (+{len(self.entries) - limit})" if len(self.entries) > limit else ""
        return (" | ".join(shown) + more) if shown else "(no I/O)"


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


# -- the members --------------------------------------------------------------------------------

#: How deep the walk follows references, collections and nodes.
MAX_DEPTH = 5
#: Property types that say nothing (no hint, ``Any``): the value read decides what it is.
UNTYPED = frozenset({"Any", "None", "object", "typing.Any"})


def describe(driver: DriverRef, path: Path = ()) -> list[dict[str, object]]:
    """The hierarchy under the object at ``path`` as the agent describes it (from type hints)."""
    package = driver.harness.context.driver.package or ""
    target = driver
    if path:
        got = driver.request("get", "reaching an object to describe", 10.0, path=_wire(path))
        if not got.ok or not isinstance(got.value, Remote):
            return []
        target = driver.ref(got.value, "object")
    call = target.request("describe", "describing the driver's hierarchy", 10.0,
                          package=package)
    if not call.ok or not isinstance(call.value, list):
        return []
    return [entry for entry in call.value if isinstance(entry, dict)]


def _wire(path: Path) -> list[list[object]]:
    return [[op, key] for op, key in path]


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
            return {"$attr": found.value.handle, "name": value.name}
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


def _keys(driver: DriverRef, path: Path, label: str) -> list[tuple[object, str]]:
    """The keys of the collection at ``path`` (at most four), in wire form, with labels.

    A mapping's keys (enum keys through :func:`enum_ref`). A sequence has no
    keys of its own: its items' names, the names as numbers, then the
    positions from 1 and from 0 are tried, and the first scheme that reaches
    every item is used.
    """
    listed = driver.request("keys", f"iterating driver.{label}", 10.0, path=_wire(path))
    if not listed.ok or not isinstance(listed.value, dict):
        return []
    value = listed.value
    if value.get("mapping"):
        raw = value.get("keys")
        out: list[tuple[object, str]] = []
        for key in (raw if isinstance(raw, list) else [])[:4]:
            plain = key.value if isinstance(key, Scalar) else key
            if isinstance(plain, EnumValue):
                ref = enum_ref(driver, plain)
                if ref is not None:
                    out.append((ref, f"{plain.type.rsplit('.', 1)[-1]}.{plain.name}"))
            elif isinstance(plain, str | int) and not isinstance(plain, bool):
                out.append((plain, repr(plain)))
        return out
    items = value.get("items")
    count = min(len(items), 4) if isinstance(items, list) else 0
    raw_names = value.get("names")
    names = [n.value if isinstance(n, Scalar) else n
             for n in (raw_names if isinstance(raw_names, list) else [])][:count]
    schemes: list[list[object]] = []
    if len(names) == count and all(isinstance(n, str | int) for n in names):
        schemes.append(list(names))
        if all(isinstance(n, str) and n.strip().isdigit() for n in names):
            schemes.append([int(str(n)) for n in names])
    schemes += [list(range(1, count + 1)), list(range(count))]
    for keys in schemes:
        if all(driver.request("get", f"driver.{label}[{key!r}]", 10.0,
                              path=[*_wire(path), ["item", key]]).ok for key in keys):
            return [(key, repr(key)) for key in keys]
    return []


def _expand(driver: DriverRef, base: Path, base_label: str, template: str
            ) -> Iterator[tuple[Path, str]]:
    """``panels[].position`` below ``base`` as concrete paths, one per key of each collection."""

    def go(parts: list[str], path: Path, label: str) -> Iterator[tuple[Path, str]]:
        part, rest = parts[0], parts[1:]
        for name in [p for p in part.split(".") if p]:
            path = (*path, ("attr", name))
            label = f"{label}.{name}" if label else name
        if not rest:
            yield path, label
            return
        for key, shown in _keys(driver, path, label):
            yield from go(rest, (*path, ("item", key)), f"{label}[{shown}]")

    yield from go(template.split("[]"), base, base_label)


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
    got = driver.request("get", f"driver.{label}", 10.0, path=_wire(path))
    value = got.value
    if not got.ok or not isinstance(value, Remote) or not value.type.startswith(package + "."):
        return False
    for key, shown in _keys(driver, path, label):
        _discover(driver, (*path, ("item", key)), f"{label}[{shown}]", out, depth + 1)
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
                         path=[*_wire(base), ["attr", "__class__"], ["attr", "__mro__"]])
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
        got = driver.request("get", f"driver.{label}", 10.0, path=_wire(path))
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

    def step(self, member: Member, action: str, args: tuple[object, ...] = ()) -> Step:
        if time.monotonic() > self.until:
            raise NotJudgedError(f"walking the API took longer than ivi-conform's limit (at "
                                 f"{member.label}); raise --timeout to judge this rule")
        if self.before is not None:
            self.before()
        quiesce(self.simulator)
        start, logged = len(self.simulator.trace), len(self.log.codes)
        call = perform(self.driver, member, action, args)
        quiesce(self.simulator)
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


# -- commands -----------------------------------------------------------------------------------

_SUFFIX = re.compile(r"\d+$")


def commands_of(message: str, panels: int) -> list[str]:
    """The commands a program message holds, as canonical headers (``PAN:POS``, ``*RST``).

    Parsed as the live simulator parses it, so a long form, a lower-case form
    or a compound message count as the command they name; a unit the
    simulator does not know (-113, -114) is left out.
    """
    from ivi_conform.sim.scpi import Call as Parsed
    from ivi_conform.sim.scpi import parse_program

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


def features(spec: ModelSpec) -> frozenset[str]:
    """What a model has, for choosing the models that together show every feature."""
    have = {name for name in ("slide", "tilt", "shade", "solar") if getattr(spec, name)}
    return frozenset(have | ({"second panel"} if spec.panels > 1 else set()))


def covering_models(models: list[str]) -> list[str]:
    """Few of ``models`` that together have every feature any of them has (greedy)."""
    from ivi_conform.sim import MODELS

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
    from ivi_conform.sim import MODELS

    chosen = covering_models(models)
    for feature in frozenset().union(*(features(MODELS[m]) for m in models)):
        if all(feature in features(MODELS[m]) for m in chosen):
            lacking = [m for m in models if feature not in features(MODELS[m])]
            if lacking:
                chosen.append(lacking[0])
    return [m for m in models if m in chosen]
