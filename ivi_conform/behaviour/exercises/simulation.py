"""Simulation exercises: no I/O at all, simulated data, ``simulation_enabled`` tells the truth.

With simulation on, the driver is given the address of a listening socket
that never answers: a driver that opens it (or sends anything) is seen at
once, and a driver that waits for a reply from it times out.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ivi_conform.behaviour.api import NOT_CALLED, expand, members
from ivi_conform.behaviour.exercises import (
    Call,
    DriverRef,
    Harness,
    close,
    exercise,
    instrument,
    sent,
    show,
    trace_text,
)
from ivi_conform.behaviour.harness import off_options
from ivi_conform.behaviour.protocol import EnumValue, Remote, Scalar, Sequence, encode_value

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation


#: Direct I/O reaches the instrument itself: in simulation its members may raise.
DIRECT_IO = "ivi_direct_io."
#: The driver's own facts and the identity: they answer without simulated instrument data.
UTILITY = "ivi_utility."
#: Exceptions that say the simulation of a property is missing, not that the driver refuses it:
#: the built-in classes themselves (a driver's own subclass, a FeatureNotSupportedError that
#: is a NotImplementedError, is its deliberate refusal).
MISSING_SIMULATION = frozenset(f"builtins.{name}" for name in (
    "AttributeError", "NotImplementedError", "TypeError", "NameError", "AssertionError"))


class Listener:
    """A loopback TCP port that accepts connections and never answers: I/O shows here."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.setblocking(False)
        self.port = self._socket.getsockname()[1]
        self.connections = 0
        self.received = b""
        self._open: list[socket.socket] = []

    @property
    def resource_name(self) -> str:
        return f"TCPIP0::127.0.0.1::{self.port}::SOCKET"

    def poll(self) -> None:
        """Accept pending connections and read what they sent."""
        while True:
            try:
                connection, _ = self._socket.accept()
            except (BlockingIOError, OSError):
                break
            connection.setblocking(False)
            self.connections += 1
            self._open.append(connection)
        for connection in self._open:
            with contextlib.suppress(BlockingIOError, OSError):
                self.received += connection.recv(65536)

    def close(self) -> None:
        for connection in self._open:
            connection.close()
        self._socket.close()


@contextlib.contextmanager
def listener() -> Iterator[Listener]:
    """A :class:`Listener` for one exercise."""
    port = Listener()
    try:
        yield port
    finally:
        port.close()


def plausible(value: object, hint: str) -> bool:
    """Whether a value fits its type hint, for the hints of instrument data.

    ``Any`` admits anything, None included; so does an optional hint. Only
    data types are judged (int, float, bool, str, tuples and lists, Enums):
    a property typed as a callable or a class (an event handler, a session)
    is not the simulated output data the Core asks for.
    """
    hint = hint.replace(" ", "")
    if hint in ("Any", "object") or value is None and (
            "None" in hint or "Optional" in hint or "Any" in hint):
        return True
    if hint == "int":
        return isinstance(value, int) and not isinstance(value, bool) or isinstance(
            value, Scalar) and isinstance(value.value, int)
    if hint == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint == "bool":
        return isinstance(value, bool)
    if hint == "str":
        return isinstance(value, str) or isinstance(value, Scalar) and isinstance(value.value,
                                                                                     str)
    if hint.startswith(("tuple[", "list[", "Tuple[", "List[")):
        return isinstance(value, Sequence | list)
    if isinstance(value, EnumValue):
        return value.type.rsplit(".", 1)[-1] in hint
    return True


def exercise_everything(driver: DriverRef) -> tuple[list[tuple[str, Call, str]], int]:
    """Read every property, write back every settable one, call every argument-free method."""
    done: list[tuple[str, Call, str]] = []
    entries = members(driver)
    limit = driver.harness.limit()
    for entry in entries:
        kind, path = entry.get("kind"), str(entry.get("path"))
        for where, steps in expand(driver, path):
            if kind == "property":
                got = driver.request("get", f"driver.{where}", limit, path=steps)
                done.append((where, got, str(entry.get("type"))))
                if got.ok and entry.get("settable") and not isinstance(got.value, Remote):
                    value = got.value.value if isinstance(got.value, Scalar) else got.value
                    if not isinstance(value, EnumValue | Sequence):
                        done.append((where + " = ...", driver.request(
                            "set", f"driver.{where} = {value!r}", limit, path=steps,
                            value=encode_value(value)), ""))
            elif kind == "method" and where.rsplit(".", 1)[-1] not in NOT_CALLED:
                params = entry.get("params")
                if isinstance(params, list) and not any(
                        isinstance(p, dict) and p.get("required") for p in params):
                    done.append((where + "()", driver.request(
                        "call", f"driver.{where}()", limit, path=steps, args=[]), ""))
    return done, len(entries)


@exercise("run-simulation-no-io")
def no_io(harness: Harness, obs: Observation) -> None:
    """With simulation on, construction and every call do no I/O and open nothing."""
    name = harness.class_name
    with listener() as port:
        options = harness.simulation_options()
        call, driver = harness.construct(port.resource_name, options=options, kind="simulated")
        if driver is None:
            obs.problem(f"{name}.__init__", f"construction in simulation {call}")
            return
        port.poll()
        if port.connections or port.received:
            obs.problem(f"{name}.__init__", f"construction with options={options!r} opened "
                        f"{port.resource_name} ({port.received[:80]!r} sent)")
        done, _ = exercise_everything(driver)
        port.poll()
        close(driver)
        if port.connections or port.received:
            obs.problem(name, f"with simulation on the driver connected to the instrument "
                        f"address and sent {port.received[:120]!r}")
        obs.note(name, f"{len(done)} calls in simulation, no connection, nothing sent")
    obs.ok = "with simulation on the driver opens nothing and sends nothing"
    obs.bad = "the driver performs I/O with simulation on"


