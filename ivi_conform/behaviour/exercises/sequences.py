"""The sequence exercise: a hypothesis state machine opens, tilts, stops and closes panels.

It runs in the child (``explore.machine``) against a live SR-PN200 whose
clock runs only 10 times faster than the wall clock, so that a stop often
catches a panel moving. After a ``check`` step the parent waits until nothing
moves and reports the simulator's state of each panel, which the driver's
view (position, tilt, state) must equal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.behaviour.exercises import (
    Harness,
    NotApplicableError,
    exercise,
    live_driver,
    quiesce,
    sunroof_models,
)
from ivi_conform.behaviour.harness import drain_queue
from ivi_conform.behaviour.protocol import Callback

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation

#: Slow enough for a stop to meet a moving panel, fast enough for a quick audit.
SEQUENCE_TIME_SCALE = 10.0


@exercise("run-sequences-state")
def sequences(harness: Harness, obs: Observation) -> None:
    """After any sequence of moves and stops, the driver reports the instrument's state."""
    sunroof_models(harness)
    name = harness.class_name
    with harness.simulator("SR-PN200", time_scale=SEQUENCE_TIME_SCALE) as simulator, \
            live_driver(harness, simulator, status=True) as driver:
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

        listed = driver.keys("panels")
        if not listed.ok:
            raise NotApplicableError(f"driver.panels cannot be listed: {listed}")
        call = driver.request("machine", f"{name}: open/tilt/stop/close sequences",
                              harness.limit(90.0), answer, collection="panels",
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
                        f"{failure.get('problem')}; after (hypothesis, derandomized): {shown}")
    obs.ok = (f"{report.get('steps')} steps in sequences over panels {report.get('panels')}, "
              f"{report.get('checks')} checks: the driver's view was the instrument's")
    obs.bad = "the driver's view of the panels differs from the instrument's"
