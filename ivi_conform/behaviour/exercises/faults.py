"""Fault and thread exercises: lost, garbled and dropped replies; several threads at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.behaviour.exercises import (
    Harness,
    exercise,
    live_driver,
    quiesce,
    show,
    sunroof_models,
    trace_text,
)
from ivi_conform.behaviour.harness import plain

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation
    from ivi_conform.sim import LiveSimulator

#: The driver's I/O timeout during the fault exercise (set through ivi_direct_io when it can).
FAULT_TIMEOUT_MS = 500
#: The query used: ``motor.speed``, 20 after *RST; a driver must never invent it.
QUERY = "motor.speed"


def _no_reply(simulator: LiveSimulator) -> None:
    simulator.faults.no_reply(True)


def _garbled(simulator: LiveSimulator) -> None:
    simulator.faults.garbled_reply(True)


def _dropped(simulator: LiveSimulator) -> None:
    simulator.faults.drop_connection()


FAULTS = (("no reply", _no_reply), ("a garbled reply", _garbled),
          ("a dropped connection", _dropped))


@exercise("run-faults-raise")
def faults_raise(harness: Harness, obs: Observation) -> None:
    """Under each fault the driver raises within its timeout and never invents a value."""
    sunroof_models(harness)
    name = harness.class_name
    where = f"{name}.{QUERY}"
    for label, inject in FAULTS:
        with harness.simulator() as simulator, live_driver(harness, simulator) as driver:
            driver.set("ivi_direct_io.io_timeout_ms", FAULT_TIMEOUT_MS)
            timeout = driver.get("ivi_direct_io.io_timeout_ms")
            limit_ms = plain(timeout.value) if timeout.ok else 2000
            limit = float(limit_ms) / 1000 if isinstance(limit_ms, int | float) else 2.0
            true_value = simulator.instrument.speed()
            inject(simulator)
            start = len(simulator.trace)
            got = driver.get(QUERY, timeout=max(3 * limit + 5.0, 10.0))
            quiesce(simulator)
            slow = got.seconds > 2 * limit + 1.0
            if got.ok and plain(got.value) != true_value:
                obs.problem(where, f"with {label} it returned {show(got.value)}, a value the "
                            f"instrument did not send (it holds {true_value}); trace: "
                            f"{trace_text(simulator, start)}")
            elif got.ok and label != "a dropped connection":
                obs.problem(where, f"with {label} it returned {show(got.value)} instead of "
                            "raising")
            elif slow:
                obs.problem(where, f"with {label} it took {got.seconds:.1f} s, past its "
                            f"{limit:.1f} s timeout ({got})")
            else:
                obs.note(where, f"{label}: {got} after {got.seconds:.2f} s")
    obs.ok = "under no reply, a garbled reply and a dropped connection the driver raises in time"
    obs.bad = "{n} fault(s) not reported by an exception in time"


#: What each thread reads and the value the instrument holds for it (set before the run).
THREAD_JOBS: tuple[tuple[str, list[list[object]], int], ...] = (
    ("motor.speed", [["attr", "motor"], ["attr", "speed"]], 37),
    ("anti_pinch.threshold", [["attr", "anti_pinch"], ["attr", "threshold"]], 64),
    ("panels['1'].position", [["attr", "panels"], ["item", "1"], ["attr", "position"]], 11),
    ("panels['2'].tilt", [["attr", "panels"], ["item", "2"], ["attr", "tilt"]], 23),
)
ROUNDS = 25


@exercise("run-threads-safe")
def threads_safe(harness: Harness, obs: Observation) -> None:
    """Four threads share one driver: every reply reaches its caller, no message interleaves."""
    sunroof_models(harness)
    name = harness.class_name
    with harness.simulator("SR-PN200") as simulator, live_driver(harness, simulator) as driver:
        instrument = simulator.instrument
        instrument.set_speed(37)
        instrument.set_pinch_threshold(64)
        instrument.set_position(1, 11)
        instrument.set_tilt(2, 23)
        simulator.wait_idle(5.0)
        start = len(simulator.trace)
        jobs = [{"path": path} for _, path, _ in THREAD_JOBS]
        call = driver.request("threads", f"{name}: {len(jobs)} threads x {ROUNDS} reads", 60.0,
                              jobs=jobs, rounds=ROUNDS)
        quiesce(simulator)
        queued = [int(code) for code in instrument.errors]
        trace = trace_text(simulator, start, 16)
    if not call.ok or not isinstance(call.value, list):
        obs.error = f"the thread exercise failed: {call}"
        return
    for (label, _, expected), results in zip(THREAD_JOBS, call.value, strict=False):
        wrong = []
        for result in results if isinstance(results, list) else []:
            if not isinstance(result, dict):
                continue
            if not result.get("ok"):
                exc = result.get("exc")
                wrong.append(f"raised {exc.get('message', '?')}" if isinstance(exc, dict)
                             else "raised")
            else:
                value = plain(result.get("value"))
                if value != expected:
                    wrong.append(f"returned {value!r}")
        if wrong:
            obs.problem(f"{name}.{label}", f"{len(wrong)} of {ROUNDS} concurrent reads went "
                        f"wrong (expected {expected}): {'; '.join(wrong[:4])}")
    if queued:
        obs.problem(name, f"the instrument queued errors {queued} during the concurrent reads "
                    f"(interleaved messages); trace: {trace}")
    obs.note(name, f"{len(THREAD_JOBS)} threads x {ROUNDS} reads; trace starts: {trace}")
    obs.ok = f"{len(THREAD_JOBS)} threads sharing one driver each got their own replies"
    obs.bad = "{n} thread(s) saw another caller's reply or an interleaved message"
