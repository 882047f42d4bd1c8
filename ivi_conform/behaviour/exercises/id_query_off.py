"""``id_query=False`` skips the identity verification: any instrument is accepted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.behaviour.exercises import (
    Harness,
    close,
    exercise,
    sent,
    sunroof_models,
    trace_text,
)

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation

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
    from ivi_conform.sim import MODELS

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
                            f"*IDN? is {shown!r} {call}; trace: {trace_text(simulator)}")
                continue
            got = driver.get("ivi_utility.instrument_model")
            close(driver)
            asked = any(m.strip().upper().startswith("*IDN?") for m in sent(simulator))
            if not got.ok:
                obs.problem(f"{name}.ivi_utility.instrument_model",
                            f"constructed with id_query=False against {shown!r}, reading it "
                            f"{got}; trace: {trace_text(simulator)}")
            else:
                obs.note(f"{name}.__init__", f"id_query=False against {shown!r}: constructed"
                         f"{' (*IDN? read)' if asked else ' (no *IDN?)'}; instrument_model {got}")
    obs.ok = (f"id_query=False accepts {len(cases)} instrument(s) the driver does not support "
              "(no identity verification)")
    obs.bad = "{n} problem(s): id_query=False still verifies the identity"
