"""Base IVI-Python API exercises: status checking, simulation, multithread safety.

What the Core asks of the API as a whole. Status checking off: API calls
send no status query and leave instrument errors queued; on, an operation
the instrument refuses raises; ``error_query`` answers either way. With
simulation on, the driver is given the address of a listening socket that
never answers: a driver that opens it (or sends anything) is seen at once,
and a driver that waits for a reply from it times out. Several threads
sharing one driver each get their own replies.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ivi_conform.behaviour.api import (
    NOT_CALLED,
    STATUS_QUERIES,
    Access,
    Step,
    Walker,
    api_members,
    commands_of,
    covering_models,
    discover,
    expand,
    judged_nothing,
    members,
    method_readings,
    motions,
    put,
    restore,
    unfound,
)
from ivi_conform.behaviour.exercises import (
    DATA_OUT_OF_RANGE,
    Call,
    ChargedElsewhereError,
    DriverRef,
    Harness,
    close,
    error_result,
    exercise,
    io_lines,
    live_driver,
    queue_errors,
    quiesce,
    settle,
    show,
    sunroof_models,
    trace_lines,
)
from ivi_conform.behaviour.harness import drain_queue, plain
from ivi_conform.behaviour.protocol import EnumValue, Remote, Scalar, Sequence, encode_value
from ivi_conform.sim import ErrorCode
from ivi_conform.sim.scpi import execute, parse_program

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation
    from ivi_conform.sim import LiveSimulator


#: The error left in the queue during every call: nothing the walk itself provokes.
MARKER = ErrorCode.OBSTRUCTION_DETECTED


def status_checks(step: Step, panels: int) -> list[str]:
    """The status queries a call sent after an instrument command of its own.

    A call made only of status queries reads the status on purpose
    (``error_query``, an error count): that is its job, not a check. A
    status query after a query that got no reply explains the missing reply
    (the instrument refuses a query by queueing an error instead): allowed.
    """
    found: list[str] = []
    accessed = unanswered = False
    pending: str | None = None
    for entry in step.entries:
        if entry.direction == "out":
            pending = None
            continue
        if pending is not None:
            unanswered = True
        names = commands_of(entry.message, panels)
        status = bool(names) and all(name in STATUS_QUERIES for name in names)
        if status and accessed and not unanswered:
            found.append(entry.message)
        if not status:
            accessed = True
        pending = entry.message if "?" in entry.message else None
    return found


@exercise("run-errors-status-off-silent")
def status_off_silent(harness: Harness, obs: Observation) -> None:
    """With status checking off, every API call leaves the status alone.

    Every property is read and written back and every method called once
    against the live simulator, with one error (201) queued before each call.
    A call that sends an instrument command and then a status query fails;
    so does one that removes the queued error without a status query being
    its whole purpose. A call that raises the queued error is the defect
    ``run-errors-status-checking`` charges.
    """
    models = sunroof_models(harness)
    name = harness.class_name
    model = covering_models(models)[0]
    with harness.simulator(model) as simulator, live_driver(
            harness, simulator, status=False) as driver:
        panels = simulator.instrument.panel_count

        def before() -> None:
            restore(simulator)
            simulator.faults.error_burst(1, MARKER)

        walker = Walker(driver, simulator, before)
        steps = walker.walk(api_members(driver))
        restore(simulator)
    if not any(step.sent for step in steps):
        raise judged_nothing(f"no API call sent anything to the {model} with status checking "
                             "off: no call to judge", [step.shown for step in steps])
    checked = 0
    for step in steps:
        if not step.sent:
            continue
        checked += 1
        names = [n for message in step.sent for n in commands_of(message, panels)]
        reader = bool(names) and all(n in STATUS_QUERIES or n == "*CLS" for n in names)
        queries = status_checks(step, panels)
        raised = not step.call.ok and step.call.exc is not None and (
            str(int(MARKER)) in step.call.exc.message or "obstruction" in
            step.call.exc.message.lower())
        if raised and not reader:
            raise ChargedElsewhereError("run-errors-status-checking", (
                f"with query_instrument_status_enabled False, {name}.{step.shown} raised the "
                f"error queued before it ({step.call.exc}); trace: "
                f"{' | '.join(io_lines(step.entries, 8))}"))
        if queries:
            obs.problem(f"{name}.{step.shown}", (
                "with query_instrument_status_enabled False it queried the status after its "
                f"command ({', '.join(queries)}), {_ended(step)}"
                f"{'' if int(MARKER) in step.queued else ' and dropped the queued error'}"),
                io_lines(step.entries, 8))
    obs.note(name, f"{checked} calls with I/O against a {model}, status checking off")
    obs.ok = (f"with status checking off, {checked} API calls sent no status query and left "
              "the queued error for error_query")
    obs.bad = "{n} API call(s) query the status with status checking off"


def _ended(step: Step) -> str:
    return "returned" if step.call.ok else f"raised {step.call.exc}"


SETTINGS_CONFLICT = -221


MOTOR_OVERTEMPERATURE = 202


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
        target.write_shown(value)


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
                obs.problem(where, what, trace_lines(simulator, start))
            elif not enabled and not done.ok:
                obs.problem(where, f"{what}: with status checking off the call must not check "
                            "the instrument's status")
            else:
                obs.note(where, what, trace_lines(simulator, start, 6))
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
            queue_errors(simulator, 1)
            got = driver.call("ivi_utility.error_query")
            if not got.ok:
                obs.problem(where, f"query_instrument_status_enabled={enabled}, one error "
                            f"queued: it {got}")
                continue
            parsed = error_result(driver, got.value, "error_query()")
            if isinstance(parsed, str) or parsed[0] != DATA_OUT_OF_RANGE:
                obs.problem(where, f"query_instrument_status_enabled={enabled}: "
                            f"{parsed if isinstance(parsed, str) else repr(parsed)}, expected "
                            f"the queued {DATA_OUT_OF_RANGE}")
            else:
                obs.note(where, f"query_instrument_status_enabled={enabled}: {parsed!r}")
    obs.ok = "error_query returns the queued error with status checking on and off"
    obs.bad = "error_query depends on query_instrument_status_enabled"


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

    def __init__(self, port: int) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # beside the audit's reservation of the port (see behaviour/network.py)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
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
def listener(harness: Harness) -> Iterator[Listener]:
    """A :class:`Listener` for one exercise, on one of the ports the child may connect to.

    Any other port would be closed to the driver by the sandbox's network
    confinement: a connection it attempts would be refused before it showed
    here, and a driver doing I/O in simulation would pass unseen.
    """
    with harness.ports.lease() as reserved:
        port = Listener(reserved)
        try:
            yield port
        finally:
            port.close()


@contextlib.contextmanager
def simulated_driver(harness: Harness, obs: Observation,
                     ) -> Iterator[tuple[Listener, DriverRef, object] | None]:
    """The driver constructed in simulation against a listener that shows any I/O it does.

    Yields the listener, the driver and the options that switched simulation
    on; or None, with the failed construction recorded as the problem.
    """
    with listener(harness) as port:
        options = harness.simulation_options()
        call, driver = harness.construct(port.resource_name, options=options, kind="simulated")
        if driver is None:
            obs.problem(f"{harness.class_name}.__init__", f"construction in simulation {call}")
            yield None
        else:
            yield port, driver, options


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
    with simulated_driver(harness, obs) as started:
        if started is None:
            return
        port, driver, options = started
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
    with simulated_driver(harness, obs) as started:
        if started is None:
            return
        _, driver, _ = started
        done, _ = exercise_everything(driver)
        done += method_readings(driver)
        exercised = [where for where, _, _ in done]
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
    if not reads:
        raise judged_nothing("no member read in simulation declares the type of its value",
                             exercised)
    if not returned:
        obs.problem(name, "no property returned a value in simulation")
    elif instrument and not any(got.ok for _, got in instrument):
        shown = ", ".join(where for where, _ in instrument[:6])
        obs.problem(name, f"every property of the instrument raised in simulation ({shown}"
                    f"{' ...' if len(instrument) > 6 else ''}); only ivi_utility answered: "
                    "properties that raise are not simulated data")
    obs.ok = f"{returned} of {len(reads)} members returned a value of their type in simulation"
    obs.bad = "{n} properties without plausible simulated data"


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
            raise unfound(driver, simulator, "two members that each read one setting of the "
                          "instrument (no selector call first)", ("MOT:SPE?", "PINC:THR?"))
        start = len(simulator.trace)
        call = driver.request("threads", f"{name}: {len(jobs)} threads x {ROUNDS} reads", 60.0,
                              jobs=[{"path": path, "call": called} for path, called in (
                                  access.reading() for _, access, _ in jobs)],
                              rounds=ROUNDS)
        quiesce(simulator)
        queued = [int(code) for code in instrument.errors]
        trace = trace_lines(simulator, start, 16)
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
                    "(interleaved messages)", trace)
    obs.note(name, f"{len(jobs)} threads x {ROUNDS} reads (the trace's start)", trace)
    obs.ok = f"{len(jobs)} threads sharing one driver each got their own replies"
    obs.bad = "{n} thread(s) saw another caller's reply or an interleaved message"
