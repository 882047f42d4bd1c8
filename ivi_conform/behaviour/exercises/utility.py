"""Utility interface exercises: what ``ivi_utility`` answers, and what it does, running.

The identity as ``*IDN?`` says it, the supported models, the driver version,
``simulation_enabled`` telling the truth, ``error_query`` on the instrument's
queue; ``reset()`` judged by its effect (the instrument back in its reset
state); and simulation switched at run time: on stops all I/O, off talks to
the instrument again.
"""

from __future__ import annotations

import re
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
    DATA_OUT_OF_RANGE,
    ConstructionError,
    Harness,
    NotJudgedError,
    close,
    error_result,
    exercise,
    instrument,
    live_driver,
    queue_errors,
    sent,
    settle,
    show,
    sunroof_models,
    trace_lines,
)
from ivi_conform.behaviour.harness import _strings, drain_queue, off_options, plain
from ivi_conform.behaviour.protocol import EnumValue
from ivi_conform.sim import MODELS

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation
    from ivi_conform.sim import SunroofInstrument


#: Core's FileVersion (3 or 4 decimal fields of at most 5 digits), then an optional " text".
_FIELD = r"0*\d{1,5}"


DRIVER_VERSION = re.compile(
    rf"({_FIELD})\.({_FIELD})\.({_FIELD})(?:\.({_FIELD}))?(?: [\x20-\x7e]*)?")


REBRANDED = "Acme Roof Systems"


@exercise("run-utility-identity")
def identity(harness: Harness, obs: Observation) -> None:
    """``instrument_manufacturer`` and ``instrument_model`` are what ``*IDN?`` answers."""
    models = sunroof_models(harness)
    name = harness.class_name
    cases = [(models[-1], None, True), (models[0], REBRANDED, False)]
    for model, manufacturer, id_query in cases:
        with harness.simulator(model, manufacturer) as simulator:
            maker, _, rest = simulator.instrument.identity.partition(",")
            expected_model = rest.split(",")[0]
            with live_driver(harness, simulator, id_query=id_query) as driver:
                got_maker = driver.get("ivi_utility.instrument_manufacturer")
                got_model = driver.get("ivi_utility.instrument_model")
            for what, got, want in (("instrument_manufacturer", got_maker, maker),
                                    ("instrument_model", got_model, expected_model)):
                where = f"{name}.ivi_utility.{what}"
                if not got.ok or plain(got.value) != want:
                    obs.problem(where, f"connected to an instrument whose *IDN? is "
                                f"{simulator.instrument.identity!r}, it {got}; expected {want!r}")
                else:
                    obs.note(where, f"{want!r} for *IDN? {simulator.instrument.identity!r}")
    obs.ok = "instrument_manufacturer and instrument_model are those *IDN? returns"
    obs.bad = "{n} identity value(s) differ from *IDN?"


@exercise("run-utility-supported-models")
def supported_models(harness: Harness, obs: Observation) -> None:
    """``supported_instrument_models`` names the connected model as ``*IDN?`` spells it.

    Each simulator model is connected (``id_query=False``) and looked up in the
    list the driver returns: a model that is there only in another spelling
    (case, separators, a manufacturer prefix) is a problem; a driver that lists
    no spelling of any sunroof model is for another instrument (not judged).
    """
    name = harness.class_name
    where = f"{name}.ivi_utility.supported_instrument_models"
    matched = 0
    for model in MODELS:
        with harness.simulator(model) as simulator:
            with live_driver(harness, simulator, id_query=False) as driver:
                listed = driver.get("ivi_utility.supported_instrument_models")
        if not listed.ok:
            obs.problem(where, f"connected to a {model}: {listed}")
            continue
        values = _strings(listed.value)
        if model in values:
            matched += 1
            continue
        similar = [value for value in values if _folded(model) in _folded(value)]
        if similar:
            matched += 1
            obs.problem(where, f"connected to a {model} (*IDN? {simulator.instrument.identity!r})"
                        f" it lists {similar[0]!r}, not the model as *IDN? spells it")
    if not matched:
        raise NotJudgedError("supported_instrument_models names no sunroof model: "
                             "ivi-conform cannot provide the driver's instrument")
    obs.ok = "supported_instrument_models names each connected model as *IDN? spells it"
    obs.bad = "{n} connected model(s) listed in another spelling than *IDN?'s"


