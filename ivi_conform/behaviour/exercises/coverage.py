"""Instrument command coverage: which of the instrument's commands the driver's API can send.

Every property of the hierarchy is read and written back and every method
called once against the live simulator of each model needed to show every
feature the driver's models have; the commands found in the trace
(construction included) are the ones the API covers. A command counts only
for the models that have its feature.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.behaviour.api import (
    Walker,
    api_members,
    commands_of,
    covering_models,
    deadline,
    restore,
)
from ivi_conform.behaviour.exercises import (
    Harness,
    exercise,
    live_driver,
    sunroof_models,
)
from ivi_conform.sim import MODELS

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation
    from ivi_conform.sim import ModelSpec

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
            for entry in simulator.trace:
                if entry.direction == "in":
                    covered |= {ALIASES.get(c, c) for c in commands_of(entry.message, panels)}
    missing = sorted(wanted - covered)
    figure = f"{len(wanted & covered)}/{len(wanted)}"
    common = sorted(c for c in covered if c.startswith("*"))
    obs.note(name, f"{figure} commands sent by {calls} API calls against {', '.join(walked)}"
             f" (command set of {', '.join(models)}); common commands sent (not counted): "
             f"{', '.join(common) or 'none'}")
    if missing:
        obs.problem(name, f"{figure} of the instrument's commands covered; no API member sends "
                    f"{', '.join(missing)}")
    obs.ok = f"the API sends {figure} of the instrument's commands (models {', '.join(models)})"
    obs.bad = f"the API covers {figure} of the instrument's commands"
