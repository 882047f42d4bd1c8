"""Hierarchy exercises: the API drives the whole instrument, command by command and in sequences.

Instrument command coverage: every property of the hierarchy is read and
written back and every method called once against the live simulator of
each model needed to show every feature the driver's models have; the
commands found in the trace (construction included) are the ones the API
covers. A command counts only for the models that have its feature.

Sequences: a hypothesis state machine opens, tilts, stops and closes panels.
It runs in the child (``explore.machine``) against a live simulator of a
model the driver supports (two panels when it can) whose clock runs only 10
times faster than the wall clock, so that a stop often catches a panel
moving. After a ``check`` step the parent waits until nothing moves and
reports the simulator's state of each panel, which the driver's view
(position, tilt, state) must equal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.behaviour.api import (
    NOT_CALLED,
    Access,
    Walker,
    api_members,
    commands_of,
    covering_models,
    deadline,
    described_methods,
    discover,
    members,
    motions,
    restore,
    select,
    unfound,
)
from ivi_conform.behaviour.exercises import (
    DriverRef,
    Harness,
    NotJudgedError,
    exercise,
    live_driver,
    quiesce,
    sunroof_models,
)
from ivi_conform.behaviour.harness import drain_queue
from ivi_conform.behaviour.protocol import Callback, encode_value
from ivi_conform.sim import MODELS
from ivi_conform.sim.scpi import canonical

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation
    from ivi_conform.sim import LiveSimulator, ModelSpec


#: The instrument's own commands (its SCPI subsystems in sunroof-actuator-scpi.md), canonical
#: forms, with the feature a model needs for each ("" for every model). ``SYST:ERR:NEXT?`` is
#: ``SYST:ERR?``. The IEEE 488.2 common commands are not counted (see the rule's decision).
COMMAND_SET: tuple[tuple[str, str], ...] = (
    ("SYST:ERR?", ""), ("SYST:ERR:COUN?", ""), ("PAN:COUN?", ""),
    ("PAN:POS", "slide"), ("PAN:POS?", "slide"), ("PAN:TILT", "tilt"), ("PAN:TILT?", "tilt"),
    ("PAN:STAT?", ""), ("PAN:STOP", ""), ("SHAD:POS", "shade"), ("SHAD:POS?", "shade"),
    ("MOT:SPE", ""), ("MOT:SPE?", ""), ("MOT:CURR?", ""), ("MOT:TEMP?", ""),
    ("PINC:STAT", ""), ("PINC:STAT?", ""), ("PINC:THR", ""), ("PINC:THR?", ""),
    ("PINC:EVEN?", ""), ("SOL:POW?", "solar"),
)


#: A parameter for trying whether the live simulator implements a setting.
_PROBE_ARGUMENT = " 1"


ALIASES = {"SYST:ERR:NEXT?": "SYST:ERR?"}


def implemented() -> list[tuple[str, str]]:
    """The contract's commands the live simulator implements (the others cannot be traced)."""
    out: list[tuple[str, str]] = []
    for command, feature in COMMAND_SET:
        forms = (command,) if command.endswith("?") else (command, command + _PROBE_ARGUMENT)
        if any(commands_of(form, 2) == [command] for form in forms):
            out.append((command, feature))
    return out


def available(spec: ModelSpec) -> set[str]:
    """The commands of the command set that this model has."""
    return {command for command, feature in implemented()
            if not feature or getattr(spec, feature)}


@exercise("run-coverage-commands")
def command_coverage(harness: Harness, obs: Observation) -> None:
    """Every command of the instrument (for the driver's models) is sent by some API member."""
    models = sunroof_models(harness)
    name = harness.class_name
    wanted: set[str] = set()
    for model in models:
        wanted |= available(MODELS[model])
    covered: set[str] = set()
    malformed: set[str] = set()  # sent, but only in messages the instrument could not parse
    walked = covering_models(models)
    until = deadline(harness)
    calls = 0
    for model in walked:
        with harness.simulator(model) as simulator:
            panels = simulator.instrument.panel_count
            with live_driver(harness, simulator) as driver:
                steps = Walker(driver, simulator, lambda: restore(simulator), until).walk(
                    api_members(driver))
            calls += len(steps)
            # a command error (-1xx) says the message was malformed (not an argument out of
            # range, -2xx): a command sent only so gives the user none of its function
            garbled = {id(entry) for step in steps if any(-200 < code <= -100
                                                          for code in step.refused)
                       for entry in step.entries}
            for entry in simulator.trace:
                if entry.direction == "in":
                    (malformed if id(entry) in garbled else covered).update(
                        ALIASES.get(c, c) for c in commands_of(entry.message, panels))
    missing = sorted(wanted - covered)
    figure = f"{len(wanted & covered)}/{len(wanted)}"
    common = sorted(c for c in covered if c.startswith("*"))
    obs.note(name, f"{figure} commands sent by {calls} API calls against {', '.join(walked)}"
             f" (command set of {', '.join(models)}); common commands sent (not counted): "
             f"{', '.join(common) or 'none'}")
    if missing:
        garbled_only = [command for command in missing if command in malformed]
        obs.problem(name, f"{figure} of the instrument's commands covered; no API member sends "
                    f"{', '.join(missing)}" + (
                        f" in a message the instrument accepts ({', '.join(garbled_only)} "
                        "only in messages refused as malformed, a command error -1xx)"
                        if garbled_only else ""))
    obs.ok = f"the API sends {figure} of the instrument's commands (models {', '.join(models)})"
    obs.bad = f"the API covers {figure} of the instrument's commands"


