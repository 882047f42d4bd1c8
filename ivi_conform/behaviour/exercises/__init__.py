"""The behavioural exercises: one function per ``run-*`` rule, in the module of its spec section.

A runtime rule's exercise lives in ``<stem>.py``, the stem of its section
(:data:`~ivi_conform.catalog.SECTION_STEMS`, hyphens as underscores), as its
catalog entry lives in ``rules/<stem>.toml``. What several exercises share is
here, never in another section's module.

An exercise drives the driver (in the child, through a
:class:`~ivi_conform.behaviour.harness.Harness`) against a live simulator it
starts, and records what it saw in the rule's
:class:`~ivi_conform.behaviour.results.Observation`. It registers itself with
:func:`exercise`; :func:`registry` imports every module of this package.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ivi_conform.behaviour.harness import (
    LIVE,
    Call,
    ChargedElsewhereError,
    DriverRef,
    Harness,
    NotApplicableError,
    NotJudgedError,
    drain_queue,
    plain,
    show,
)
from ivi_conform.behaviour.protocol import Remote

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation
    from ivi_conform.sim import LiveSimulator
    from ivi_conform.sim.live import TraceEntry

ExerciseFunction = Callable[[Harness, "Observation"], None]

#: The rule that charges a constructor refusing a supported model (id_query=True).
ID_QUERY_ACCEPTS = "run-constructor-id-query-accepts"

_EXERCISES: dict[str, ExerciseFunction] = {}


def exercise(rule_id: str) -> Callable[[ExerciseFunction], ExerciseFunction]:
    """Register the decorated function as the exercise of ``rule_id``."""

    def register(function: ExerciseFunction) -> ExerciseFunction:
        if rule_id in _EXERCISES:
            raise RuntimeError(f"two exercises for rule {rule_id}")
        _EXERCISES[rule_id] = function
        return function

    return register


def registry() -> dict[str, ExerciseFunction]:
    """Every exercise, by rule id (imports the exercise modules on first use)."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return _EXERCISES


# -- helpers shared by the exercises ----------------------------------------------------------


def sunroof_models(harness: Harness) -> list[str]:
    """The sunroof models the driver supports; :class:`NotJudgedError` if there are none.

    See :meth:`Harness.sunroof_models`: ``supported_instrument_models`` at run
    time, else the models the distribution names.
    """
    return harness.sunroof_models()


def close(driver: DriverRef | None) -> None:
    """Close a driver if it has ``close`` (best effort) and forget its handle."""
    if driver is None:
        return
    with contextlib.suppress(Exception):
        driver.call("close", timeout=5.0)
    with contextlib.suppress(Exception):
        driver.harness.current.request("release", "releasing a handle", 5.0,
                                       handles=[driver.remote.handle])


@contextlib.contextmanager
def instrument(harness: Harness, model: str | None = None
               ) -> Iterator[tuple[str, LiveSimulator | None]]:
    """The instrument a generic exercise talks to: (resource name, live simulator or None).

    The live sunroof simulator for a sunroof driver; for a driver of another
    instrument, the vendor's own (``AuditConfig.instrument_resource``, with
    ``instrument_profile`` for its pyvisa-sim YAML), where the exercise
    judges what it can without the simulator's trace; else the rule is not
    judged (ivi-conform cannot provide that instrument).
    """
    try:
        models = sunroof_models(harness)
    except NotJudgedError:
        if not harness.vendor_resource:
            raise
        yield harness.use_vendor_instrument(), None
        return
    with harness.simulator(model or models[0]) as simulator:
        yield simulator.resource_name, simulator


@contextlib.contextmanager
def live_driver(harness: Harness, simulator: LiveSimulator | str, *, id_query: bool = True,
                reset: bool = False, options: object = LIVE,
                status: bool | None = None) -> Iterator[DriverRef]:
    """A driver connected to ``simulator``; :class:`Construction` if the constructor raises.

    ``status`` sets ``ivi_utility.query_instrument_status_enabled`` after construction.
    """
    resource = simulator if isinstance(simulator, str) else simulator.resource_name
    call, driver = harness.construct(resource, id_query=id_query, reset=reset, options=options)
    if driver is None:
        if id_query and harness.rule != ID_QUERY_ACCEPTS and not isinstance(simulator, str):
            # the identity query refusing a supported model is id-query-accepts' defect:
            # charged there if the same construction succeeds without it
            _, unverified = harness.construct(resource, id_query=False, reset=reset,
                                              options=options)
            if unverified is not None:
                close(unverified)
                model = simulator.instrument.spec.name
                raise ChargedElsewhereError(ID_QUERY_ACCEPTS, f"the constructor {call} "
                                            f"against a live {model}, a model the driver "
                                            "supports, with id_query=True only")
        raise ConstructionError(call)
    try:
        if not harness.io_timeout_s:  # not readable in simulation: read it live
            harness.learn_timeout(driver)
        if status is not None:
            done = driver.set("ivi_utility.query_instrument_status_enabled", status)
            if not done.ok:
                raise ConstructionError(done, "setting query_instrument_status_enabled")
        yield driver
    finally:
        close(driver)


class ConstructionError(Exception):
    """The driver could not be set up for an exercise (its constructor raised)."""

    def __init__(self, call: Call, what: str = "the constructor") -> None:
        super().__init__(f"{what} {call}")
        self.call = call


@dataclass(frozen=True)
class Stillness:
    """What a wait saw: the simulator's trace held ``count`` entries, unchanged since ``since``
    (``time.monotonic()``)."""

    count: int
    since: float


