"""Repeated-capability exercises: every collection found in the hierarchy, on a dual-panel roof.

The collections are found by introspection (the agent's ``describe``): a
reference property whose type is a collection; each is indexed with the keys
it lists itself (str, int, Enum members). They run on a model with two panels
when the driver supports one (the SR-PN200), so that an operation on panel 2
can be told from one on panel 1; the members are found by what they send.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from ivi_conform.behaviour.api import Key, discover, listed, members, steps_of
from ivi_conform.behaviour.exercises import (
    Call,
    DriverRef,
    Harness,
    NotApplicableError,
    exercise,
    live_driver,
    quiesce,
    settle,
    show,
    trace_text,
)
from ivi_conform.behaviour.harness import plain
from ivi_conform.behaviour.protocol import Remote, encode_value

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation
    from ivi_conform.sim import LiveSimulator

ILLEGAL_KEYS: tuple[object, ...] = ("99", 99, "no-such-item")


def collections(driver: DriverRef) -> list[str]:
    """The paths of the collections reachable without indexing (``panels``)."""
    found = [str(entry["path"]) for entry in members(driver)
             if entry.get("kind") == "collection" and "[]" not in str(entry.get("path"))]
    if not found:
        raise NotApplicableError("the hierarchy has no collection-style repeated capability")
    return found


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
    with harness.simulator(harness.model(panels=2)) as simulator, \
            live_driver(harness, simulator) as driver:
        for path in collections(driver):
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
    with harness.simulator(harness.model(panels=2)) as simulator, \
            live_driver(harness, simulator) as driver:
        for path in collections(driver):
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


def _panel_query(simulator: LiveSimulator, start: int) -> tuple[int, str] | None:
    """(panel, axis) of the one ``PAN<n>:POS?``/``PAN<n>:TILT?`` sent since ``start``."""
    from ivi_conform.sim.scpi import canonical

    quiesce(simulator)
    found = {header for entry in simulator.trace[start:] if entry.direction == "in"
             for header in canonical(entry.message, simulator.instrument.panel_count)
             if re.fullmatch(r"PAN\d+:(POS|TILT)\?", header)}
    if len(found) != 1:
        return None
    match = re.fullmatch(r"PAN(\d+):(POS|TILT)\?", found.pop())
    assert match is not None
    return int(match.group(1)), match.group(2)


@exercise("run-repcap-instance")
def reaches_instance(harness: Harness, obs: Observation) -> None:
    """Each item of the panel collection reaches its own panel of the instrument.

    The member is found by what it sends: the settable member of a
    collection item whose reading sends ``PANn:POS?`` (or ``PANn:TILT?``).
    Then, through every key the collection lists, that member is read (which
    panel does it address?) and set (which panel moves?): different items
    must address different panels, and a set must move the panel its item
    reads, and only that one.
    """
    name = harness.class_name
    model = harness.model(panels=2)
    with harness.simulator(model) as simulator, live_driver(harness, simulator) as driver:
        collections(driver)
        instrument = simulator.instrument
        if instrument.panel_count < 2:
            raise NotApplicableError(f"the driver supports no model with two panels (it "
                                     f"supports {', '.join(harness.sunroof_models())})")
        api = discover(driver, simulator)
        access = next((found for query in ("PAN1:POS?", "PAN1:TILT?", "PAN2:POS?",
                                           "PAN2:TILT?")
                       if (found := api.setter(query)) is not None and found.select is None
                       and any(step[0] == "item" for step in found.steps)), None)
        if access is None:
            raise NotApplicableError("no settable member of a collection item reads a panel "
                                     f"of the instrument ({sorted(api.queries)})")
        cut = max(index for index, step in enumerate(access.steps) if step[0] == "item")
        head, tail = access.steps[:cut], access.steps[cut + 1:]
        member = ".".join(str(step[1]) for step in tail)
        collection = ".".join(str(step[1]) for step in head)
        addressed: dict[int, str] = {}
        for key in keys_of(driver, collection):
            where = f"{name}.{collection}[{key!r}].{member}"
            if not item(driver, collection, key).ok:
                continue  # a listed name that does not index: run-repcap-indexable's to judge
            steps = [*head, ["item", encode_value(key.ref)], *tail]
            start = len(simulator.trace)
            read = driver.request("get", f"driver.{collection}[{key!r}].{member}",
                                  harness.limit(), path=steps)
            target = _panel_query(simulator, start)
            if not read.ok or target is None:
                obs.problem(where, f"reading it {read}, sending no panel query; trace: "
                            f"{trace_text(simulator, start)}")
                continue
            number, axis = target
            if number in addressed:
                obs.problem(where, f"addresses panel {number} of the instrument, as "
                            f"{addressed[number]} does; trace: {trace_text(simulator, start)}")
                continue
            addressed[number] = f"{collection}[{key!r}]"
            value = 40 if axis == "POS" else 20
            reading: Callable[[int], int] = (instrument.position if axis == "POS"
                                             else instrument.tilt)
            start = len(simulator.trace)
            done = driver.request("set", f"driver.{collection}[{key!r}].{member} = {value}",
                                  harness.limit(), path=steps, value=value)

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
                            f"panels at {moved or 'rest'}; trace: {trace_text(simulator, start)}")
            else:
                obs.note(where, f"= {value}: {trace_text(simulator, start, 3)}")
            instrument.reset()
    obs.ok = "each item of the collection reaches its own panel of the instrument, only that one"
    obs.bad = "{n} item(s) reached the wrong instance"


@exercise("run-repcap-illegal-index")
def illegal_index(harness: Harness, obs: Observation) -> None:
    """Indexing a collection with a name it does not list raises."""
    name = harness.class_name
    with harness.simulator(harness.model(panels=2)) as simulator, \
            live_driver(harness, simulator) as driver:
        for path in collections(driver):
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
    obs.ok = "an illegal index raises"
    obs.bad = "{n} illegal index(es) accepted"
