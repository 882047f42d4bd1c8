"""Constructor exercises: identity query, reset, defaults, the two forms of options."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.behaviour.exercises import (
    Harness,
    close,
    exercise,
    instrument,
    sent,
    sunroof_models,
    trace_text,
)

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation

UNSUPPORTED_MODEL = "SR-ZZ999"


@exercise("run-constructor-id-query-accepts")
def id_query_accepts(harness: Harness, obs: Observation) -> None:
    """``id_query=True`` against every supported model of the simulator succeeds."""
    name = harness.class_name
    with instrument(harness) as (resource, simulator):
        if simulator is None:  # the vendor's instrument: the one model it is
            call, driver = harness.construct(resource, id_query=True)
            close(driver)
            if driver is None:
                obs.problem(f"{name}.__init__", f"id_query=True against {resource} {call}")
            obs.ok = f"id_query=True succeeds against {resource}"
            obs.bad = "id_query=True rejects the vendor's instrument"
            return
    models = sunroof_models(harness)
    for model in models:
        with harness.simulator(model) as simulator:
            call, driver = harness.construct(simulator.resource_name, id_query=True)
            if driver is None:
                obs.problem(f"{name}.__init__", f"id_query=True against a {model} {call}; "
                            f"trace: {trace_text(simulator)}")
            else:
                obs.note(f"{name}.__init__",
                         f"{model}: constructed; {trace_text(simulator, 0, 4)}")
            close(driver)
    obs.ok = f"id_query=True succeeds against each of {', '.join(models)}"
    obs.bad = "{n} supported model(s) rejected by id_query=True"


@exercise("run-constructor-id-query-rejects")
def id_query_rejects(harness: Harness, obs: Observation) -> None:
    """``id_query=True`` against an instrument whose ``*IDN?`` names another model raises."""
    sunroof_models(harness)
    name = harness.class_name
    with harness.simulator("SR-PN200") as simulator:
        identity = f"Skylight Test Systems,{UNSUPPORTED_MODEL},SN100042,2.1.0"
        simulator.instrument.identity = identity
        call, driver = harness.construct(simulator.resource_name, id_query=True)
        if driver is not None:
            obs.problem(f"{name}.__init__", f"id_query=True against an instrument answering "
                        f"*IDN? with {identity!r} did not raise; trace: {trace_text(simulator)}")
            close(driver)
        else:
            obs.note(f"{name}.__init__", f"{call}; trace: {trace_text(simulator)}")
    obs.ok = f"id_query=True raises against an unsupported {UNSUPPORTED_MODEL}"
    obs.bad = "the identity query accepts an instrument the driver does not support"


@exercise("run-constructor-reset")
def reset_on_init(harness: Harness, obs: Observation) -> None:
    """``reset=True`` sends ``*RST``; ``reset=False`` does not."""
    sunroof_models(harness)
    name = harness.class_name
    for reset in (True, False):
        with harness.simulator("SR-PN200") as simulator:
            call, driver = harness.construct(simulator.resource_name, reset=reset)
            messages = [message.strip().upper() for message in sent(simulator)]
            close(driver)
            if driver is None:
                obs.problem(f"{name}.__init__", f"reset={reset}: {call}")
                continue
            has_reset = "*RST" in messages
            if has_reset != reset:
                verb = "did not send" if reset else "sent"
                obs.problem(f"{name}.__init__", f"reset={reset} {verb} *RST; trace: "
                            f"{trace_text(simulator)}")
            else:
                obs.note(f"{name}.__init__", f"reset={reset}: {trace_text(simulator, 0, 6)}")
    obs.ok = "reset=True sends *RST during construction; reset=False does not"
    obs.bad = "{n} problem(s) with the reset parameter"


@exercise("run-constructor-simulate-off")
def simulate_off_by_default(harness: Harness, obs: Observation) -> None:
    """Without options the driver talks to the instrument (simulation is off by default)."""
    sunroof_models(harness)
    name = harness.class_name
    with harness.simulator("SR-PN200") as simulator:
        call, driver = harness.construct(simulator.resource_name, options=None)
        if driver is None:
            obs.problem(f"{name}.__init__", f"construction without options {call}")
            return
        reply = driver.get("motor.speed")
        talked = bool(sent(simulator))
        close(driver)
        if not talked:
            obs.problem(f"{name}.__init__", "constructed without options, the driver sent "
                        f"nothing to the instrument (motor.speed {reply}): simulation was on")
        else:
            obs.note(f"{name}.__init__", f"options=None: {trace_text(simulator, 0, 6)}")
    obs.ok = "without options the driver performs I/O: simulation is off by default"
    obs.bad = "simulation is on by default"


@exercise("run-constructor-status-off")
def status_off_by_default(harness: Harness, obs: Observation) -> None:
    """After construction without options, Query Instrument Status Enabled is False."""
    name = harness.class_name
    with instrument(harness) as (resource, _):
        call, driver = harness.construct(resource, options=None)
        if driver is None:
            obs.problem(f"{name}.__init__", f"construction without options {call}")
            return
        value = driver.get("ivi_utility.query_instrument_status_enabled")
        close(driver)
        # "unless initialization options have been used to enable it": the IVI-3.2 name
        asked, enabled_driver = harness.construct(resource, options="QueryInstrStatus=True")
        enabled = enabled_driver.get("ivi_utility.query_instrument_status_enabled") \
            if enabled_driver is not None else None
        close(enabled_driver)
    where = f"{name}.ivi_utility.query_instrument_status_enabled"
    if not value.ok or value.value is not False:
        obs.problem(where, f"after construction without options it {value}, expected False")
    if enabled is None:
        obs.note(where, f"options='QueryInstrStatus=True' not accepted ({asked}): not judged")
    elif not enabled.ok or enabled.value is not True:
        obs.problem(where, f"with options='QueryInstrStatus=True' accepted, it {enabled}, "
                    "expected True")
    obs.ok = "query_instrument_status_enabled is False after construction without options"
    obs.bad = "status checking is not off after construction"


@exercise("run-constructor-options-forms")
def options_forms(harness: Harness, obs: Observation) -> None:
    """``options`` accepts a dict and a string (both switching simulation on), and None."""
    name = harness.class_name
    with harness.simulator("SR-PN200") as simulator:
        found = harness.probe(simulator)
        user = harness.user_options()
        forms: list[object] = [user if isinstance(user, dict) else {"simulate": True},
                               user if isinstance(user, str) else "Simulate=True"]
        for options in forms:
            call, driver = harness.construct(simulator.resource_name, options=options,
                                             kind="simulated")
            kind = "dict" if isinstance(options, dict) else "string"
            if driver is None:
                obs.problem(f"{name}.__init__", f"options as a {kind} ({options!r}) {call}")
                continue
            enabled = driver.get("ivi_utility.simulation_enabled")
            close(driver)
            if not enabled.ok or enabled.value is not True:
                obs.problem(f"{name}.__init__", f"options as a {kind} ({options!r}) were "
                            f"accepted but did not switch simulation on (simulation_enabled "
                            f"{enabled})")
            else:
                obs.note(f"{name}.__init__", f"options={options!r}: simulation on")
    if found.get("options") is None and not obs.problems:
        obs.problem(f"{name}.__init__", "no form of options switched simulation on")
    obs.ok = "options are accepted as a dict and as a string"
    obs.bad = "{n} form(s) of options not accepted"


@exercise("run-constructor-bad-options")
def bad_options(harness: Harness, obs: Observation) -> None:
    """An unknown option, a malformed option string and a bad value raise a clear exception."""
    name = harness.class_name
    with harness.simulator("SR-PN200") as simulator:
        options = harness.simulation_options(simulator)
        if isinstance(options, dict):
            unknown_dict: object = {**options, "ivi_conform_no_such_option": True}
        else:
            unknown_dict = {"simulate": True, "ivi_conform_no_such_option": True}
        cases: list[tuple[str, object, str]] = [
            ("an unknown dictionary key", unknown_dict, "ivi_conform_no_such_option"),
            ("an unknown option name", "Simulate=True, IviConformNoSuchOption=1",
             "IviConformNoSuchOption"),
            ("a malformed option string", "Simulate=True, ===", ""),
            ("a bad Boolean value", "Simulate=maybe", ""),
        ]
        for what, given, named in cases:
            call, driver = harness.construct(simulator.resource_name, options=given,
                                             kind="simulated")
            if driver is not None:
                close(driver)
                obs.problem(f"{name}.__init__", f"{what} (options={given!r}) was accepted "
                            "without an exception")
                continue
            assert call.exc is not None
            if not call.exc.message.strip():
                obs.problem(f"{name}.__init__", f"{what} (options={given!r}) raised "
                            f"{call.exc.type} without a message")
            elif named and named.lower() not in call.exc.message.lower():
                obs.problem(f"{name}.__init__", f"{what} (options={given!r}) raised "
                            f"{call.exc}, which does not name {named!r}")
            else:
                obs.note(f"{name}.__init__", f"options={given!r}: {call}")
    obs.ok = "unknown options, malformed option strings and bad values raise clear exceptions"
    obs.bad = "{n} bad option(s) not reported by a clear exception"



