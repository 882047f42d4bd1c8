"""Repeated-capability exercises, on a dual-panel roof when the driver supports one.

The spec allows two styles: a collection (a reference property returning an
object indexed with ``[]``) and a selector (a method that selects the active
instance for the operations that follow). Collections are found by
introspection (the agent's ``describe``) and indexed with the keys they list
(str, int, Enum members); selectors by behaviour (:func:`~ivi_conform.behaviour.api.discover`:
a one-argument method that sends nothing and changes the panel the reads
address). The rules of the collection itself (indexable, item name) do not
apply to a selector; that an operation reaches the instance selected, and
that selecting an instance that does not exist raises, are judged in both
styles. The exercises run on a model with two panels when the driver supports
one (the SR-PN200), so that an operation on panel 2 can be told from one on
panel 1; the members are found by what they send.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from ivi_conform.behaviour.api import (
    PROPERTY,
    Access,
    ApiMap,
    Key,
    Steps,
    collections,
    declared_collections,
    discover,
    get,
    invoke,
    listed,
    put,
    steps_of,
    unfound,
)
from ivi_conform.behaviour.exercises import (
    Call,
    DriverRef,
    Harness,
    NotApplicableError,
    NotJudgedError,
    exercise,
    live_driver,
    quiesce,
    settle,
    show,
    trace_lines,
)
from ivi_conform.behaviour.harness import plain
from ivi_conform.behaviour.protocol import Remote, encode_value
from ivi_conform.sim.scpi import canonical

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation
    from ivi_conform.sim import LiveSimulator

ILLEGAL_KEYS: tuple[object, ...] = ("99", 99, "no-such-item")
#: The panel queries an instance's member may send, the settable (moving) ones first.
PANEL_QUERY = re.compile(r"PAN(\d+):(POS|TILT|STAT)\?")


@dataclass(frozen=True)
class Session:
    """Where every repeated-capability exercise starts: its driver and what it collects."""

    simulator: LiveSimulator
    driver: DriverRef
    #: :func:`collections` of the driver: none for a selector style (or no repeated capability).
    paths: list[str]

    def required_collections(self) -> list[str]:
        """The collections, for a rule about collections: none is a skip or not judged."""
        if not self.paths:
            raise _no_collection(self.driver, self.simulator)
        return self.paths


@contextlib.contextmanager
def session(harness: Harness) -> Iterator[Session]:
    """A live driver on a model with two panels (when the driver supports one), and its
    collections: the one preamble of the four exercises."""
    with harness.simulator(harness.model(panels=2)) as simulator, \
            live_driver(harness, simulator) as driver:
        yield Session(simulator, driver, collections(driver))


def _no_collection(driver: DriverRef, simulator: LiveSimulator) -> Exception:
    """Why a collection rule does not apply to a driver without a collection.

    Unless its source declares one (rc-collection-style's reading): then
    the rule applies and the run did not reach it, which is not judged.
    """
    if simulator.instrument.panel_count < 2:
        return NotApplicableError(_one_panel(simulator))
    unreached = _unreached(driver)
    if unreached is not None:
        return unreached
    api = discover(driver, simulator)
    if api.selectors:
        shown = ", ".join(f"{path}(...)" for path in api.selectors)
        return NotApplicableError(f"the panels are a selector-style repeated capability "
                                  f"({shown}): the rules of a collection do not apply")
    return NotApplicableError("the hierarchy has no collection-style repeated capability")


def _one_panel(simulator: LiveSimulator) -> str:
    model = simulator.instrument.spec.name
    return (f"no repeated capability: the driver has no collection, and the models it "
            f"supports have one panel (the {model}): there is no instance to select")


def _unreached(driver: DriverRef) -> NotJudgedError | None:
    """Not judged when the source declares a collection (rc-collection-style's reading) that
    the run did not reach: the rule applies, so it is never skipped."""
    declared = declared_collections(driver.harness)
    if not declared:
        return None
    return NotJudgedError(f"the source declares the collection(s) {', '.join(declared)}, and "
                          "ivi-conform could not reach them in the running driver")


def _without_repcap(api: ApiMap, driver: DriverRef, simulator: LiveSimulator) -> Exception:
    """Why a driver without a collection or a selector found is not judged, or not concerned."""
    if simulator.instrument.panel_count < 2:
        return NotApplicableError(_one_panel(simulator))
    unreached = _unreached(driver)
    if unreached is not None:
        return unreached
    reached = sorted(access.label for query, access in api.queries.items()
                     if query.startswith("PAN2:"))
    if reached:
        return NotApplicableError(f"no repeated capability: the panels are reached by members "
                                  f"of their own ({', '.join(reached)}), neither by a "
                                  "collection nor by a selector")
    return NotJudgedError(
        f"ivi-conform found no way to reach panel 2 of the {simulator.instrument.spec.name}: "
        "the hierarchy has no collection, no method of one argument changed the panel the "
        f"reads address, and no read sent a PAN2 query (the reads found send "
        f"{', '.join(sorted(api.queries)) or 'nothing'})")


def keys_of(driver: DriverRef, path: str) -> list[Key]:
    """The keys a collection lists, as it lists them (str, int, Enum members...)."""
    return listed(driver, steps_of(path), path)


def item(driver: DriverRef, path: str, key: Key) -> Call:
    """``driver.<path>[key]``, indexed with the very key the collection listed."""
    return driver.request("get", f"driver.{path}[{key!r}]", driver.harness.limit(),
                          path=[*steps_of(path), ["item", encode_value(key.ref)]])


@exercise("run-repcap-indexable")
def indexable(harness: Harness, obs: Observation) -> None:
    """Each collection is indexable by every name it lists."""
    name = harness.class_name
    with session(harness) as started:
        driver, paths = started.driver, started.required_collections()
        for path in paths:
            keys = keys_of(driver, path)
            if not keys:
                obs.problem(f"{name}.{path}", "the collection lists no names")
            for key in keys:
                got = item(driver, path, key)
                if not got.ok or not isinstance(got.value, Remote):
                    obs.problem(f"{name}.{path}", f"[{key!r}] (a name it lists) {got}")
            obs.note(f"{name}.{path}", f"lists {keys!r}; each indexes it")
    obs.ok = "each collection is indexable by the names it lists"
    obs.bad = "{n} listed name(s) do not index their collection"


@exercise("run-repcap-item-name")
def item_name(harness: Harness, obs: Observation) -> None:
    """Each item's ``name`` is the physical identifier it was selected with."""
    name = harness.class_name
    with session(harness) as started:
        driver, paths = started.driver, started.required_collections()
        for path in paths:
            seen: dict[str, Key] = {}
            for key in keys_of(driver, path):
                got = item(driver, path, key)
                if not got.ok:
                    continue
                selected = driver.ref(got.value, f"{path}[{key!r}]")
                named = selected.get("name")
                if not named.ok:
                    obs.problem(f"{name}.{path}[{key!r}].name", f"{named}")
                elif str(plain(named.value)) in seen:
                    obs.problem(f"{name}.{path}[{key!r}].name", f"is {show(named.value)}, as "
                                f"for {seen[str(plain(named.value))]!r}: two items, one name")
                elif not key.matches(named.value):
                    obs.problem(f"{name}.{path}[{key!r}].name", f"is {show(named.value)}, not "
                                f"the identifier {key!r} it was selected with (nor one that "
                                "corresponds to it)")
                if named.ok:
                    seen.setdefault(str(plain(named.value)), key)
    obs.ok = "each item's name is the identifier it was selected with"
    obs.bad = "{n} item(s) whose name is not their identifier"


def _panel_query(simulator: LiveSimulator, start: int, axis: str) -> int | None:
    """The panel of the one ``PAN<n>:<axis>?`` sent since ``start`` (None: none, or several)."""
    quiesce(simulator)
    found = {int(match.group(1)) for entry in simulator.trace[start:]
             if entry.direction == "in"
             for header in canonical(entry.message, simulator.instrument.panel_count)
             if (match := PANEL_QUERY.fullmatch(header)) and match.group(2) == axis}
    return found.pop() if len(found) == 1 else None


@dataclass(frozen=True)
class Instance:
    """One instance of the repeated capability as the API reaches it, and one member of it.

    ``label`` shows the member (``panels['2'].position``,
    ``panel.select(2); panel.position``); ``choose`` indexes the collection
    or calls the selector; ``steps`` then reach the member.
    """

    group: str  # the collection or the selector: its instances address different panels
    label: str
    choose: Callable[[], Call]
    steps: Steps
    settable: bool
    axis: str  # what the member reads: POS, TILT or STAT
    form: str = PROPERTY  # how the member is read and written (api.Access.form)

    def access(self) -> Access:
        """The member as :func:`~ivi_conform.behaviour.api.get` and ``put`` reach it."""
        return Access(self.label, self.steps, form=self.form)


def _member(driver: DriverRef, simulator: LiveSimulator, api: ApiMap,
            selected: bool) -> tuple[Access, bool, str]:
    """A member that reads a panel (``PANn:POS?``...), a settable one first.

    (access, settable, axis read).

    ``selected``: one reached through a selector call, else one reached
    through a collection item.
    """
    queries = [query for query in api.queries if PANEL_QUERY.fullmatch(query)]
    ordered = sorted(queries, key=lambda q: (q.endswith("STAT?"), q))

    def style(access: Access) -> bool:
        if selected:
            return access.select is not None
        return access.select is None and any(step[0] == "item" for step in access.steps)

    for settable in (True, False):
        for query in ordered:
            access = api.setter(query) if settable else api.reader(query)
            if access is not None and style(access):
                return access, settable, query.split(":")[1].rstrip("?")
    raise unfound(driver, simulator, f"a member of the {'selector' if selected else 'collection'}"
                  "'s instances whose reading sends PAN<n>:POS?, PAN<n>:TILT? or PAN<n>:STAT?",
                  ("PAN:STAT?",))


def _instances(started: Session) -> list[Instance]:
    """Every instance the API reaches: each listed key of the collection, or each selection.

    A collection when the driver has one, else the selectors found; a
    driver with neither on a one-panel model has no repeated capability.
    """
    driver, simulator = started.driver, started.simulator
    api = discover(driver, simulator)
    if started.paths:
        access, settable, axis = _member(driver, simulator, api, selected=False)
        cut = max(index for index, step in enumerate(access.steps) if step[0] == "item")
        head, tail = access.steps[:cut], access.steps[cut + 1:]
        member = ".".join(str(step[1]) for step in tail)
        collection = ".".join(str(step[1]) for step in head)
        found: list[Instance] = []
        for key in keys_of(driver, collection):
            found.append(Instance(collection, f"{collection}[{key!r}].{member}",
                                  partial(item, driver, collection, key),
                                  [*head, ["item", encode_value(key.ref)], *tail], settable,
                                  axis, access.form))
        return found
    if api.selectors:
        access, settable, axis = _member(driver, simulator, api, selected=True)
        member = access.label.rsplit("; ", 1)[-1]
        return [Instance(selector.path, f"{selector.path}({choice!r}); {member}",
                         partial(invoke, driver, selector.steps, selector.path, choice),
                         access.steps, settable, axis, access.form)
                for selector in api.selectors.values() for choice in selector.choices]
    raise _without_repcap(api, driver, simulator)


@exercise("run-repcap-instance")
def reaches_instance(harness: Harness, obs: Observation) -> None:
    """Each instance the API selects (collection item or selector) reaches its own panel.

    The member is found by what it sends: a member of the repeated
    capability whose reading sends ``PANn:POS?`` (or ``TILT?``; ``STAT?``
    when neither is settable). Then, through every key the collection lists
    or every selection of every selector, that member is read (which panel
    does it address?) and, when settable, set (which panel moves?):
    different instances must address different panels, and a set must move
    the panel its instance reads, and only that one.
    """
    name = harness.class_name
    with session(harness) as started:
        driver, simulator = started.driver, started.simulator
        instrument = simulator.instrument
        addressed: dict[tuple[str, int], str] = {}
        for instance in _instances(started):
            where = f"{name}.{instance.label}"
            chosen = instance.choose()
            if not chosen.ok:
                continue  # a listed name that does not index: run-repcap-indexable's to judge
            start = len(simulator.trace)
            read = get(driver, instance.access())
            number = _panel_query(simulator, start, instance.axis)
            if not read.ok or number is None:
                obs.problem(where, f"reading it {read}, sending no PAN<n>:{instance.axis}? "
                            "query", trace_lines(simulator, start))
                continue
            if (instance.group, number) in addressed:
                obs.problem(where, f"addresses panel {number} of the instrument, as "
                            f"{addressed[instance.group, number]} does",
                            trace_lines(simulator, start))
                continue
            addressed[instance.group, number] = instance.label
            if not instance.settable:
                obs.note(where, f"reads panel {number}", trace_lines(simulator, start, 3))
                continue
            value = 40 if instance.axis == "POS" else 20
            reading: Callable[[int], int] = (instrument.position if instance.axis == "POS"
                                             else instrument.tilt)
            instance.choose()
            start = len(simulator.trace)
            done = put(driver, instance.access(), value)

            def arrived(read_axis: Callable[[int], int] = reading, panel: int = number,
                        wanted: int = value) -> bool:
                return read_axis(panel) == wanted

            settle(simulator, arrived)
            moved = {panel: reading(panel) for panel in range(1, instrument.panel_count + 1)
                     if reading(panel) != 0}
            if not done.ok:
                obs.problem(where, f"= {value} {done}")
            elif moved != {number: value}:
                obs.problem(where, f"= {value} (it reads panel {number}) left the instrument's "
                            f"panels at {moved or 'rest'}", trace_lines(simulator, start))
            else:
                obs.note(where, f"= {value}", trace_lines(simulator, start, 3))
            instrument.reset()
    obs.ok = "each instance the API selects reaches its own panel of the instrument, only that one"
    obs.bad = "{n} instance(s) reached the wrong panel"


def _illegal_selections(driver: DriverRef, simulator: LiveSimulator, name: str,
                        obs: Observation) -> None:
    """Each selector, called with an instance that does not exist, raises."""
    api = discover(driver, simulator)
    if not api.selectors:
        raise _without_repcap(api, driver, simulator)
    for selector in api.selectors.values():
        kinds = {type(choice) for choice in selector.choices} | {
            kind for kind in (int, str) if kind.__name__ in selector.hint}
        for illegal in ILLEGAL_KEYS:
            if type(illegal) not in kinds or illegal in selector.choices:
                continue
            got = invoke(driver, selector.steps, selector.path, illegal)
            where = f"{name}.{selector.path}({illegal!r})"
            if got.ok:
                shown = ", ".join(repr(choice) for choice in selector.choices)
                obs.problem(where, f"returned {show(got.value)}: it selected an instance that "
                            f"does not exist (the instances are {shown})")
            else:
                obs.note(where, str(got))
        invoke(driver, selector.steps, selector.path, selector.choices[0])


@exercise("run-repcap-illegal-index")
def illegal_index(harness: Harness, obs: Observation) -> None:
    """Indexing a collection with a name it does not list, or selecting no instance, raises."""
    name = harness.class_name
    with session(harness) as started:
        driver, simulator, paths = started.driver, started.simulator, started.paths
        if not paths:
            _illegal_selections(driver, simulator, name, obs)
        for path in paths:
            keys = keys_of(driver, path)
            names = {key.text for key in keys}
            for illegal in ILLEGAL_KEYS:
                if str(illegal) in names:
                    continue
                got = driver.item(path, illegal)
                if got.ok:
                    obs.problem(f"{name}.{path}[{illegal!r}]", f"returned {show(got.value)} for "
                                f"a name the collection does not list ({keys!r})")
                else:
                    obs.note(f"{name}.{path}[{illegal!r}]", str(got))
    obs.ok = "an illegal index or selection raises"
    obs.bad = "{n} illegal index(es) or selection(s) accepted"
