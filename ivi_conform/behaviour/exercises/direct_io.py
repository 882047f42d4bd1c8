"""Direct I/O exercises: string and bytes round trips of ``*IDN?``, the I/O timeout."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.behaviour.exercises import (
    ChargedElsewhereError,
    DriverRef,
    Harness,
    exercise,
    instrument,
    live_driver,
    show,
    trace_lines,
)
from ivi_conform.behaviour.harness import plain

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation
    from ivi_conform.sim import LiveSimulator

#: The I/O timeout set for the timeout exercise, and the reply delay injected.
TIMEOUT_MS = 400
REPLY_DELAY_S = 2.0


def _require_direct_io(harness: Harness) -> None:
    """The Direct I/O API is reached through the root's ``ivi_direct_io``, as the spec names it.

    Without it, that is ``directio-reference``'s finding: the sunroof has a
    SCPI command set, so the driver must offer Direct I/O (the rule is not
    skipped as if it did not apply).
    """
    if harness.context.driver.direct_io is None and harness.context.driver.root is not None:
        found = harness.context.source.find_member(harness.context.driver.root, "ivi_direct_io")
        if found is None:  # a property, or a descriptor declared as an annotated attribute
            raise ChargedElsewhereError("directio-reference", (
                f"the root class {harness.class_name} has no ivi_direct_io reference property, "
                "through which the Direct I/O methods are called"))


def _identity(driver: DriverRef, simulator: LiveSimulator | None) -> str:
    """What ``*IDN?`` answers: the simulator's identity, else the driver's own query.

    On the vendor's instrument there is no simulator to ask: the identity is
    read through the driver's ``ivi_direct_io.session`` (pyvisa's ``query``)
    when it offers one, so that the round trip is still compared with the truth.
    """
    if simulator is not None:
        return simulator.instrument.identity
    asked = driver.call("ivi_direct_io.session.query", "*IDN?")
    value = plain(asked.value) if asked.ok else ""
    return str(value).strip()


def _trace(simulator: LiveSimulator | None, start: int) -> list[str]:
    """The simulator's I/O since ``start``; none is seen with the vendor's instrument."""
    return trace_lines(simulator, start) if simulator is not None else []


def _round_trip(simulator: LiveSimulator | None) -> str:
    return "the identity came back" + ("" if simulator is not None else
                                       " (the vendor's instrument: no trace)")


@exercise("run-direct-io-strings")
def strings(harness: Harness, obs: Observation) -> None:
    """``write_string("*IDN?")`` then ``read_string()`` returns the identity."""
    _require_direct_io(harness)
    where = f"{harness.class_name}.ivi_direct_io"
    with instrument(harness) as (resource, simulator), live_driver(harness, resource) as driver:
        start = len(simulator.trace) if simulator is not None else 0
        wrote = driver.call("ivi_direct_io.write_string", "*IDN?")
        got = driver.call("ivi_direct_io.read_string") if wrote.ok else wrote
        expected = _identity(driver, simulator)
        if not wrote.ok:
            obs.problem(f"{where}.write_string", f"write_string('*IDN?') {wrote}")
        elif not got.ok:
            obs.problem(f"{where}.read_string", f"after write_string('*IDN?'), read_string() "
                        f"{got}", _trace(simulator, start))
        elif plain(got.value) != expected if expected else not plain(got.value):
            value = plain(got.value)
            detail = " (with the terminator)" if isinstance(value, str) and \
                value.rstrip("\r\n") == expected else ""
            obs.problem(f"{where}.read_string", f"read_string() returned {show(got.value)}"
                        f"{detail}, expected {expected!r}")
        else:
            obs.note(where, _round_trip(simulator), _trace(simulator, start))
    obs.ok = "write_string('*IDN?') and read_string() round-trip the identity"
    obs.bad = "the string direct I/O round trip failed"


@exercise("run-direct-io-bytes")
def raw_bytes(harness: Harness, obs: Observation) -> None:
    """``write_bytes(b"*IDN?")`` then ``read_bytes()`` returns the identity as bytes."""
    _require_direct_io(harness)
    where = f"{harness.class_name}.ivi_direct_io"
    with instrument(harness) as (resource, simulator), live_driver(harness, resource) as driver:
        start = len(simulator.trace) if simulator is not None else 0
        wrote = driver.call("ivi_direct_io.write_bytes", b"*IDN?")
        got = driver.call("ivi_direct_io.read_bytes") if wrote.ok else wrote
        expected = _identity(driver, simulator).encode("ascii", errors="replace")
        if not wrote.ok:
            obs.problem(f"{where}.write_bytes", f"write_bytes(b'*IDN?') {wrote}")
        elif not got.ok:
            obs.problem(f"{where}.read_bytes", f"after write_bytes(b'*IDN?'), read_bytes() "
                        f"{got}", _trace(simulator, start))
        elif not isinstance(got.value, bytes) or (
                got.value.rstrip(b"\r\n") != expected if expected else not got.value):
            obs.problem(f"{where}.read_bytes", f"read_bytes() returned {show(got.value)}, "
                        f"expected {expected!r}")
        else:
            obs.note(where, _round_trip(simulator), _trace(simulator, start))
    obs.ok = "write_bytes(b'*IDN?') and read_bytes() round-trip the identity"
    obs.bad = "the bytes direct I/O round trip failed"


@exercise("run-direct-io-timeout")
def io_timeout(harness: Harness, obs: Observation) -> None:
    """``io_timeout_ms`` reads back what was set and a slow reply times out in about that time."""
    _require_direct_io(harness)
    where = f"{harness.class_name}.ivi_direct_io.io_timeout_ms"
    with harness.simulator(harness.model()) as simulator, \
            live_driver(harness, simulator) as driver:
        before = driver.get("ivi_direct_io.io_timeout_ms")
        if not before.ok or not isinstance(plain(before.value), int):
            obs.problem(where, f"reading it {before}, expected an int")
        done = driver.set("ivi_direct_io.io_timeout_ms", TIMEOUT_MS)
        after = driver.get("ivi_direct_io.io_timeout_ms")
        if not done.ok or not after.ok or plain(after.value) != TIMEOUT_MS:
            obs.problem(where, f"set to {TIMEOUT_MS}: {done}; reading it back {after}")
            return
        simulator.faults.slow_reply(REPLY_DELAY_S)
        wrote = driver.call("ivi_direct_io.write_string", "*IDN?")
        got = driver.call("ivi_direct_io.read_string", timeout=10.0)
        simulator.faults.clear()
        seconds = got.seconds
        limit = TIMEOUT_MS / 1000
        if not wrote.ok:
            obs.problem(f"{where}", f"write_string('*IDN?') {wrote}")
        elif got.ok:
            obs.problem(where, f"with io_timeout_ms={TIMEOUT_MS} and a reply delayed "
                        f"{REPLY_DELAY_S} s, read_string() {got} after {seconds:.2f} s instead "
                        "of timing out")
        elif not (0.5 * limit <= seconds <= 2 * limit + 0.5):
            obs.problem(where, f"with io_timeout_ms={TIMEOUT_MS}, read_string() raised after "
                        f"{seconds:.2f} s, not in about {limit:.1f} s ({got.exc})")
        elif got.exc is not None and not (got.exc.is_a("TimeoutError")
                                          or "timeout" in str(got.exc).lower()
                                          or "timed out" in str(got.exc).lower()):
            obs.problem(where, f"the slow reply raised {got.exc}, which does not say it timed "
                        "out")
        else:
            obs.note(where, f"set {TIMEOUT_MS}, read back {TIMEOUT_MS}; slow reply: {got} "
                     f"after {seconds:.2f} s")
    obs.ok = f"io_timeout_ms is read/write and a slow reply times out in about {TIMEOUT_MS} ms"
    obs.bad = "io_timeout_ms does not take effect"
