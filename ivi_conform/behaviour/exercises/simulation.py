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

from ivi_conform.behaviour.exercises import (
    Call,
    DriverRef,
    Harness,
    close,
    exercise,
    sent,
    show,
    sunroof_models,
    trace_text,
)
from ivi_conform.behaviour.protocol import EnumValue, Remote, Scalar, Sequence

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation

#: Methods never called while walking the hierarchy (they end the session or block on purpose).
NOT_CALLED = frozenset({"close", "locked", "read_bytes", "read_string"})


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


def members(driver: DriverRef) -> list[dict[str, object]]:
    """The hierarchy as the agent describes it (properties, methods, references, collections)."""
    package = driver.harness.context.driver.package or ""
    call = driver.request("describe", "describing the driver's hierarchy", 10.0, package=package)
    if not call.ok or not isinstance(call.value, list):
        return []
    return [entry for entry in call.value if isinstance(entry, dict)]


def concrete(driver: DriverRef, path: str) -> list[str]:
    """``panels[].position`` expanded to ``panels['1'].position``... by listing the collections."""
    if "[]" not in path:
        return [path]
    head, _, rest = path.partition("[]")
    listed = driver.keys(head)
    if not listed.ok or not isinstance(listed.value, dict):
        return []
    keys = listed.value.get("keys") if listed.value.get("mapping") else listed.value.get("names")
    out: list[str] = []
    for key in (keys or [])[:4] if isinstance(keys, list) else []:
        out += concrete(driver, f"{head}[{key!r}]{rest}")
    return out


def walk(driver: DriverRef, path: str, op: str, *args: object) -> Call:
    """get/set/call a member whose path may hold ``[key]`` steps."""
    steps: list[list[object]] = []
    for part in _split(path):
        steps.append(part)
    if op == "get":
        return driver.request("get", f"driver.{path}", 10.0, path=steps)
    if op == "set":
        from ivi_conform.behaviour.protocol import encode_value

        return driver.request("set", f"driver.{path} = {args[0]!r}", 10.0, path=steps,
                              value=encode_value(args[0]))
    from ivi_conform.behaviour.protocol import encode_value

    return driver.request("call", f"driver.{path}()", 10.0, path=steps,
                          args=encode_value(list(args)))


def _split(path: str) -> list[list[object]]:
    """``panels['1'].position`` as agent path steps."""
    import ast

    steps: list[list[object]] = []
    rest = path
    while rest:
        if rest.startswith("["):
            end = rest.index("]")
            steps.append(["item", ast.literal_eval(rest[1:end])])
            rest = rest[end + 1:].lstrip(".")
            continue
        cut = min((i for i in (rest.find("."), rest.find("[")) if i >= 0), default=len(rest))
        steps.append(["attr", rest[:cut]])
        rest = rest[cut:].lstrip(".") if rest[cut:cut + 1] == "." else rest[cut:]
    return steps


def plausible(value: object, hint: str) -> bool:
    """Whether a value fits its type hint (the simple cases; others pass)."""
    hint = hint.replace(" ", "")
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
    if hint.startswith("tuple["):
        return isinstance(value, Sequence) or isinstance(value, list)
    if isinstance(value, EnumValue):
        return value.type.rsplit(".", 1)[-1] in hint
    return value is not None or "None" in hint or isinstance(value, Remote)


def exercise_everything(driver: DriverRef) -> tuple[list[tuple[str, Call, str]], int]:
    """Read every property, write back every settable one, call every argument-free method."""
    done: list[tuple[str, Call, str]] = []
    entries = members(driver)
    for entry in entries:
        kind, path = entry.get("kind"), str(entry.get("path"))
        for where in concrete(driver, path):
            if kind == "property":
                got = walk(driver, where, "get")
                done.append((where, got, str(entry.get("type"))))
                if got.ok and entry.get("settable") and not isinstance(got.value, Remote):
                    value = got.value.value if isinstance(got.value, Scalar) else got.value
                    if not isinstance(value, EnumValue | Sequence):
                        done.append((where + " = ...", walk(driver, where, "set", value), ""))
            elif kind == "method" and where.rsplit(".", 1)[-1] not in NOT_CALLED:
                params = entry.get("params")
                if isinstance(params, list) and not any(
                        isinstance(p, dict) and p.get("required") for p in params):
                    done.append((where + "()", walk(driver, where, "call"), ""))
    return done, len(entries)


@exercise("run-simulation-no-io")
def no_io(harness: Harness, obs: Observation) -> None:
    """With simulation on, construction and every call do no I/O and open nothing."""
    name = harness.class_name
    with harness.simulator() as simulator, listener() as port:
        options = harness.simulation_options(simulator)
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
    """With simulation on, every property returns a value of its type (simulated data)."""
    name = harness.class_name
    with harness.simulator() as simulator, listener() as port:
        options = harness.simulation_options(simulator)
        call, driver = harness.construct(port.resource_name, options=options, kind="simulated")
        if driver is None:
            obs.problem(f"{name}.__init__", f"construction in simulation {call}")
            return
        done, _ = exercise_everything(driver)
        close(driver)
    reads = [(where, got, hint) for where, got, hint in done if hint]
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
    if reads and not returned:
        obs.problem(name, "no property returned a value in simulation")
    obs.ok = f"{returned} of {len(reads)} properties returned a value of their type in simulation"
    obs.bad = "{n} properties without plausible simulated data"


@exercise("run-simulation-enabled-truth")
def enabled_truth(harness: Harness, obs: Observation) -> None:
    """``simulation_enabled`` is True with simulation on and False against the instrument."""
    sunroof_models(harness)
    name = harness.class_name
    where = f"{name}.ivi_utility.simulation_enabled"
    with harness.simulator() as simulator:
        options = harness.simulation_options(simulator)
        call, driver = harness.construct(simulator.resource_name, options=options,
                                         kind="simulated")
        if driver is not None:
            value = driver.get("ivi_utility.simulation_enabled")
            close(driver)
            if not value.ok or value.value is not True:
                obs.problem(where, f"with options={options!r} it {value}, expected True")
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
    obs.ok = "simulation_enabled is True in simulation and False against the instrument"
    obs.bad = "simulation_enabled does not tell the truth"
