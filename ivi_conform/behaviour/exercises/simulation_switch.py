"""Simulation switched at run time: on stops all I/O, off talks to the instrument again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.behaviour.api import (
    Step,
    Walker,
    api_members,
    covering_models,
    deadline,
    describe,
    restore,
)
from ivi_conform.behaviour.exercises import (
    Harness,
    exercise,
    live_driver,
    show,
    sunroof_models,
    trace_text,
)
from ivi_conform.behaviour.harness import plain
from ivi_conform.behaviour.protocol import EnumValue

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation
    from ivi_conform.sim import SunroofInstrument

#: Where a driver may let simulation be switched: the ABC's name, then the mapping table's.
SWITCHES = ("ivi_utility.simulation_enabled", "ivi_utility.simulate", "simulate")
#: The instrument's state while the driver simulates: away from anything a simulation starts at.
SPEED, THRESHOLD = 37, 63


def agrees(value: object, reply: str) -> bool:
    """Whether a value the driver returned is what the instrument replied (loosely)."""
    value = plain(value)
    text = reply.strip().strip('"')
    if isinstance(value, EnumValue):
        return text.upper() in (str(value.name).upper(), str(plain(value.value)).upper())
    if isinstance(value, bool):
        return text.upper() in (("1", "ON") if value else ("0", "OFF"))
    if isinstance(value, int | float):
        try:
            return abs(float(text) - float(value)) < 1e-6 * max(1.0, abs(float(value)))
        except ValueError:
            return True  # not a numeric reply: not comparable
    if isinstance(value, str):
        return value.strip().upper() == text.upper() or "," in text
    return True


def disagreements(steps: list[Step]) -> list[str]:
    """Reads that sent one query, got one reply, and returned something else."""
    out: list[str] = []
    for step in steps:
        sent = [e for e in step.entries if e.direction == "in"]
        replies = [e for e in step.entries if e.direction == "out"]
        if step.action != "get" or not step.call.ok or len(sent) != 1 or len(replies) != 1:
            continue
        if not agrees(step.call.value, replies[0].message):
            out.append(f"{step.member.label} returned {show(step.call.value)} while the "
                       f"instrument answered {sent[0].message!r} with {replies[0].message!r}")
    return out


def distinct_state(instrument: SunroofInstrument) -> None:
    instrument.set_speed(SPEED)
    instrument.set_pinch_threshold(THRESHOLD)
    instrument.set_pinch_enabled(False)


@exercise("run-simulation-switch")
def simulation_switch(harness: Harness, obs: Observation) -> None:
    """A settable simulation switch stops I/O when on and resumes it, consistently, when off.

    Connected to the live simulator (status checking off), simulation is
    switched on: every property read and written back and every method
    called must send nothing. Switched off, every property is read again:
    the driver must talk to the instrument, and each read that sent one
    query must return the instrument's reply, not the simulation's value.
    A driver whose simulation cannot be switched after construction passes.
    """
    models = sunroof_models(harness)
    name = harness.class_name
    model = covering_models(models)[0]
    with harness.simulator(model) as simulator, live_driver(
            harness, simulator, status=False) as driver:
        entries = {str(entry.get("path")): entry for entry in describe(driver)}
        switch = next((path for path in SWITCHES if entries.get(path, {}).get("settable")), None)
        if switch is None:
            obs.ok = ("simulation cannot be switched after construction (permitted): there is "
                      "no switching to manage")
            return
        where = f"{name}.{switch}"
        turned = driver.set(switch, True)
        if not turned.ok:
            obs.ok = (f"{switch} has a setter that refuses to switch simulation on ({turned}): "
                      "switching is not offered")
            obs.note(where, f"= True {turned}")
            return
        state = driver.get(switch)
        if not state.ok or state.value is not True:
            obs.problem(where, f"set to True, it then reads {state}")
        members = [m for m in api_members(driver) if not m.label.startswith(switch)]
        start = len(simulator.trace)
        until = deadline(harness)
        Walker(driver, simulator, until=until).walk(members)
        if len(simulator.trace) > start:
            obs.problem(name, f"after {switch} = True the driver still talked to the "
                        f"instrument: {trace_text(simulator, start)}")
        restore(simulator)
        distinct_state(simulator.instrument)
        back = driver.set(switch, False)
        if not back.ok:
            obs.problem(where, f"switching simulation off again: = False {back}")
            return
        state = driver.get(switch)
        if not state.ok or state.value is not False:
            obs.problem(where, f"set to False, it then reads {state}")
        start = len(simulator.trace)
        reads = Walker(driver, simulator, until=until).walk(members, sets=False,
                                                            calls=False)
        if len(simulator.trace) == start:
            obs.problem(name, f"after {switch} = False every property was read without any "
                        "I/O: the driver still simulates")
        for detail in disagreements(reads):
            obs.problem(f"{name} after {switch} = False", detail)
        obs.note(where, f"on: no I/O over {len(members)} members; off: "
                 f"{trace_text(simulator, start, 6)}")
    obs.ok = (f"{switch}: switched on, the driver does no I/O; switched off, it reads the "
              "instrument's state again")
    obs.bad = "{n} problem(s) switching simulation at run time"
