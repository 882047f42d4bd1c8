"""Error exercises: the error queue methods, status checking, exceptions only (hypothesis)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.behaviour.api import discover, motions, put, unfound
from ivi_conform.behaviour.exercises import (
    Call,
    DriverRef,
    Harness,
    exercise,
    live_driver,
    quiesce,
    settle,
    show,
    trace_text,
)
from ivi_conform.behaviour.harness import drain_queue, plain
from ivi_conform.behaviour.protocol import Callback, Remote, Sequence

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation
    from ivi_conform.sim import LiveSimulator

DATA_OUT_OF_RANGE = -222
SETTINGS_CONFLICT = -221
MOTOR_OVERTEMPERATURE = 202


def _error_result(driver: DriverRef, value: object, label: str) -> tuple[object, object] | str:
    """(code, message) of an ErrorQueryResult the driver returned, or what is wrong with it."""
    if not isinstance(value, Remote):
        return f"{label} returned {show(value)}, not an ErrorQueryResult"
    result = driver.ref(value, label)
    code, message = result.get("code"), result.get("message")
    if not code.ok or not message.ok:
        return f"{label} returned {value.type} without code/message ({code}; {message})"
    return plain(code.value), plain(message.value)


def _queue(simulator: LiveSimulator, count: int, code: int = DATA_OUT_OF_RANGE) -> None:
    drain_queue(simulator)
    simulator.faults.error_burst(count, code)


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
        _queue(simulator, 2)
        for index in (1, 2):
            got = driver.call("ivi_utility.error_query")
            if not got.ok:
                obs.problem(where, f"with an error queued it {got}")
                continue
            parsed = _error_result(driver, got.value, "error_query()")
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
        obs.note(where, trace_text(simulator, 0, 12))
    obs.ok = "error_query returns None on an empty queue and extracts one error per call"
    obs.bad = "{n} problem(s) with error_query"


@exercise("run-errors-error-query-all")
def error_query_all(harness: Harness, obs: Observation) -> None:
    """``error_query_all`` drains the queue into a collection of ErrorQueryResult."""
    where = f"{harness.class_name}.ivi_utility.error_query_all"
    with harness.simulator(harness.model()) as simulator, \
            live_driver(harness, simulator) as driver:
        for count in (0, 3):
            _queue(simulator, count)
            got = driver.call("ivi_utility.error_query_all")
            if not got.ok:
                obs.problem(where, f"with {count} error(s) queued it {got}")
                continue
            items = got.value.items if isinstance(got.value, Sequence) else got.value
            if isinstance(got.value, Remote):
                listed = driver.keys("ivi_utility.error_query_all")
                items = listed.value.get("items") if listed.ok and isinstance(
                    listed.value, dict) else None
            if not isinstance(items, list | tuple):
                obs.problem(where, f"with {count} error(s) queued it returned "
                            f"{show(got.value)}, not a collection")
                continue
            if len(items) != count:
                obs.problem(where, f"with {count} error(s) queued it returned {len(items)} "
                            f"item(s): {show(got.value)}")
            for item in items:
                parsed = _error_result(driver, item, "error_query_all()")
                if isinstance(parsed, str):
                    obs.problem(where, parsed)
                    break
            left = len(simulator.instrument.errors)
            if left:
                obs.problem(where, f"{left} error(s) still queued after error_query_all()")
        obs.note(where, trace_text(simulator, 0, 12))
    obs.ok = "error_query_all drains the queue into a collection of ErrorQueryResult"
    obs.bad = "{n} problem(s) with error_query_all"


@exercise("run-errors-raise-on-device-error")
def raise_on_device_error(harness: Harness, obs: Observation) -> None:
    """``raise_on_device_error`` raises when errors are queued and not otherwise."""
    where = f"{harness.class_name}.ivi_utility.raise_on_device_error"
    with harness.simulator(harness.model()) as simulator, \
            live_driver(harness, simulator) as driver:
        drain_queue(simulator)
        quiet = driver.call("ivi_utility.raise_on_device_error")
        if not quiet.ok:
            obs.problem(where, f"with an empty error queue it {quiet}")
        _queue(simulator, 2)
        loud = driver.call("ivi_utility.raise_on_device_error")
        if loud.ok:
            obs.problem(where, f"with 2 errors queued it {loud} instead of raising; trace: "
                        f"{trace_text(simulator)}")
        else:
            obs.note(where, f"with 2 errors queued: {loud}")
    obs.ok = "raise_on_device_error raises when errors are queued, and only then"
    obs.bad = "{n} problem(s) with raise_on_device_error"


def _refused(driver: DriverRef, simulator: LiveSimulator) -> tuple[Call, list[int], str]:
    """Make the instrument refuse a setting the driver cannot foresee; (call, queued, member).

    On a model whose panels slide and tilt, the interlock: slide panel 1
    open, then tilt it (-221). Elsewhere (or when the slide is refused) the
    motor overheats (a fault only the instrument knows of) and a motion is
    refused with 202. The members are those whose reading sends
    ``PAN1:POS?`` / ``PAN1:TILT?``.
    """
    api = discover(driver, simulator)
    spec = simulator.instrument.spec
    slide, tilt = api.setter("PAN1:POS?"), api.setter("PAN1:TILT?")
    either = slide or tilt
    if either is None:
        raise unfound(driver, simulator, "a settable member whose reading sends PAN1:POS? or "
                      "PAN1:TILT?", motions(spec))
    opened = spec.slide and spec.tilt and slide is not None and tilt is not None and put(
        driver, slide, 50).ok and settle(simulator, lambda: simulator.instrument.position(1) == 50)
    if opened and tilt is not None:
        target, value, code = tilt, 30, SETTINGS_CONFLICT
    else:
        simulator.instrument.reset()
        target = either
        simulator.faults.overtemperature(True)
        value, code = 30, MOTOR_OVERTEMPERATURE
    drain_queue(simulator)
    start = len(simulator.trace)
    refused = put(driver, target, value)
    quiesce(simulator)
    simulator.faults.overtemperature(False)
    queued = [int(error) for error in simulator.instrument.errors]
    replied = any(e.direction == "out" and e.message.strip().startswith(str(code))
                  for e in simulator.trace[start:])
    return refused, queued + ([code] if replied and not queued else []), \
        f"{target.label} = {value}"


@exercise("run-errors-status-checking")
def status_checking(harness: Harness, obs: Observation) -> None:
    """With status checking on, an operation the instrument refuses raises; off, it does not."""
    name = harness.class_name
    model = harness.model(slide=True, tilt=True)
    for enabled in (True, False):
        with harness.simulator(model) as simulator, live_driver(
                harness, simulator, status=enabled) as driver:
            start = len(simulator.trace)
            done, queued, step = _refused(driver, simulator)
            where = f"{name}.{step.split(' = ')[0]}"
            what = (f"query_instrument_status_enabled={enabled}: {step}, which the instrument "
                    f"refuses, {done}")
            if enabled and done.ok:
                obs.problem(where, f"{what}; trace: {trace_text(simulator, start)}")
            elif not enabled and not done.ok:
                obs.problem(where, f"{what}: with status checking off the call must not check "
                            "the instrument's status")
            else:
                obs.note(where, f"{what}; trace: {trace_text(simulator, start, 6)}")
            if not enabled and not queued and not done.ok:
                obs.problem(where, "the error was taken from the queue with status checking off")
    obs.ok = ("with status checking on a refused operation raises; off, it returns and the "
              "error stays queued")
    obs.bad = "{n} problem(s) with query_instrument_status_enabled"


@exercise("run-errors-error-query-independent")
def error_query_independent(harness: Harness, obs: Observation) -> None:
    """``error_query`` returns the queued error whatever query_instrument_status_enabled says."""
    where = f"{harness.class_name}.ivi_utility.error_query"
    for enabled in (True, False):
        with harness.simulator(harness.model()) as simulator, live_driver(
                harness, simulator, status=enabled) as driver:
            _queue(simulator, 1)
            got = driver.call("ivi_utility.error_query")
            if not got.ok:
                obs.problem(where, f"query_instrument_status_enabled={enabled}, one error "
                            f"queued: it {got}")
                continue
            parsed = _error_result(driver, got.value, "error_query()")
            if isinstance(parsed, str) or parsed[0] != DATA_OUT_OF_RANGE:
                obs.problem(where, f"query_instrument_status_enabled={enabled}: "
                            f"{parsed if isinstance(parsed, str) else repr(parsed)}, expected "
                            f"the queued {DATA_OUT_OF_RANGE}")
            else:
                obs.note(where, f"query_instrument_status_enabled={enabled}: {parsed!r}")
    obs.ok = "error_query returns the queued error with status checking on and off"
    obs.bad = "error_query depends on query_instrument_status_enabled"


@exercise("run-errors-exceptions-only")
def exceptions_only(harness: Harness, obs: Observation) -> None:
    """Every settable property and method, fuzzed by hypothesis in the child: raise or agree."""
    name = harness.class_name
    seed = 20260226
    with harness.simulator(harness.model(panels=2)) as simulator, live_driver(
            harness, simulator, status=True) as driver:
        marks: dict[str, int] = {}

        def answer(message: Callback) -> object:
            if message.name == "mark":
                drain_queue(simulator)
                marks["start"] = len(simulator.trace)
                return marks["start"]
            if message.name == "observe":
                quiesce(simulator, 0.002, 0.2)
                start = int(message.args.get("mark", marks.get("start", 0)))
                entries = simulator.trace[start:]
                errors: list[list[object]] = []
                previous = ""
                for entry in entries:
                    if entry.direction == "in":
                        previous = entry.message.strip().upper()
                    elif previous.startswith("SYST") and "ERR" in previous:
                        code, _, text = entry.message.partition(",")
                        if code.strip().lstrip("+-").isdigit() and int(code) != 0:
                            errors.append([int(code), text.strip().strip('"')])
                errors += [[int(code), code.name] for code in simulator.instrument.errors]
                return {"errors": errors,
                        "sent": [e.message for e in entries if e.direction == "in"][:20]}
            if message.name == "settle":
                simulator.wait_idle(2.0)
                return True
            return None

        driver.set("ivi_direct_io.io_timeout_ms", 500)  # best effort: quick timeouts
        package = harness.context.driver.package or ""
        # the exploration stops drawing after half the limit; the example under way may
        # still take the driver's own timeout (twice: a query and its status check)
        budget = harness.limit(60.0) / 2
        call = driver.request(
            "fuzz", f"{name}: hypothesis exploration of the hierarchy",
            budget + 2 * harness.fair_limit(), answer,
            seed=seed, max_examples=120, package=package, budget_s=budget,
            exclude=["ivi_utility", "ivi_direct_io", "close", "locked"],
        )
    if not call.ok:
        obs.error = f"the exploration itself failed: {call.exc}"
        return
    report = call.value if isinstance(call.value, dict) else {}
    failures = report.get("failures", [])
    for failure in failures if isinstance(failures, list) else []:
        if isinstance(failure, dict):
            obs.problem(f"{name}.{failure.get('member')}",
                        f"{failure.get('problem')}; reproduce (hypothesis seed {seed}): "
                        f"{failure.get('snippet')}")
    obs.note(name, f"{report.get('examples')} examples over {report.get('targets')} members "
             f"(seed {seed}); {report.get('raised')} raised, {report.get('returned')} returned")
    obs.ok = (f"{report.get('examples')} hypothesis examples over {report.get('targets')} "
              "members: every call raised or the instrument agreed")
    obs.bad = "{n} call(s) reported an error other than by an exception"
