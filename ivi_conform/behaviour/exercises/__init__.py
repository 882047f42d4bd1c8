"""The behavioural exercises, one function per ``run-*`` rule, grouped by concern.

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
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from ivi_conform.behaviour.harness import (
    LIVE,
    Call,
    ChargedElsewhereError,
    DriverRef,
    Harness,
    NotApplicableError,
    NotJudgedError,
    show,
)

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation
    from ivi_conform.sim import LiveSimulator

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


def quiesce(simulator: LiveSimulator, quiet: float = 0.005, limit: float = 0.5) -> None:
    """Wait until the simulator has read what the driver wrote.

    A driver's write returns before the simulator reads it, and a small write
    that follows an unanswered one can wait for the TCP acknowledgement
    (Nagle's algorithm against delayed ACKs: about 40 ms on loopback). So the
    trace must stay still for ``quiet`` seconds, or for 60 ms when its last
    entry is a message without a reply.
    """
    deadline = time.monotonic() + limit
    count = len(simulator.trace)
    still_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(quiet)
        trace = simulator.trace
        if len(trace) != count:
            count, still_since = len(trace), time.monotonic()
            continue
        unanswered = bool(trace) and trace[-1].direction == "in"
        if time.monotonic() - still_since >= (0.06 if unanswered else quiet):
            return


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


def trace_text(simulator: LiveSimulator, start: int = 0, limit: int = 14) -> str:
    """The simulator's trace from entry ``start``, as ``> sent`` / ``< replied`` lines."""
    quiesce(simulator)
    entries = simulator.trace[start:]
    shown = [f"{'>' if e.direction == 'in' else '<'} {e.message}" for e in entries[:limit]]
    more = f" ... (+{len(entries) - limit})" if len(entries) > limit else ""
    return " | ".join(shown) + more if shown else "(no I/O)"


def sent(simulator: LiveSimulator, start: int = 0) -> list[str]:
    """The messages the driver sent since trace entry ``start``."""
    quiesce(simulator)
    return [e.message for e in simulator.trace[start:] if e.direction == "in"]


__all__ = ["Call", "ChargedElsewhereError", "ConstructionError", "DriverRef", "Harness",
           "NotApplicableError", "NotJudgedError", "close", "exercise", "instrument",
           "live_driver", "quiesce", "registry", "sent", "settle", "show", "sunroof_models",
           "trace_text"]