def quiesce(simulator: LiveSimulator, quiet: float = 0.005, limit: float = 0.5,
            seen: Stillness | None = None) -> Stillness:
    """Wait until the simulator has read what the driver wrote; how still its trace then was.

    A driver's write returns before the simulator reads it, and a small write
    that follows an unanswered one can wait for the TCP acknowledgement
    (Nagle's algorithm against delayed ACKs: about 40 ms on loopback). So the
    trace must stay still for ``quiet`` seconds, or for 60 ms when its last
    entry is a message without a reply, with nothing arrived that the
    simulator has not read yet (:meth:`LiveSimulator.unread`: on a loaded
    machine its thread may not run for longer than ``quiet``, and a message
    read late was taken for the next call's).

    ``seen`` is what an earlier wait on this simulator returned, with no call
    into the driver since: while the trace has not grown, the stillness that
    wait saw counts, so a wait before a call does not wait again for what the
    wait after the previous call already waited for (a walk's steps).
    """
    deadline = time.monotonic() + limit
    count = len(simulator.trace)
    resumed = seen is not None and seen.count == count
    still_since = seen.since if seen is not None and resumed else time.monotonic()
    while True:
        if not resumed:
            time.sleep(quiet)
        resumed = False
        trace = simulator.trace
        now = time.monotonic()
        if len(trace) != count or simulator.unread():  # a message not yet read: not still
            count, still_since = len(trace), now
        else:
            unanswered = bool(trace) and trace[-1].direction == "in"
            if now - still_since >= (0.06 if unanswered else quiet):
                break
        if now >= deadline:
            break
    return Stillness(count, still_since)


def settle(simulator: LiveSimulator, done: Callable[[], bool], limit: float = 2.0) -> bool:
    """Wait until ``done()`` holds with nothing moving (or ``limit`` s pass); whether it held.

    Under load a write can reach the simulator later than :func:`quiesce`
    waits, so an exercise that expects a change polls for it before it
    concludes that the change never came.
    """
    deadline = time.monotonic() + limit
    while True:
        quiesce(simulator)
        simulator.wait_idle(max(deadline - time.monotonic(), 0.0))
        if done() or time.monotonic() >= deadline:
            return done()
        time.sleep(0.02)


def io_lines(entries: Sequence[TraceEntry], limit: int = 14) -> list[str]:
    """Trace entries as an evidence's ``trace``: ``> sent`` / ``< replied``, one a line.

    The first ``limit`` entries, then how many more there were; ``(no I/O)``
    when there were none (that the driver sent nothing is evidence too).
    """
    shown = [f"{'>' if e.direction == 'in' else '<'} {e.message}" for e in entries[:limit]]
    if len(entries) > limit:
        shown.append(f"... (+{len(entries) - limit})")
    return shown or ["(no I/O)"]


def trace_lines(simulator: LiveSimulator, start: int = 0, limit: int = 14) -> list[str]:
    """The simulator's trace from entry ``start``, once still, as :func:`io_lines`."""
    quiesce(simulator)
    return io_lines(simulator.trace[start:], limit)


def sent(simulator: LiveSimulator, start: int = 0) -> list[str]:
    """The messages the driver sent since trace entry ``start``."""
    quiesce(simulator)
    return [e.message for e in simulator.trace[start:] if e.direction == "in"]


#: The error the error-queue exercises queue: -222, "Data out of range".
DATA_OUT_OF_RANGE = -222


def error_result(driver: DriverRef, value: object, label: str) -> tuple[object, object] | str:
    """(code, message) of an ErrorQueryResult the driver returned, or what is wrong with it."""
    if not isinstance(value, Remote):
        return f"{label} returned {show(value)}, not an ErrorQueryResult"
    result = driver.ref(value, label)
    code, message = result.get("code"), result.get("message")
    if not code.ok or not message.ok:
        return f"{label} returned {value.type} without code/message ({code}; {message})"
    return plain(code.value), plain(message.value)


def queue_errors(simulator: LiveSimulator, count: int, code: int = DATA_OUT_OF_RANGE) -> None:
    """Empty the simulator's error queue, then queue ``count`` errors ``code``."""
    drain_queue(simulator)
    simulator.faults.error_burst(count, code)


def working_form(harness: Harness, wanted: type) -> tuple[object, list[str]]:
    """Options of type ``wanted`` (dict or str) that switch simulation on, and what failed.

    The form derived by name from the one found first, then every candidate
    of that type (declared by the driver, then the IVI default).
    """
    found = harness.simulation_options()
    if isinstance(found, wanted):
        return found, []
    derived = harness.other_form(found)
    candidates = [derived] if isinstance(derived, wanted) else []
    candidates += [options for options, _ in harness.simulation_candidates(harness.facts())
                   if isinstance(options, wanted) and options not in candidates]
    tried: list[str] = []
    for options in candidates:
        # a candidate may leave simulation off (the driver then talks, or hangs): its own
        # kind, so that such a hang does not stop the constructions that do simulate
        with harness.simulated(options, kind="option forms") as (call, driver):
            enabled = driver.get("ivi_utility.simulation_enabled") if driver else None
        if enabled is not None and enabled.ok and enabled.value is True:
            return options, tried
        tried.append(f"options={options!r} {call if driver is None else 'accepted'}"
                     + ("" if enabled is None else f", simulation_enabled {enabled}"))
    return None, tried


__all__ = ["DATA_OUT_OF_RANGE", "Call", "ChargedElsewhereError", "ConstructionError",
           "DriverRef", "Harness", "NotApplicableError", "NotJudgedError", "Stillness", "close",
           "error_result", "exercise", "instrument", "io_lines", "live_driver", "queue_errors",
           "quiesce", "registry", "sent", "settle", "show", "sunroof_models", "trace_lines",
           "working_form"]
