"""Repeated-capability exercises: every collection found in the hierarchy, on a dual-panel roof.

The collections are found by introspection (the agent's ``describe``): a
reference property whose type is a collection. The SR-PN200 has two panels,
so an operation on panel 2 can be told from one on panel 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ivi_conform.behaviour.exercises import (
    DriverRef,
    Harness,
    NotApplicableError,
    exercise,
    live_driver,
    settle,
    show,
    sunroof_models,
    trace_text,
)
from ivi_conform.behaviour.exercises.simulation import members
from ivi_conform.behaviour.harness import plain
from ivi_conform.behaviour.protocol import Remote

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation

ILLEGAL_KEYS: tuple[object, ...] = ("99", 99, "no-such-item")


def collections(driver: DriverRef) -> list[str]:
    """The paths of the collections reachable without indexing (``panels``)."""
    found = [str(entry["path"]) for entry in members(driver)
             if entry.get("kind") == "collection" and "[]" not in str(entry.get("path"))]
    if not found:
        raise NotApplicableError("the hierarchy has no collection-style repeated capability")
    return found


def listed(driver: DriverRef, path: str) -> list[object]:
    """The names a collection lists: its keys, or its items' ``name``."""
    got = driver.keys(path)
    if not got.ok or not isinstance(got.value, dict):
        return []
    keys = got.value.get("keys") if got.value.get("mapping") else got.value.get("names")
    return [plain(key) for key in keys] if isinstance(keys, list) else []


@exercise("run-repcap-indexable")
def indexable(harness: Harness, obs: Observation) -> None:
    """Each collection is indexable by every name it lists."""
    sunroof_models(harness)
    name = harness.class_name
    with harness.simulator("SR-PN200") as simulator, live_driver(harness, simulator) as driver:
        for path in collections(driver):
            names = listed(driver, path)
            if not names:
                obs.problem(f"{name}.{path}", "the collection lists no names")
            for key in names:
                got = driver.item(path, key)
                if not got.ok or not isinstance(got.value, Remote):
                    obs.problem(f"{name}.{path}", f"[{key!r}] (a name it lists) {got}")
            obs.note(f"{name}.{path}", f"lists {names!r}; each indexes it")
    obs.ok = "each collection is indexable by the names it lists"
    obs.bad = "{n} listed name(s) do not index their collection"


@exercise("run-repcap-item-name")
def item_name(harness: Harness, obs: Observation) -> None:
    """Each item's ``name`` is the physical identifier it was selected with."""
    sunroof_models(harness)
    name = harness.class_name
    with harness.simulator("SR-PN200") as simulator, live_driver(harness, simulator) as driver:
        for path in collections(driver):
            for key in listed(driver, path):
                got = driver.item(path, key)
                if not got.ok:
                    continue
                item = driver.ref(got.value, f"{path}[{key!r}]")
                named = item.get("name")
                if not named.ok:
                    obs.problem(f"{name}.{path}[{key!r}].name", f"{named}")
                elif str(plain(named.value)) != str(key):
                    obs.problem(f"{name}.{path}[{key!r}].name", f"is {show(named.value)}, not "
                                f"the identifier {key!r} it was selected with")
    obs.ok = "each item's name is the identifier it was selected with"
    obs.bad = "{n} item(s) whose name is not their identifier"


@exercise("run-repcap-instance")
def reaches_instance(harness: Harness, obs: Observation) -> None:
    """An operation on ``panels['2']`` reaches panel 2 of the instrument, not panel 1."""
    sunroof_models(harness)
    name = harness.class_name
    with harness.simulator("SR-PN200") as simulator, live_driver(harness, simulator) as driver:
        if "panels" not in collections(driver):
            raise NotApplicableError("no 'panels' collection (the sunroof's repeated capability)")
        keys = listed(driver, "panels")
        if len(keys) < 2:
            obs.problem(f"{name}.panels", f"an SR-PN200 has two panels; the collection lists "
                        f"{keys!r}")
            return
        for index, (axis, value) in enumerate((("position", 40), ("tilt", 20))):
            key = keys[1 - index]  # position on panel 2, tilt on panel 1
            number = 2 - index
            other = 3 - number
            got = driver.item("panels", key)
            if not got.ok:
                obs.problem(f"{name}.panels[{key!r}]", str(got))
                continue
            start = len(simulator.trace)
            done = driver.ref(got.value, f"panels[{key!r}]").set(axis, value)
            reading: Callable[[int], int] = getattr(simulator.instrument, axis)

            def arrived(read: Callable[[int], int] = reading, panel: int = number,
                        wanted: int = value) -> bool:
                return read(panel) == wanted

            settle(simulator, arrived)
            here, there = reading(number), reading(other)
            where = f"{name}.panels[{key!r}].{axis}"
            if not done.ok:
                obs.problem(where, f"= {value} {done}")
            elif here != value or there != 0:
                obs.problem(where, f"= {value} moved the instrument's panel {number} to {here} "
                            f"and panel {other} to {there}; trace: {trace_text(simulator, start)}")
            else:
                obs.note(where, f"= {value}: {trace_text(simulator, start, 3)}")
    obs.ok = "an operation on one panel reaches that panel of the instrument only"
    obs.bad = "{n} operation(s) reached the wrong instance"


@exercise("run-repcap-illegal-index")
def illegal_index(harness: Harness, obs: Observation) -> None:
    """Indexing a collection with a name it does not list raises."""
    sunroof_models(harness)
    name = harness.class_name
    with harness.simulator("SR-PN200") as simulator, live_driver(harness, simulator) as driver:
        for path in collections(driver):
            names = [str(key) for key in listed(driver, path)]
            for key in ILLEGAL_KEYS:
                if str(key) in names:
                    continue
                got = driver.item(path, key)
                if got.ok:
                    obs.problem(f"{name}.{path}[{key!r}]", f"returned {show(got.value)} for a "
                                f"name the collection does not list ({names!r})")
                else:
                    obs.note(f"{name}.{path}[{key!r}]", str(got))
    obs.ok = "an illegal index raises"
    obs.bad = "{n} illegal index(es) accepted"