def _folded(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@exercise("run-utility-driver-version")
def driver_version(harness: Harness, obs: Observation) -> None:
    """``driver_version`` is a Core FileVersion, optionally followed by a space and text."""
    name = harness.class_name
    where = f"{name}.ivi_utility.driver_version"
    simulated = harness.facts().simulate
    if simulated is not None:  # no instrument needed: read it in simulation
        with harness.simulated(simulated) as (call, driver):
            if driver is None:
                raise ConstructionError(call)
            got = driver.get("ivi_utility.driver_version")
    else:
        with instrument(harness) as (resource, _), live_driver(harness, resource) as driver:
            got = driver.get("ivi_utility.driver_version")
    value = plain(got.value)
    if not got.ok or not isinstance(value, str):
        obs.problem(where, f"it {got}, expected a str")
    else:
        match = DRIVER_VERSION.fullmatch(value)
        if match is None:
            obs.problem(where, f"{value!r} is not Major.Minor.Build[.Internal] (decimal fields "
                        "of at most 5 digits) optionally followed by a space and printable "
                        "ASCII text")
        elif any(int(part) > 65535 for part in match.groups() if part):
            obs.problem(where, f"{value!r}: a field is above 65535")
        elif int(match.group(1)) == 0:
            obs.problem(where, f"{value!r}: Major is 0 (allowed only before the initial "
                        "release)")
        else:
            obs.note(where, repr(value))
    obs.ok = f"driver_version {show(value)} follows the Core's version format"
    obs.bad = "driver_version does not follow the Core's version format"


@exercise("run-simulation-enabled-truth")
def enabled_truth(harness: Harness, obs: Observation) -> None:
    """``simulation_enabled`` is True with simulation on and False against the instrument.

    The simulation half needs no instrument; the live half needs the sunroof
    simulator or the vendor's instrument, else it is not judged (and the
    message says so).
    """
    name = harness.class_name
    where = f"{name}.ivi_utility.simulation_enabled"
    options = harness.simulation_options()
    with harness.simulated(options) as (call, driver):
        if driver is None:
            obs.problem(f"{name}.__init__", f"construction in simulation {call}")
        else:
            value = driver.get("ivi_utility.simulation_enabled")
            if not value.ok or value.value is not True:
                obs.problem(where, f"with options={options!r} it {value}, expected True")
    obs.ok = "simulation_enabled is True in simulation and False against the instrument"
    obs.bad = "simulation_enabled does not tell the truth"
    if not harness.has_sunroof():
        if not harness.vendor_resource:
            obs.ok = (f"simulation_enabled is True in simulation (options={options!r}); the "
                      "live half was not judged: no instrument (give --instrument-resource)")
            return
        _vendor_half(harness, obs, where)
        return
    with harness.simulator(harness.model()) as simulator:
        live_call, live = harness.construct(simulator.resource_name)
        if live is None:
            obs.problem(f"{name}.__init__", f"construction against the instrument {live_call}")
            return
        value = live.get("ivi_utility.simulation_enabled")
        talked = bool(sent(simulator))
        close(live)
        if talked and (not value.ok or value.value is not False):
            obs.problem(where, f"against the live instrument (with I/O in the trace) it "
                        f"{value}, expected False", trace_lines(simulator, 0, 4))


def _vendor_half(harness: Harness, obs: Observation, where: str) -> None:
    """The live half against the vendor's instrument, where there is no trace to show I/O:
    constructed with the options that keep simulation off explicitly, it must read False
    (with the default options only, it is not judged: the default is simulate-off's)."""
    off = harness.facts().live
    if off is None:
        off = off_options(harness.facts().simulate)
    with instrument(harness) as (resource, _):
        live_call, live = harness.construct(resource, options=off)
        if live is None and off is not None:
            obs.note(where, f"options={off!r} against {resource} {live_call}")
            off = None
            live_call, live = harness.construct(resource, options=None)
        if live is None:
            obs.problem(f"{harness.class_name}.__init__",
                        f"construction against {resource} {live_call}")
            return
        value = live.get("ivi_utility.simulation_enabled")
        close(live)
    if off is None:
        obs.note(where, f"against {resource} with the default options it {value}")
        if value.ok and value.value is True:
            obs.ok = ("simulation_enabled is True in simulation; against the instrument, with "
                      "the default options, it reads True: not judged (no option found that "
                      "keeps simulation off; run-constructor-simulate-off judges the default)")
    elif not value.ok or value.value is not False:
        obs.problem(where, f"against {resource} with options={off!r} it {value}, "
                    "expected False")
    else:
        obs.note(where, f"against {resource} with options={off!r} it {value}")


@exercise("run-errors-error-query")
def error_query(harness: Harness, obs: Observation) -> None:
    """``error_query`` returns None on an empty queue and one ErrorQueryResult per queued error."""
    where = f"{harness.class_name}.ivi_utility.error_query"
    with harness.simulator(harness.model()) as simulator, \
            live_driver(harness, simulator) as driver:
        drain_queue(simulator)
        empty = driver.call("ivi_utility.error_query")
        if not empty.ok or empty.value is not None:
            obs.problem(where, f"on an empty error queue it {empty}, expected None")
        queue_errors(simulator, 2)
        for index in (1, 2):
            got = driver.call("ivi_utility.error_query")
            if not got.ok:
                obs.problem(where, f"with an error queued it {got}")
                continue
            parsed = error_result(driver, got.value, "error_query()")
            if isinstance(parsed, str):
                obs.problem(where, parsed)
            elif parsed[0] != DATA_OUT_OF_RANGE or "range" not in str(parsed[1]).lower():
                obs.problem(where, f"error {index} of 2 read as {parsed!r}, expected "
                            f"({DATA_OUT_OF_RANGE}, 'Data out of range')")
            left = len(simulator.instrument.errors)
            if left != 2 - index:
                obs.problem(where, f"after {index} call(s) {left} error(s) are still queued: it "
                            "must extract a single error per call")
        after = driver.call("ivi_utility.error_query")
        if not after.ok or after.value is not None:
            obs.problem(where, f"once the queue is empty again it {after}, expected None")
        obs.note(where, "an error extracted per call, then None", trace_lines(simulator, 0, 12))
    obs.ok = "error_query returns None on an empty queue and extracts one error per call"
    obs.bad = "{n} problem(s) with error_query"


#: The settings changed before the reset, away from the reset state (speed 20, 80 N, on).
DISTURBED_SPEED, DISTURBED_THRESHOLD = 37, 55


def disturb(instrument: SunroofInstrument) -> None:
    """Move everything the model has away from its reset state (through the simulator)."""
    spec = instrument.spec
    instrument.set_speed(50)
    for number in range(1, spec.panels + 1):
        if spec.slide and number == 1 or not spec.tilt:
            instrument.set_position(number, 40)
        else:
            instrument.set_tilt(number, 25)
    if spec.shade:
        instrument.set_shade(60)
    instrument.set_pinch_threshold(DISTURBED_THRESHOLD)
    instrument.set_pinch_enabled(False)


def differences(instrument: SunroofInstrument) -> list[str]:
    """What differs from the reset state of the contract (``*RST``)."""
    spec = instrument.spec
    found: list[str] = []
    for number in range(1, spec.panels + 1):
        if spec.slide and instrument.position(number) != 0:
            found.append(f"panel {number} position {instrument.position(number)}")
        if spec.tilt and instrument.tilt(number) != 0:
            found.append(f"panel {number} tilt {instrument.tilt(number)}")
    if spec.shade and instrument.shade() != 0:
        found.append(f"shade {instrument.shade()}")
    if instrument.speed() != 20:
        found.append(f"motor speed {instrument.speed()}")
    if not instrument.pinch_enabled():
        found.append("anti-pinch off")
    if instrument.pinch_threshold() != 80:
        found.append(f"pinch threshold {instrument.pinch_threshold()}")
    return found


@exercise("run-utility-reset-state")
def reset_state(harness: Harness, obs: Observation) -> None:
    """After ``ivi_utility.reset()`` the instrument is in its reset state, whatever it was in."""
    models = sunroof_models(harness)
    where = f"{harness.class_name}.ivi_utility.reset"
    model = max(models, key=lambda m: _richness(m))
    with harness.simulator(model) as simulator, live_driver(harness, simulator) as driver:
        instrument = simulator.instrument
        disturb(instrument)
        simulator.instrument.set_speed(DISTURBED_SPEED)
        simulator.wait_idle(5.0)
        before = differences(instrument)
        start = len(simulator.trace)
        call = driver.call("ivi_utility.reset")
        if not call.ok:
            obs.problem(where, f"against a {model} in a changed state ({', '.join(before)}) it "
                        f"{call}")
            return
        settle(simulator, lambda: not differences(instrument), limit=3.0)
        left = differences(instrument)
        if left:
            obs.problem(where, f"the {model} was in a changed state ({', '.join(before)}); "
                        f"after reset() it still has {', '.join(left)}",
                        trace_lines(simulator, start))
        else:
            obs.note(where, f"{model}: {', '.join(before)} -> reset state",
                     trace_lines(simulator, start, 6))
    obs.ok = ("reset() puts the instrument in its reset state (panels and shade closed, speed 20, "
              "anti-pinch on at 80 N)")
    obs.bad = "reset() does not put the instrument in its reset state"


def _richness(model: str) -> int:
    spec = MODELS[model]
    return spec.panels + spec.slide + spec.tilt + spec.shade


#: Where a driver may let simulation be switched: the ABC's name, then the mapping table's.
SWITCHES = ("ivi_utility.simulation_enabled", "ivi_utility.simulate", "simulate")


#: The instrument's state while the driver simulates: away from anything a simulation starts at.
SWITCHED_SPEED, SWITCHED_THRESHOLD = 37, 63


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
    instrument.set_speed(SWITCHED_SPEED)
    instrument.set_pinch_threshold(SWITCHED_THRESHOLD)
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
                        "instrument", trace_lines(simulator, start))
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
        obs.note(where, f"on: no I/O over {len(members)} members; off, the I/O traced",
                 trace_lines(simulator, start, 6))
    obs.ok = (f"{switch}: switched on, the driver does no I/O; switched off, it reads the "
              "instrument's state again")
    obs.bad = "{n} problem(s) switching simulation at run time"
