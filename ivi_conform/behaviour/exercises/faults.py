"""Fault and thread exercises: lost, garbled and dropped replies; several threads at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.behaviour.api import Access, discover, get, unfound
from ivi_conform.behaviour.exercises import (
    Harness,
    exercise,
    live_driver,
    quiesce,
    show,
    trace_text,
)
from ivi_conform.behaviour.harness import (
    CALL_TIMEOUT_S,
    IO_MARGIN_S,
    DriverRef,
    drain_queue,
    plain,
)
from ivi_conform.sim.scpi import execute, parse_program

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation
    from ivi_conform.sim import LiveSimulator

#: The driver's I/O timeout during the fault exercise (set through ivi_direct_io when it can).
FAULT_TIMEOUT_MS = 500
#: The query read under the faults when a member sends it (20 after *RST).
QUERY = "MOT:SPE?"


def _no_reply(simulator: LiveSimulator) -> None:
    simulator.faults.no_reply(True)


def _garbled(simulator: LiveSimulator) -> None:
    simulator.faults.garbled_reply(True)


def _dropped(simulator: LiveSimulator) -> None:
    simulator.faults.drop_connection()


FAULTS = (("no reply", _no_reply), ("a garbled reply", _garbled),
          ("a dropped connection", _dropped))


def _query_member(driver: DriverRef, simulator: LiveSimulator) -> tuple[str, Access]:
    """The member to read under the faults: the motor speed's, else any plain reading."""
    api = discover(driver, simulator)
    for query in (QUERY, *sorted(api.queries)):
        access = api.reader(query)
        if access is not None and access.select is None:
            return query, access
    raise unfound(driver, simulator, "a property whose reading sends one query", ("MOT:SPE?",))


def _truth(simulator: LiveSimulator, query: str) -> str:
    """What the instrument answers to ``query`` now (read on the model, not over SCPI)."""
    units = parse_program(query, simulator.instrument.panel_count)
    reply = execute(simulator.instrument, units[0]) if units else None
    return reply or ""


def _same(value: object, reply: str) -> bool:
    value = plain(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return abs(float(reply) - float(value)) < 1e-6
        except ValueError:
            return False
    return str(getattr(value, "value", value)).upper() == reply.upper()


@exercise("run-faults-raise")
def faults_raise(harness: Harness, obs: Observation) -> None:
    """Under each fault the driver raises (within its own timeout) and never invents a value.

    The timeout a call is judged against is the one that applies to it: the
    I/O timeout (set to 500 ms through ``ivi_direct_io`` when the driver
    allows it) ties Direct I/O only, and an API call may have its own, longer
    one. So a raise at any time passes; ivi-conform waits well beyond the
    driver's timeouts, and only a call that never ends (a hang) or returns a
    value the instrument did not send fails.
    """
    name = harness.class_name
    model = harness.model()
    for label, inject in FAULTS:
        with harness.simulator(model) as simulator, live_driver(harness, simulator) as driver:
            query, access = _query_member(driver, simulator)
            where = f"{name}.{access.label}"
            driver.set("ivi_direct_io.io_timeout_ms", FAULT_TIMEOUT_MS)
            timeout = driver.get("ivi_direct_io.io_timeout_ms")
            limit_ms = plain(timeout.value) if timeout.ok else None
            io_limit = float(limit_ms) / 1000 if isinstance(limit_ms, int | float) else 0.0
            true_value = _truth(simulator, query)
            inject(simulator)
            start = len(simulator.trace)
            got = get(driver, access, timeout=max(3 * io_limit + IO_MARGIN_S, CALL_TIMEOUT_S))
            quiesce(simulator)
            if got.ok and not _same(got.value, true_value):
                obs.problem(where, f"with {label} it returned {show(got.value)}, a value the "
                            f"instrument did not send (it holds {true_value}); trace: "
                            f"{trace_text(simulator, start)}")
            elif got.ok and label != "a dropped connection":
                obs.problem(where, f"with {label} it returned {show(got.value)} instead of "
                            "raising")
            else:
                obs.note(where, f"{label}: {got} after {got.seconds:.2f} s (io_timeout_ms "
                         f"{limit_ms})")
    obs.ok = "under no reply, a garbled reply and a dropped connection the driver raises"
    obs.bad = "{n} fault(s) not reported by an exception"


#: What each thread may read (the query), how the instrument is set first, the value then.
THREAD_READS: tuple[tuple[str, str, int], ...] = (
    ("MOT:SPE?", "MOT:SPE 37", 37),
    ("PINC:THR?", "PINC:THR 64", 64),
    ("PAN1:POS?", "PAN1:POS 11", 11),
    ("PAN{last}:TILT?", "PAN{last}:TILT 23", 23),
    ("SHAD:POS?", "SHAD:POS 55", 55),
)
ROUNDS = 25


@exercise("run-threads-safe")
def threads_safe(harness: Harness, obs: Observation) -> None:
    """Several threads share one driver: every reply reaches its caller, no message interleaves.

    The members read are those whose reading sends a known query (found by
    watching the trace), collection items indexed as the collection lists
    them; selector-style members are left out (a selection is state shared
    by the threads by design).
    """
    name = harness.class_name
    with harness.simulator(harness.model(panels=2)) as simulator, \
            live_driver(harness, simulator) as driver:
        instrument = simulator.instrument
        api = discover(driver, simulator)
        last = instrument.panel_count
        jobs: list[tuple[str, Access, int]] = []
        for query, setting, expected in THREAD_READS:
            query, setting = query.format(last=last), setting.format(last=last)
            access = api.plain(query)
            if access is None:
                continue
            before = instrument.error_count()
            for unit in parse_program(setting, last):
                execute(instrument, unit)
            simulator.wait_idle(5.0)
            if instrument.error_count() == before:  # the model has it and took it
                jobs.append((query, access, expected))
        drain_queue(simulator)
        if len(jobs) < 2:
            raise unfound(driver, simulator, "two properties that each read one setting of the "
                          "instrument (no selector call first)", ("MOT:SPE?", "PINC:THR?"))
        start = len(simulator.trace)
        call = driver.request("threads", f"{name}: {len(jobs)} threads x {ROUNDS} reads", 60.0,
                              jobs=[{"path": access.steps} for _, access, _ in jobs],
                              rounds=ROUNDS)
        quiesce(simulator)
        queued = [int(code) for code in instrument.errors]
        trace = trace_text(simulator, start, 16)
    if not call.ok or not isinstance(call.value, list):
        obs.error = f"the thread exercise failed: {call}"
        return
    for (_, access, expected), results in zip(jobs, call.value, strict=False):
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
            obs.problem(f"{name}.{access.label}", f"{len(wrong)} of {ROUNDS} concurrent reads "
                        f"went wrong (expected {expected}): {'; '.join(wrong[:4])}")
    if queued:
        obs.problem(name, f"the instrument queued errors {queued} during the concurrent reads "
                    f"(interleaved messages); trace: {trace}")
    obs.note(name, f"{len(jobs)} threads x {ROUNDS} reads; trace starts: {trace}")
    obs.ok = f"{len(jobs)} threads sharing one driver each got their own replies"
    obs.bad = "{n} thread(s) saw another caller's reply or an interleaved message"
