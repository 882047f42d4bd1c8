"""No error information by return value: with status checking on, a refused call raises.

Every member is walked against the supported models of the live simulator
that together have every feature, and lack each (:func:`contrasting_models`),
with status checking on; then each call that sent a motion or a setting is
repeated where the instrument must refuse it: the motor overheated (202),
the panel interlocked (-221), the value out of range (-222). A model that
lacks a feature refuses it (-241) during the walk itself. A call the
instrument refused that returns a value (False, an error code, a made-up
reading), or None where its type promises a value, reports the error by
return value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ivi_conform.behaviour.api import (
    Step,
    Walker,
    api_members,
    commands_of,
    contrasting_models,
    deadline,
    restore,
)
from ivi_conform.behaviour.exercises import (
    Harness,
    exercise,
    live_driver,
    show,
    sunroof_models,
)

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation
    from ivi_conform.sim import LiveSimulator

MOTION = ("PAN:POS", "PAN:TILT", "SHAD:POS")
SETTINGS = (*MOTION, "MOT:SPE", "PINC:THR")
OUT_OF_RANGE = 101
MOVE_TO = 30


def _panel(message: str) -> int:
    """The panel suffix of a ``PANn:...`` message (1 when left out)."""
    head = message.strip().split(":", 1)[0].upper().lstrip(":")
    digits = "".join(c for c in head if c.isdigit())
    return int(digits) if digits else 1


def provocations(step: Step, simulator: LiveSimulator
                 ) -> list[tuple[str, tuple[object, ...], Callable[[], None]]]:
    """(why, args, set-up) for repeating ``step`` where the instrument refuses it."""
    instrument = simulator.instrument
    spec = instrument.spec
    panels = instrument.panel_count
    sent = [(m, n) for m in step.sent for n in commands_of(m, panels)]
    out: list[tuple[str, tuple[object, ...], Callable[[], None]]] = []
    ints = [i for i, a in enumerate(step.args) if type(a) is int]
    moving = [(m, n) for m, n in sent if n in MOTION]
    if moving and ints:
        args = step.args if step.action == "call" else (MOVE_TO,)

        def overheat() -> None:
            instrument.set_overtemperature(True)

        out.append(("with the motor overheated (202)", args, overheat))
        message, command = moving[0]
        number = _panel(message)
        if command != "SHAD:POS" and spec.slide and spec.tilt:
            other = instrument.set_tilt if command == "PAN:POS" else instrument.set_position

            def interlock() -> None:
                other(number, 20)
                simulator.wait_idle(2.0)

            what = "tilted" if command == "PAN:POS" else "slid open"
            out.append((f"with panel {number} {what} (interlock, -221)", args, interlock))
    if any(n in SETTINGS for _, n in sent):
        for index in ints:
            args = tuple(OUT_OF_RANGE if i == index else a for i, a in enumerate(step.args))
            out.append((f"with the value {OUT_OF_RANGE} (out of range, -222)", args,
                        lambda: None))
    return out


def judge(step: Step, why: str, obs: Observation, name: str) -> bool:
    """Record a problem if ``step`` was refused and reported by its return value."""
    if not step.refused or not step.call.ok or step.action == "set":
        return False
    value = step.call.value
    declared = step.member.type.replace(" ", "")
    where = f"{name}.{step.shown}"
    codes = ", ".join(str(code) for code in step.refused)
    if value is not None:
        obs.problem(where, f"{why}: the instrument refused it ({codes}) and it returned "
                    f"{show(value)} instead of raising; trace: {step.trace()}")
        return True
    if declared and "None" not in declared.split("|") and declared != "None":
        obs.problem(where, f"{why}: the instrument refused it ({codes}) and it returned None "
                    f"(declared {step.member.type}) instead of raising; trace: {step.trace()}")
        return True
    return False


@exercise("run-errors-no-return-codes")
def no_return_codes(harness: Harness, obs: Observation) -> None:
    """With status checking on, no call the instrument refused returns error information."""
    models = contrasting_models(sunroof_models(harness))
    name = harness.class_name
    refused = silent = 0
    until = deadline(harness)
    for model in models:
        with harness.simulator(model) as simulator, live_driver(
                harness, simulator, status=True) as driver:

            def plain() -> None:
                simulator.faults.clear()
                restore(simulator)

            walker = Walker(driver, simulator, plain, until)
            steps = walker.walk(api_members(driver))
            tried: list[tuple[Step, str]] = [(step, f"on a {model}") for step in steps]
            for step in steps:
                if not step.call.ok or step.refused or step.action == "get":
                    continue
                for why, args, setup in provocations(step, simulator):

                    def prepared(setup: Callable[[], None] = setup) -> None:
                        plain()
                        setup()

                    walker.before = prepared
                    tried.append((walker.step(step.member, step.action, args),
                                  f"on a {model} {why}"))
                    walker.before = plain
            plain()
        for step, why in tried:
            if step.refused:
                refused += 1
                if judge(step, why, obs, name):
                    continue
                silent += step.call.ok
    obs.note(name, f"{refused} refused call(s) over {', '.join(models)}; {silent} returned "
             "None without raising (run-errors-status-checking's concern)")
    obs.ok = (f"{refused} call(s) the instrument refused, status checking on: none returned "
              "error information")
    obs.bad = "{n} call(s) report an instrument error by their return value"
