"""Additional Driver API exercises: ``error_query_all`` and ``raise_on_device_error`` at work.

Errors are queued on the live simulator (not over SCPI), then the driver
must drain them into ErrorQueryResult objects, or raise for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.behaviour.exercises import (
    Harness,
    error_result,
    exercise,
    live_driver,
    queue_errors,
    show,
    trace_lines,
)
from ivi_conform.behaviour.harness import drain_queue
from ivi_conform.behaviour.protocol import Remote, Sequence

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation


@exercise("run-errors-error-query-all")
def error_query_all(harness: Harness, obs: Observation) -> None:
    """``error_query_all`` drains the queue into a collection of ErrorQueryResult."""
    where = f"{harness.class_name}.ivi_utility.error_query_all"
    with harness.simulator(harness.model()) as simulator, \
            live_driver(harness, simulator) as driver:
        for count in (0, 3):
            queue_errors(simulator, count)
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
                parsed = error_result(driver, item, "error_query_all()")
                if isinstance(parsed, str):
                    obs.problem(where, parsed)
                    break
            left = len(simulator.instrument.errors)
            if left:
                obs.problem(where, f"{left} error(s) still queued after error_query_all()")
        obs.note(where, "the queue read and drained", trace_lines(simulator, 0, 12))
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
        queue_errors(simulator, 2)
        loud = driver.call("ivi_utility.raise_on_device_error")
        if loud.ok:
            obs.problem(where, f"with 2 errors queued it {loud} instead of raising",
                        trace_lines(simulator))
        else:
            obs.note(where, f"with 2 errors queued: {loud}")
    obs.ok = "raise_on_device_error raises when errors are queued, and only then"
    obs.bad = "{n} problem(s) with raise_on_device_error"