@exercise("run-simulation-data")
def simulated_data(harness: Harness, obs: Observation) -> None:
    """With simulation on, every property returns a value of its type (simulated data).

    Properties that raise in simulation have no simulated data: a simulation
    in which every property of the instrument raises (only ``ivi_utility``,
    the identity, answers) fails, and so does each property that raises a
    timeout (it waited for an instrument) or a built-in programming error
    (``AttributeError``, ``NotImplementedError``...: the simulation is
    missing). The driver's own refusal of one property (a feature the
    simulated model lacks, as the instrument would refuse it) is recorded,
    not failed. Direct I/O reaches the instrument itself and is left out.
    None passes where the type admits it (``Any``, optional).
    """
    name = harness.class_name
    with listener() as port:
        options = harness.simulation_options()
        call, driver = harness.construct(port.resource_name, options=options, kind="simulated")
        if driver is None:
            obs.problem(f"{name}.__init__", f"construction in simulation {call}")
            return
        done, _ = exercise_everything(driver)
        close(driver)
    reads = [(where, got, hint) for where, got, hint in done
             if hint and not where.startswith(DIRECT_IO)]
    returned = 0
    for where, got, hint in reads:
        if got.ok:
            returned += 1
            if not plausible(got.value, hint):
                obs.problem(f"{name}.{where}", f"returned {show(got.value)} in simulation, "
                            f"which is not a {hint}")
        elif got.exc is not None and got.exc.is_a("TimeoutError"):
            obs.problem(f"{name}.{where}", f"raised {got.exc} in simulation: it waited for an "
                        "instrument instead of simulating the value")
        elif got.exc is not None and got.exc.type in MISSING_SIMULATION:
            obs.problem(f"{name}.{where}", f"raised {got.exc} in simulation: the simulation of "
                        "this property is missing")
        elif got.exc is not None:
            obs.note(f"{name}.{where}", f"raised {got.exc} in simulation (the driver's refusal)")
    instrument = [(where, got) for where, got, _ in reads if not where.startswith(UTILITY)]
    if reads and not returned:
        obs.problem(name, "no property returned a value in simulation")
    elif instrument and not any(got.ok for _, got in instrument):
        shown = ", ".join(where for where, _ in instrument[:6])
        obs.problem(name, f"every property of the instrument raised in simulation ({shown}"
                    f"{' ...' if len(instrument) > 6 else ''}); only ivi_utility answered: "
                    "properties that raise are not simulated data")
    obs.ok = f"{returned} of {len(reads)} properties returned a value of their type in simulation"
    obs.bad = "{n} properties without plausible simulated data"


@exercise("run-simulation-enabled-truth")
def enabled_truth(harness: Harness, obs: Observation) -> None:
    """``simulation_enabled`` is True with simulation on and False against the instrument.

    The simulation half needs no instrument; the live half needs the sunroof
    simulator or the vendor's instrument, else it is not judged (and the
    message says so).
    """
    name = harness.class_name
    where = f"{name}.ivi_utility.simulation_enabled"
    options = harness.simulation_options()
    with harness.simulated(options) as (call, driver):
        if driver is None:
            obs.problem(f"{name}.__init__", f"construction in simulation {call}")
        else:
            value = driver.get("ivi_utility.simulation_enabled")
            if not value.ok or value.value is not True:
                obs.problem(where, f"with options={options!r} it {value}, expected True")
    obs.ok = "simulation_enabled is True in simulation and False against the instrument"
    obs.bad = "simulation_enabled does not tell the truth"
    if not harness.has_sunroof():
        if not harness.vendor_resource:
            obs.ok = (f"simulation_enabled is True in simulation (options={options!r}); the "
                      "live half was not judged: no instrument (give --instrument-resource)")
            return
        _vendor_half(harness, obs, where)
        return
    with harness.simulator(harness.model()) as simulator:
        live_call, live = harness.construct(simulator.resource_name)
        if live is None:
            obs.problem(f"{name}.__init__", f"construction against the instrument {live_call}")
            return
        value = live.get("ivi_utility.simulation_enabled")
        talked = bool(sent(simulator))
        close(live)
        if talked and (not value.ok or value.value is not False):
            obs.problem(where, f"against the live instrument (I/O in the trace: "
                        f"{trace_text(simulator, 0, 4)}) it {value}, expected False")


def _vendor_half(harness: Harness, obs: Observation, where: str) -> None:
    """The live half against the vendor's instrument, where there is no trace to show I/O:
    constructed with the options that keep simulation off explicitly, it must read False
    (with the default options only, it is not judged: the default is simulate-off's)."""
    off = harness.facts().live
    if off is None:
        off = off_options(harness.facts().simulate)
    with instrument(harness) as (resource, _):
        live_call, live = harness.construct(resource, options=off)
        if live is None and off is not None:
            obs.note(where, f"options={off!r} against {resource} {live_call}")
            off = None
            live_call, live = harness.construct(resource, options=None)
        if live is None:
            obs.problem(f"{harness.class_name}.__init__",
                        f"construction against {resource} {live_call}")
            return
        value = live.get("ivi_utility.simulation_enabled")
        close(live)
    if off is None:
        obs.note(where, f"against {resource} with the default options it {value}")
        if value.ok and value.value is True:
            obs.ok = ("simulation_enabled is True in simulation; against the instrument, with "
                      "the default options, it reads True: not judged (no option found that "
                      "keeps simulation off; run-constructor-simulate-off judges the default)")
    elif not value.ok or value.value is not False:
        obs.problem(where, f"against {resource} with options={off!r} it {value}, "
                    "expected False")
    else:
        obs.note(where, f"against {resource} with options={off!r} it {value}")