#: Slow enough for a stop to meet a moving panel, fast enough for a quick audit.
SEQUENCE_TIME_SCALE = 10.0


def _panel_specs(driver: DriverRef, simulator: LiveSimulator) -> list[dict[str, object]]:
    """For each panel of the instrument, the members that reach it, found by what they send."""
    api = discover(driver, simulator)
    entries = members(driver) + described_methods(driver)
    specs: list[dict[str, object]] = []
    for number in range(1, simulator.instrument.panel_count + 1):
        reach: dict[str, Access | None] = {
            "position": api.setter(f"PAN{number}:POS?"),
            "tilt": api.setter(f"PAN{number}:TILT?"),
            "state": api.reader(f"PAN{number}:STAT?"),
        }
        moving = reach["position"] or reach["tilt"]
        if moving is None:
            continue
        reach["stop"] = _stop(driver, simulator, entries, moving, number)
        selects = {access.select is not None for access in reach.values() if access}
        spec: dict[str, object] = {
            "name": str(number),
            "labels": {key: access.label for key, access in reach.items() if access},
            "select": ([moving.select[0], encode_value(moving.select[1])]
                       if moving.select is not None and selects == {True} else None),
        }
        for key, access in reach.items():
            spec[key] = access.steps if access is not None else None
        specs.append(spec)
    return specs


def _stop(driver: DriverRef, simulator: LiveSimulator, entries: list[dict[str, object]],
          moving: Access, number: int) -> Access | None:
    """The argument-free method beside ``moving`` whose call sends ``PAN<n>:STOP``."""
    owner = moving.steps[:-1]
    shape = "".join(f".{name}" if kind == "attr" else "[]" for kind, name in owner).lstrip(".")
    owner_label = moving.label.rpartition(".")[0] if moving.select is None else ""
    for entry in entries:
        params = entry.get("params")
        if entry.get("kind") != "method" or not isinstance(params, list):
            continue
        if any(isinstance(p, dict) and p.get("required") for p in params):
            continue
        parent, _, name = str(entry.get("path")).rpartition(".")
        if name in NOT_CALLED or parent != shape:
            continue
        steps: list[list[object]] = [*owner, ["attr", name]]
        if moving.select is not None:
            select(driver, moving)
        start = len(simulator.trace)
        label = f"{owner_label}.{name}" if owner_label else name
        called = driver.request("call", f"driver.{label}()", driver.harness.limit(),
                                path=steps, args=[])
        quiesce(simulator)
        sent = [header for e in simulator.trace[start:] if e.direction == "in"
                for header in canonical(e.message, simulator.instrument.panel_count)]
        if called.ok and f"PAN{number}:STOP" in sent:
            return Access(label, steps, moving.select)
    return None


@exercise("run-sequences-state")
def sequences(harness: Harness, obs: Observation) -> None:
    """After any sequence of moves and stops, the driver reports the instrument's state."""
    name = harness.class_name
    with harness.simulator(harness.model(panels=2), time_scale=SEQUENCE_TIME_SCALE) as \
            simulator, live_driver(harness, simulator, status=True) as driver:
        instrument = simulator.instrument

        def answer(message: Callback) -> object:
            if message.name == "settle":
                quiesce(simulator)
                simulator.wait_idle(10.0)
                drain_queue(simulator)
                return True
            if message.name == "state":
                return [{"position": instrument.position(number),
                         "tilt": instrument.tilt(number),
                         "state": str(instrument.state(number))}
                        for number in range(1, instrument.panel_count + 1)]
            return None

        specs = _panel_specs(driver, simulator)
        if not specs:
            raise unfound(driver, simulator, "a member that moves a panel (settable, its "
                          "reading sending PAN<n>:POS? or PAN<n>:TILT?)", motions(instrument.spec))
        specs_by_number = {int(str(spec["name"])): spec for spec in specs}
        ordered = [specs_by_number[number] for number in sorted(specs_by_number)]
        if len(ordered) != instrument.panel_count:
            missing = [str(number) for number in range(1, instrument.panel_count + 1)
                       if number not in specs_by_number]
            raise NotJudgedError(f"ivi-conform found the members that move panel(s) "
                                 f"{', '.join(map(str, sorted(specs_by_number)))} of the "
                                 f"{instrument.spec.name}, not those of panel(s) "
                                 f"{', '.join(missing)} (no settable member's reading sent "
                                 f"PAN{missing[0]}:POS? or PAN{missing[0]}:TILT?)")
        instrument.reset()
        drain_queue(simulator)
        call = driver.request("machine", f"{name}: open/tilt/stop/close sequences",
                              harness.limit(90.0), answer, panels=ordered,
                              max_examples=6, steps=10)
    if not call.ok or not isinstance(call.value, dict):
        obs.error = f"the state machine itself failed: {call}"
        return
    report = call.value
    for failure in report.get("failures") or []:
        if isinstance(failure, dict):
            steps = failure.get("steps")
            shown = "; ".join(str(step) for step in steps) if isinstance(steps, list) else ""
            obs.problem(f"{name}.{failure.get('member')}",
                        f"{failure.get('problem')} (hypothesis, derandomized)", reproducer=shown)
    obs.ok = (f"{report.get('steps')} steps in sequences over panels {report.get('panels')}, "
              f"{report.get('checks')} checks: the driver's view was the instrument's")
    obs.bad = "the driver's view of the panels differs from the instrument's"
