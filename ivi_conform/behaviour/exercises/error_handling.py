"""Error handling exercises: errors are reported by exceptions, never by return values.

No error information by return value: every member is walked against the
supported models of the live simulator that together have every feature,
and lack each (:func:`~ivi_conform.behaviour.api.contrasting_models`), with
status checking on; then each call that sent a motion or a setting is
repeated where the instrument must refuse it: the motor overheated (202),
the panel interlocked (-221), the value out of range (-222). A model that
lacks a feature refuses it (-241) during the walk itself. A call the
instrument refused that returns a value (False, an error code, a made-up
reading), or None where its type promises a value, reports the error by
return value.

Bad options raise at construction; every settable property and method,
fuzzed by hypothesis in the child, raises or agrees with the instrument; and
under lost, garbled and dropped replies the driver raises.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ivi_conform.behaviour.api import (
    Access,
    Step,
    Walker,
    api_members,
    commands_of,
    contrasting_models,
    deadline,
    discover,
    exercisable,
    get,
    judged_nothing,
    restore,
    unfound,
)
from ivi_conform.behaviour.exercises import (
    DriverRef,
    Harness,
    Stillness,
    close,
    exercise,
    io_lines,
    live_driver,
    quiesce,
    show,
    sunroof_models,
    trace_lines,
    working_form,
)
from ivi_conform.behaviour.harness import CALL_TIMEOUT_S, IO_MARGIN_S, drain_queue, plain
from ivi_conform.behaviour.protocol import Callback
from ivi_conform.sim.scpi import execute, parse_program

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation
    from ivi_conform.sim import LiveSimulator


MOTION = ("PAN:POS", "PAN:TILT", "SHAD:POS")


SETTINGS = (*MOTION, "MOT:SPE", "PINC:THR")


OUT_OF_RANGE = 101


MOVE_TO = 30


def _panel(message: str) -> int:
    """The panel suffix of a ``PANn:...`` message (1 when left out)."""
    head = message.strip().split(":", 1)[0].upper().lstrip(":")
    digits = "".join(c for c in head if c.isdigit())
    return int(digits) if digits else 1


def provocations(step: Step, simulator: LiveSimulator
                 ) -> list[tuple[str, tuple[object, ...], Callable[[], None]]]:
    """(why, args, set-up) for repeating ``step`` where the instrument refuses it."""
    instrument = simulator.instrument
    spec = instrument.spec
    panels = instrument.panel_count
    sent = [(m, n) for m in step.sent for n in commands_of(m, panels)]
    out: list[tuple[str, tuple[object, ...], Callable[[], None]]] = []
    ints = [i for i, a in enumerate(step.args) if type(a) is int]
    moving = [(m, n) for m, n in sent if n in MOTION]
    if moving and ints:
        args = step.args if step.action == "call" else (MOVE_TO,)

        def overheat() -> None:
            instrument.set_overtemperature(True)

        out.append(("with the motor overheated (202)", args, overheat))
        message, command = moving[0]
        number = _panel(message)
        if command != "SHAD:POS" and spec.slide and spec.tilt:
            other = instrument.set_tilt if command == "PAN:POS" else instrument.set_position

            def interlock() -> None:
                other(number, 20)
                simulator.wait_idle(2.0)

            what = "tilted" if command == "PAN:POS" else "slid open"
            out.append((f"with panel {number} {what} (interlock, -221)", args, interlock))
    if any(n in SETTINGS for _, n in sent):
        for index in ints:
            args = tuple(OUT_OF_RANGE if i == index else a for i, a in enumerate(step.args))
            out.append((f"with the value {OUT_OF_RANGE} (out of range, -222)", args,
                        lambda: None))
    return out


def judge(step: Step, why: str, obs: Observation, name: str) -> bool:
    """Record a problem if ``step`` was refused and reported by its return value."""
    if not step.refused or not step.call.ok or step.action == "set":
        return False
    value = step.call.value
    declared = step.member.type.replace(" ", "")
    where = f"{name}.{step.shown}"
    codes = ", ".join(str(code) for code in step.refused)
    if value is not None:
        obs.problem(where, f"{why}: the instrument refused it ({codes}) and it returned "
                    f"{show(value)} instead of raising", io_lines(step.entries, 8))
        return True
    if declared and "None" not in declared.split("|") and declared != "None":
        obs.problem(where, f"{why}: the instrument refused it ({codes}) and it returned None "
                    f"(declared {step.member.type}) instead of raising", io_lines(step.entries, 8))
        return True
    return False


@exercise("run-errors-no-return-codes")
def no_return_codes(harness: Harness, obs: Observation) -> None:
    """With status checking on, no call the instrument refused returns error information."""
    models = contrasting_models(sunroof_models(harness))
    name = harness.class_name
    refused = silent = 0
    walked: list[str] = []
    until = deadline(harness)
    for model in models:
        with harness.simulator(model) as simulator, live_driver(
                harness, simulator, status=True) as driver:

            def plain() -> None:
                simulator.faults.clear()
                restore(simulator)

            walker = Walker(driver, simulator, plain, until)
            steps = walker.walk(api_members(driver))
            tried: list[tuple[Step, str]] = [(step, f"on a {model}") for step in steps]
            walked += [step.shown for step in steps if step.shown not in walked]
            for step in steps:
                if not step.call.ok or step.refused or step.action == "get":
                    continue
                for why, args, setup in provocations(step, simulator):

                    def prepared(setup: Callable[[], None] = setup) -> None:
                        plain()
                        setup()

                    walker.before = prepared
                    tried.append((walker.step(step.member, step.action, args),
                                  f"on a {model} {why}"))
                    walker.before = plain
            plain()
        for step, why in tried:
            if step.refused:
                refused += 1
                if judge(step, why, obs, name):
                    continue
                silent += step.call.ok
    if not refused:
        raise judged_nothing(f"the instrument refused none of the calls over "
                             f"{', '.join(models)}: no refusal to judge", walked)
    obs.note(name, f"{refused} refused call(s) over {', '.join(models)}; {silent} returned "
             "None without raising (run-errors-status-checking's concern)")
    obs.ok = (f"{refused} call(s) the instrument refused, status checking on: none returned "
              "error information")
    obs.bad = "{n} call(s) report an instrument error by their return value"


@exercise("run-constructor-bad-options")
def bad_options(harness: Harness, obs: Observation) -> None:
    """An unknown option, a malformed option string and a bad value raise an exception.

    Any exception passes, whatever its class or wording, as long as it says
    something (a message, or a class that names the problem); accepting the
    bad options silently is the failure.
    """
    name = harness.class_name
    as_dict, _ = working_form(harness, dict)
    as_string, _ = working_form(harness, str)
    cases: list[tuple[str, object]] = []
    if isinstance(as_dict, dict):
        unknown = {**as_dict, "ivi_conform_no_such_option": True}
        cases.append(("an unknown dictionary key", unknown))
    if isinstance(as_string, str):
        first = as_string.split(",")[0].split(";")[0]
        option_name = first.partition("=")[0].strip()
        cases += [
            ("an unknown option name", f"{as_string}, IviConformNoSuchOption=1"),
            ("a malformed option string", f"{as_string}, ==="),
            ("a bad Boolean value", f"{option_name}=maybe"),
        ]
    with harness.simulation_address() as resource:
        for what, given in cases:
            # bad options may leave simulation off: a hang then is this rule's alone
            call, driver = harness.construct(resource, options=given, kind="bad options")
            if driver is not None:
                close(driver)
                obs.problem(f"{name}.__init__", f"{what} (options={given!r}) was accepted "
                            "without an exception")
                continue
            assert call.exc is not None
            short = call.exc.type.rsplit(".", 1)[-1]
            if not call.exc.message.strip() and short in ("Exception", "BaseException"):
                obs.problem(f"{name}.__init__", f"{what} (options={given!r}) raised a bare "
                            f"{short} that says nothing")
            else:
                obs.note(f"{name}.__init__", f"options={given!r}: {call}")
    obs.ok = "unknown options, malformed option strings and bad values raise exceptions"
    obs.bad = "{n} bad option(s) accepted without an exception"


#: The driver's I/O timeout during the exploration (set through ivi_direct_io when it can):
#: short, since an erroneous query gets no reply. The child resynchronises after a step
#: that raised slowly, so that a reply the simulator sent after it is never judged.
EXPLORATION_TIMEOUT_MS = 500


#: How long the exploration's "observe" and "settle" wait, at most, for the simulator to read
#: and answer what the driver sent (a loaded machine), and "settle" for motion to end.
SETTLE_S = 2.0


@exercise("run-errors-exceptions-only")
def exceptions_only(harness: Harness, obs: Observation) -> None:
    """Every settable property and method, fuzzed by hypothesis in the child: raise or agree.

    The child resynchronises after a step that raised slowly (perhaps a
    timeout on a simulator late on a loaded machine): it asks to ``settle``,
    which lasts until the simulator has read and answered all the driver
    sent, then drains the driver's connection (``explore.fuzz``).
    """
    name = harness.class_name
    seed = 20260226
    with harness.simulator(harness.model(panels=2)) as simulator, live_driver(
            harness, simulator, status=True) as driver:
        marks: dict[str, int] = {}
        # what the wait after the last call saw: the child calls nothing of the driver
        # between "observe" and a "settle" that follows at once, which need not wait again
        observed: Stillness | None = None

        def answer(message: Callback) -> object:
            nonlocal observed
            seen, observed = observed, None
            if message.name == "mark":
                drain_queue(simulator)
                marks["start"] = len(simulator.trace)
                return marks["start"]
            if message.name == "observe":
                # until the simulator has read all the driver sent (a loaded machine may
                # not run it for a while): what it reads later is charged to the next call
                observed = quiesce(simulator, 0.002, SETTLE_S)
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
                # the simulator has read and answered all the driver sent (a late reply
                # included: the child then drains it), and nothing moves
                quiesce(simulator, 0.002, SETTLE_S, seen)
                simulator.wait_idle(SETTLE_S)
                return True
            return None

        driver.set("ivi_direct_io.io_timeout_ms", EXPLORATION_TIMEOUT_MS)  # best effort
        timeout = driver.get("ivi_direct_io.io_timeout_ms")
        io_timeout_ms = plain(timeout.value) if timeout.ok else None
        package = harness.context.driver.package or ""
        # the exploration stops drawing after half the limit; the example under way may
        # still take the driver's own timeout (twice: a query and its status check) and the
        # resynchronisations after them
        budget = harness.limit(60.0) / 2
        call = driver.request(
            "fuzz", f"{name}: hypothesis exploration of the hierarchy",
            budget + 2 * harness.fair_limit(), answer,
            seed=seed, max_examples=120, package=package, budget_s=budget,
            io_timeout_ms=io_timeout_ms if isinstance(io_timeout_ms, int | float) else None,
            exclude=["ivi_utility", "ivi_direct_io", "close", "locked"],
        )
        if call.ok and isinstance(call.value, dict) and not call.value.get("targets"):
            raise judged_nothing("the hypothesis exploration found no member to set or call",
                                 exercisable(driver))
    if not call.ok:
        obs.error = f"the exploration itself failed: {call.exc}"
        return
    report = call.value if isinstance(call.value, dict) else {}
    failures = report.get("failures", [])
    for failure in failures if isinstance(failures, list) else []:
        if isinstance(failure, dict):
            obs.problem(f"{name}.{failure.get('member')}",
                        f"{failure.get('problem')} (hypothesis seed {seed})",
                        reproducer=str(failure.get("snippet") or ""))
    obs.note(name, f"{report.get('examples')} examples over {report.get('targets')} members "
             f"(seed {seed}); {report.get('raised')} raised, {report.get('returned')} returned")
    if report.get("unconfirmed"):
        obs.note(name, f"{report.get('unconfirmed')} failure(s) did not show again when the "
                 "step was made again on a quiet connection: not charged (the instrument's "
                 "timing, not the driver)")
    if report.get("resyncs"):
        obs.note(name, f"{report.get('resyncs')} step(s) raised slowly (a timeout, the "
                 f"simulator late perhaps) and were resynchronised: {report.get('discarded')} "
                 "late message(s) read off the connection, not judged")
    obs.ok = (f"{report.get('examples')} hypothesis examples over {report.get('targets')} "
              "members: every call raised or the instrument agreed")
    obs.bad = "{n} call(s) reported an error other than by an exception"


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
                            f"instrument did not send (it holds {true_value})",
                            trace_lines(simulator, start))
            elif got.ok and label != "a dropped connection":
                obs.problem(where, f"with {label} it returned {show(got.value)} instead of "
                            "raising")
            else:
                obs.note(where, f"{label}: {got} after {got.seconds:.2f} s (io_timeout_ms "
                         f"{limit_ms})")
    obs.ok = "under no reply, a garbled reply and a dropped connection the driver raises"
    obs.bad = "{n} fault(s) not reported by an exception"
