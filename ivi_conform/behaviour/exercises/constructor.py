"""Constructor exercises: identity query (on and off), reset, defaults, the two forms of options.

The constructor is called against live simulators of the supported models
(and against instruments the driver does not claim, for ``id_query``), in
simulation for the option forms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.behaviour.exercises import (
    Call,
    Harness,
    NotJudgedError,
    close,
    exercise,
    instrument,
    sent,
    sunroof_models,
    trace_lines,
    working_form,
)
from ivi_conform.sim import MODELS

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
                obs.problem(f"{name}.__init__", f"id_query=True against a {model} {call}",
                            trace_lines(simulator))
            else:
                obs.note(f"{name}.__init__", f"{model}: constructed",
                         trace_lines(simulator, 0, 4))
            close(driver)
    obs.ok = f"id_query=True succeeds against each of {', '.join(models)}"
    obs.bad = "{n} supported model(s) rejected by id_query=True"


@exercise("run-constructor-id-query-rejects")
def id_query_rejects(harness: Harness, obs: Observation) -> None:
    """``id_query=True`` against an instrument whose ``*IDN?`` names another model raises."""
    name = harness.class_name
    with harness.simulator(harness.model()) as simulator:
        identity = f"Skylight Test Systems,{UNSUPPORTED_MODEL},SN100042,2.1.0"
        simulator.instrument.identity = identity
        call, driver = harness.construct(simulator.resource_name, id_query=True)
        if driver is not None:
            obs.problem(f"{name}.__init__", f"id_query=True against an instrument answering "
                        f"*IDN? with {identity!r} did not raise", trace_lines(simulator))
            close(driver)
        else:
            obs.note(f"{name}.__init__", str(call), trace_lines(simulator))
    obs.ok = f"id_query=True raises against an unsupported {UNSUPPORTED_MODEL}"
    obs.bad = "the identity query accepts an instrument the driver does not support"


@exercise("run-constructor-reset")
def reset_on_init(harness: Harness, obs: Observation) -> None:
    """``reset=True`` sends ``*RST``; ``reset=False`` does not."""
    name = harness.class_name
    model = harness.model()
    for reset in (True, False):
        with harness.simulator(model) as simulator:
            call, driver = harness.construct(simulator.resource_name, reset=reset)
            messages = [message.strip().upper() for message in sent(simulator)]
            close(driver)
            if driver is None:
                obs.problem(f"{name}.__init__", f"reset={reset}: {call}")
                continue
            has_reset = "*RST" in messages
            if has_reset != reset:
                verb = "did not send" if reset else "sent"
                obs.problem(f"{name}.__init__", f"reset={reset} {verb} *RST",
                            trace_lines(simulator))
            else:
                obs.note(f"{name}.__init__", f"reset={reset}", trace_lines(simulator, 0, 6))
    obs.ok = "reset=True sends *RST during construction; reset=False does not"
    obs.bad = "{n} problem(s) with the reset parameter"


@exercise("run-constructor-simulate-off")
def simulate_off_by_default(harness: Harness, obs: Observation) -> None:
    """Without options the driver talks to the instrument (simulation is off by default)."""
    name = harness.class_name
    with harness.simulator(harness.model()) as simulator:
        call, driver = harness.construct(simulator.resource_name, options=None)
        if driver is None:
            obs.problem(f"{name}.__init__", f"construction without options {call}")
            return
        reply = driver.get("ivi_utility.instrument_model")
        talked = bool(sent(simulator))
        if not talked:
            reply = driver.call("ivi_utility.error_query")
            talked = bool(sent(simulator))
        close(driver)
        if not talked:
            obs.problem(f"{name}.__init__", "constructed without options, the driver sent "
                        f"nothing to the instrument (instrument_model, error_query() {reply}): "
                        "simulation was on")
        else:
            obs.note(f"{name}.__init__", "options=None", trace_lines(simulator, 0, 6))
    obs.ok = "without options the driver performs I/O: simulation is off by default"
    obs.bad = "simulation is on by default"


@exercise("run-constructor-status-off")
def status_off_by_default(harness: Harness, obs: Observation) -> None:
    """After construction without options, Query Instrument Status Enabled is False.

    Against the instrument (the sunroof simulator, or the vendor's) it is
    constructed without options; without an instrument, in simulation with
    only the options that switch simulation on (the Core's "unless
    initialization options have been used to enable it" then still holds).
    """
    name = harness.class_name
    where = f"{name}.ivi_utility.query_instrument_status_enabled"
    if not harness.has_sunroof() and not harness.vendor_resource:
        simulate = harness.simulation_options()
        with harness.simulated(simulate) as (call, driver):
            if driver is None:
                obs.problem(f"{name}.__init__", f"construction in simulation {call}")
                return
            value = driver.get("ivi_utility.query_instrument_status_enabled")
        status_options = harness.with_status(simulate)
        with harness.simulated(status_options) as (asked, enabled_driver):
            enabled = enabled_driver.get("ivi_utility.query_instrument_status_enabled") \
                if enabled_driver is not None else None
        if not value.ok or value.value is not False:
            obs.problem(where, f"constructed with only the options that switch simulation on "
                        f"(options={simulate!r}) it {value}, expected False")
        _status_enabled(obs, where, status_options, asked, enabled)
        obs.ok = ("query_instrument_status_enabled is False after construction with only the "
                  f"simulation options ({simulate!r}; no instrument to construct without options)")
        obs.bad = "status checking is not off after construction"
        return
    with instrument(harness) as (resource, _):
        call, driver = harness.construct(resource, options=None)
        if driver is None:
            obs.problem(f"{name}.__init__", f"construction without options {call}")
            return
        value = driver.get("ivi_utility.query_instrument_status_enabled")
        close(driver)
        # "unless initialization options have been used to enable it": the driver's name
        facts = harness.facts()
        like: object = facts.simulate if facts.simulate is not None else (
            {} if facts.option_keys else "")
        status_options = harness.status_options(like)
        asked, enabled_driver = harness.construct(resource, options=status_options)
        enabled = enabled_driver.get("ivi_utility.query_instrument_status_enabled") \
            if enabled_driver is not None else None
        close(enabled_driver)
    if not value.ok or value.value is not False:
        obs.problem(where, f"after construction without options it {value}, expected False")
    _status_enabled(obs, where, status_options, asked, enabled)
    obs.ok = "query_instrument_status_enabled is False after construction without options"
    obs.bad = "status checking is not off after construction"


def _status_enabled(obs: Observation, where: str, status_options: object, asked: Call,
                    enabled: Call | None) -> None:
    """The "unless" half: options that switch status checking on, when accepted, do."""
    if enabled is None:
        obs.note(where, f"options={status_options!r} not accepted ({asked}): not judged")
    elif not enabled.ok or enabled.value is not True:
        obs.problem(where, f"with options={status_options!r} accepted, it {enabled}, "
                    "expected True")


@exercise("run-constructor-options-forms")
def options_forms(harness: Harness, obs: Observation) -> None:
    """``options`` accepts a dict and a string, each able to switch simulation on.

    The form that switched simulation on (the user's, or one the driver
    declares) stands for its kind; for the other kind each candidate is tried
    (the ones the driver documents, the one derived by name, the IVI
    default) until one switches simulation on. None doing so fails when the
    driver documents that kind (or its hint lacks it); when it documents no
    option of that kind, ivi-conform cannot guess its spelling: not judged.
    """
    name = harness.class_name
    found = harness.simulation_options()
    facts = harness.facts()
    wanted = str if isinstance(found, dict) else dict
    kind = "string" if wanted is str else "dict"
    obs.note(f"{name}.__init__", f"options={found!r}: simulation on")
    other, tried = working_form(harness, wanted)
    if other is not None:
        obs.note(f"{name}.__init__", f"options={other!r}: simulation on")
    if other is None:
        hint = facts.option_hint.replace(" ", "")
        lacks = bool(hint) and ("str" if wanted is str else "dict") not in hint and not (
            wanted is dict and facts.option_keys)
        documented = any(_names_simulation(n) for n in facts.documented_strings) \
            if wanted is str else bool(facts.option_keys or facts.documented_keys)
        if documented or lacks:
            obs.problem(f"{name}.__init__", f"no options as a {kind} switched simulation on "
                        f"({'; '.join(tried)})" + (f"; options is typed {facts.option_hint}"
                                                   if lacks else ""))
        else:
            raise NotJudgedError(
                f"options as a {kind}: the driver documents no {kind} form that switches "
                f"simulation on and none ivi-conform derived did ({'; '.join(tried)}): give "
                f"that form with --ivi-options")
    obs.ok = "options are accepted as a dict and as a string"
    obs.bad = "{n} form(s) of options not accepted"


def _names_simulation(name: str) -> bool:
    from ivi_conform.behaviour.harness import _SIMULATE

    return bool(_SIMULATE.search(name))


#: Identities no sunroof driver supports: an unknown model of the maker, another maker's product.
FOREIGN_IDENTITIES = ("Skylight Test Systems,SR-ZZ999,SN100042,2.1.0",
                      "Other Instruments Inc,XR-1000,SN000001,1.0.0")


@exercise("run-constructor-id-query-off")
def id_query_off(harness: Harness, obs: Observation) -> None:
    """With ``id_query=False`` the constructor accepts an instrument the driver does not claim.

    Against a live simulator of a sunroof model outside
    ``supported_instrument_models`` (when there is one) and against one whose
    ``*IDN?`` names an unknown model or another maker, construction must
    succeed and the driver must be usable (``instrument_model`` reads).
    Whether ``*IDN?`` was sent is recorded, not judged: the driver may need
    the identity for other purposes than verifying it.
    """
    models = sunroof_models(harness)
    name = harness.class_name
    unclaimed = [model for model in MODELS if model not in models][:1]
    cases: list[tuple[str, str | None]] = [(model, None) for model in unclaimed]
    cases += [(models[0], identity) for identity in FOREIGN_IDENTITIES]
    for model, identity in cases:
        with harness.simulator(model) as simulator:
            if identity is not None:
                simulator.instrument.identity = identity
            shown = simulator.instrument.identity
            call, driver = harness.construct(simulator.resource_name, id_query=False)
            if driver is None:
                obs.problem(f"{name}.__init__", f"id_query=False against an instrument whose "
                            f"*IDN? is {shown!r} {call}", trace_lines(simulator))
                continue
            got = driver.get("ivi_utility.instrument_model")
            close(driver)
            asked = any(m.strip().upper().startswith("*IDN?") for m in sent(simulator))
            if not got.ok:
                obs.problem(f"{name}.ivi_utility.instrument_model",
                            f"constructed with id_query=False against {shown!r}, reading it "
                            f"{got}", trace_lines(simulator))
            else:
                obs.note(f"{name}.__init__", f"id_query=False against {shown!r}: constructed"
                         f"{' (*IDN? read)' if asked else ' (no *IDN?)'}; instrument_model {got}")
    obs.ok = (f"id_query=False accepts {len(cases)} instrument(s) the driver does not support "
              "(no identity verification)")
    obs.bad = "{n} problem(s): id_query=False still verifies the identity"
