"""The driver's API as found by introspection and by watching what each call sends.

No exercise assumes a member name of the reference driver. The agent's
``describe`` lists the hierarchy (properties, methods, reference properties,
collections and their items); collections are expanded with the keys they
list themselves (a string, an int, an Enum member: whatever they list is what
indexes them); and reading each value property once against the live
simulator shows which SCPI query it sends (``PAN2:POS?``), whatever its name.
:class:`ApiMap` holds that correspondence, so that an exercise asks for "the
member that reads ``MOT:SPE?``" or "the member that sets ``PAN2:POS``".

A selector-style repeated capability (a method that selects the active panel
for the members that follow) is found the same way: calling a one-argument
method that sends nothing, then reading again, changes the panel suffix of
what the reads send.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ivi_conform.behaviour.harness import Call, DriverRef, plain, show
from ivi_conform.behaviour.protocol import EnumValue, Remote, Scalar, encode_value

if TYPE_CHECKING:
    from ivi_conform.sim import LiveSimulator

Steps = list[list[object]]

#: Methods never called while exploring (they end the session or block on purpose).
NOT_CALLED = frozenset({"close", "locked", "read_bytes", "read_string", "wait_for_motion"})


@dataclass(frozen=True)
class Key:
    """One key a collection lists: how to show it, and what indexes the collection with it."""

    shown: object
    ref: object

    def __repr__(self) -> str:
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


@dataclass(frozen=True)
class Access:
    """How to reach one member: an optional selector call first, then a path."""

    label: str
    steps: Steps
    select: tuple[Steps, object] | None = None


@dataclass
class ApiMap:
    """Canonical SCPI queries (``MOT:SPE?``) and the members whose reading sends them."""

    queries: dict[str, Access] = field(default_factory=dict)
    settable: set[str] = field(default_factory=set)
    selectors: list[str] = field(default_factory=list)
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
        return Access(access.label, access.steps) if access.label in self.active else None

    def reader(self, query: str) -> Access | None:
        """The member whose reading sends ``query`` (``PAN2:POS?``)."""
        return self.queries.get(query)

    def setter(self, query: str) -> Access | None:
        """The member that reads ``query`` and is settable (presumably sending the set form)."""
        access = self.queries.get(query)
        return access if access is not None and access.label in self.settable else None


def members(driver: DriverRef) -> list[dict[str, object]]:
    """The hierarchy as the agent describes it (properties, methods, references, collections)."""
    package = driver.harness.context.driver.package or ""
    call = driver.request("describe", "describing the driver's hierarchy", 10.0, package=package)
    if not call.ok or not isinstance(call.value, list):
        return []
    return [entry for entry in call.value if isinstance(entry, dict)]


def steps_of(dotted: str) -> Steps:
    """``motor.speed`` as agent path steps."""
    return [["attr", part] for part in dotted.split(".") if part]


def listed(driver: DriverRef, steps: Steps, label: str) -> list[Key]:
    """The keys a collection lists, each with what indexes it (a handle for objects)."""
    got = driver.request("keys", f"iterating {label}", 10.0, path=steps)
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


def expand(driver: DriverRef, path: str, limit: int = 4) -> list[tuple[str, Steps]]:
    """``panels[].position`` as ``panels['1'].position``... (label, steps), by listing keys."""
    if "[]" not in path:
        return [(path, steps_of(path))]
    head, _, rest = path.partition("[]")
    found: list[tuple[str, Steps]] = []
    head_steps = steps_of(head)
    for key in listed(driver, head_steps, head)[:limit]:
        for label, tail in expand_rest(driver, f"{head}[{key!r}]", [*head_steps,
                                       ["item", encode_value(key.ref)]], rest.lstrip("."),
                                       limit):
            found.append((label, tail))
    return found


def expand_rest(driver: DriverRef, label: str, steps: Steps, rest: str,
                limit: int) -> list[tuple[str, Steps]]:
    """The remaining path after one indexed step (itself possibly holding ``[]``)."""
    if not rest:
        return [(label, steps)]
    if "[]" not in rest:
        return [(f"{label}.{rest}", [*steps, *steps_of(rest)])]
    head, _, tail = rest.partition("[]")
    head_steps = [*steps, *steps_of(head)]
    out: list[tuple[str, Steps]] = []
    for key in listed(driver, head_steps, f"{label}.{head}")[:limit]:
        out += expand_rest(driver, f"{label}.{head}[{key!r}]",
                           [*head_steps, ["item", encode_value(key.ref)]], tail.lstrip("."),
                           limit)
    return out


def get(driver: DriverRef, access: Access, timeout: float | None = None) -> Call:
    """Read a member (after its selector call, if any)."""
    if access.select is not None and not (done := select(driver, access)).ok:
        return done
    return driver.request("get", f"driver.{access.label}", driver.harness.limit(timeout),
                          path=access.steps)


def put(driver: DriverRef, access: Access, value: object) -> Call:
    """Write a member (after its selector call, if any)."""
    if access.select is not None and not (done := select(driver, access)).ok:
        return done
    return driver.request("set", f"driver.{access.label} = {value!r}",
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


def _queries(simulator: LiveSimulator, start: int) -> list[str]:
    """The canonical queries the driver sent since trace entry ``start``, status reads left out."""
    from ivi_conform.behaviour.exercises import quiesce
    from ivi_conform.sim.scpi import canonical

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


def _value_property(entry: dict[str, object]) -> bool:
    return entry.get("kind") == "property"


def discover(driver: DriverRef, simulator: LiveSimulator) -> ApiMap:
    """Read every value property once; map the query each sends to the member.

    A read that sends exactly one query (status reads aside) maps it; one
    that sends none or several is left out. Then one-argument methods that
    send nothing are tried as panel selectors.
    """
    api = ApiMap()
    entries = members(driver)
    properties = [entry for entry in entries if _value_property(entry)]
    plain_reads: list[tuple[str, Steps, bool]] = []
    for entry in properties:
        for label, steps in expand(driver, str(entry.get("path"))):
            start = len(simulator.trace)
            got = driver.request("get", f"driver.{label}", driver.harness.limit(), path=steps)
            sent = _queries(simulator, start)
            settable = bool(entry.get("settable"))
            if got.ok and len(sent) == 1 and sent[0] not in api.queries:
                api.queries[sent[0]] = Access(label, steps)
                if settable:
                    api.settable.add(label)
                plain_reads.append((label, steps, settable))
    _find_selectors(driver, simulator, entries, plain_reads, api)
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
        import ast

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
                    reads: list[tuple[str, Steps, bool]], api: ApiMap) -> None:
    """Methods of one argument that change the panel the plain reads address."""
    if simulator.instrument.panel_count < 2 or any(query.startswith("PAN2:")
                                                   for query in api.queries):
        return  # one panel, or the panels are reached without a selector
    panel_reads = [(label, steps, settable) for label, steps, settable in reads
                   if any(query.startswith("PAN") and api.queries[query].label == label
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
        for argument in arguments:
            start = len(simulator.trace)
            chosen = invoke(driver, steps, path, argument)
            if not chosen.ok or _sent_setting(simulator, start):
                break
            for label, read_steps, settable in panel_reads:
                start = len(simulator.trace)
                got = driver.request("get", f"driver.{label}", driver.harness.limit(),
                                     path=read_steps)
                sent = _queries(simulator, start)
                if got.ok and len(sent) == 1 and sent[0] not in api.queries:
                    access = Access(f"{path}({argument!r}); {label}", read_steps,
                                    (steps, argument))
                    api.queries[sent[0]] = access
                    if settable:
                        api.settable.add(access.label)
                    if path not in api.selectors:
                        api.selectors.append(path)
        if path in api.selectors and first is None:
            first = (path, steps, arguments[0])
    if first is None:
        return
    # the reads found without the selector address its first choice: say so, so that a
    # later selection does not redirect them; and leave that choice active (a method tried
    # later, an alias of the selector say, may have changed it)
    path, steps, argument = first
    for query, access in list(api.queries.items()):
        if access.select is None and any(access.label == label for label, _, _ in panel_reads):
            api.queries[query] = Access(f"{path}({argument!r}); {access.label}", access.steps,
                                        (steps, argument))
            api.active.add(api.queries[query].label)
            if access.label in api.settable:
                api.settable.add(api.queries[query].label)
    invoke(driver, steps, path, argument)


def _sent_setting(simulator: LiveSimulator, start: int) -> bool:
    """Whether the driver sent anything but queries since ``start`` (a selector may ask)."""
    from ivi_conform.behaviour.exercises import quiesce
    from ivi_conform.sim.scpi import canonical

    quiesce(simulator)
    panels = simulator.instrument.panel_count
    for entry in simulator.trace[start:]:
        if entry.direction != "in":
            continue
        headers = canonical(entry.message, panels)
        if not headers or any(not header.endswith("?") for header in headers):
            return True
    return False


def value_of(value: object) -> object:
    """A plain Python value of what the child returned (subclasses reduced)."""
    if isinstance(value, Scalar):
        return value.value
    return value
