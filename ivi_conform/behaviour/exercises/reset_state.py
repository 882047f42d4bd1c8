"""``ivi_utility.reset()`` puts the instrument in its known (reset) state: judged by its effect."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.behaviour.exercises import (
    Harness,
    exercise,
    live_driver,
    settle,
    sunroof_models,
    trace_text,
)
from ivi_conform.sim import MODELS

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation
    from ivi_conform.sim import SunroofInstrument

#: The settings changed before the reset, away from the reset state (speed 20, 80 N, on).
SPEED, THRESHOLD = 37, 55


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
    instrument.set_pinch_threshold(THRESHOLD)
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
        simulator.instrument.set_speed(SPEED)
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
                        f"after reset() it still has {', '.join(left)}; trace: "
                        f"{trace_text(simulator, start)}")
        else:
            obs.note(where, f"{model}: {', '.join(before)} -> reset state; trace: "
                     f"{trace_text(simulator, start, 6)}")
    obs.ok = ("reset() puts the instrument in its reset state (panels and shade closed, speed 20, "
              "anti-pinch on at 80 N)")
    obs.bad = "reset() does not put the instrument in its reset state"


def _richness(model: str) -> int:
    spec = MODELS[model]
    return spec.panels + spec.slide + spec.tilt + spec.shade
