"""Package Contents exercise: the compliance document states what the running driver returns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.behaviour.exercises import (
    ConstructionError,
    Harness,
    NotApplicableError,
    exercise,
    live_driver,
    sunroof_models,
)
from ivi_conform.behaviour.harness import _strings, plain

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation


@exercise("run-compliance-api-values")
def compliance_matches_api(harness: Harness, obs: Observation) -> None:
    """Driver Version, Driver Vendor, Supported Instrument Models: the running API's values."""
    from ivi_conform.documents.compliance import find_compliance_document

    found = find_compliance_document(harness.context)
    if found is None:
        raise NotApplicableError("the wheel ships no compliance document "
                                 "(contents-compliance-document judges that)")
    doc = found.doc
    if harness.has_sunroof():
        models = sunroof_models(harness)
        with harness.simulator(models[0]) as simulator, live_driver(harness,
                                                                    simulator) as driver:
            version = driver.get("ivi_utility.driver_version")
            vendor = driver.get("ivi_utility.driver_vendor")
            listed = driver.get("ivi_utility.supported_instrument_models")
    else:  # none of the three needs the instrument: read in simulation
        with harness.simulated() as (call, simulated):
            if simulated is None:
                raise ConstructionError(call)
            version = simulated.get("ivi_utility.driver_version")
            vendor = simulated.get("ivi_utility.driver_vendor")
            listed = simulated.get("ivi_utility.supported_instrument_models")
    name = harness.class_name
    pairs = (("Driver Identification", "Driver Version", version, "driver_version"),
             ("Driver Identification", "Driver Vendor", vendor, "driver_vendor"))
    for section, item_name, got, api in pairs:
        item = doc.item(section, item_name)
        if item is None:
            continue  # compliance-sections-items reports a missing item
        value = plain(got.value)
        if not got.ok:
            obs.problem(f"{name}.ivi_utility.{api}", f"reading it {got}")
        elif item.text.strip() != str(value):
            obs.problems.append(doc.evidence(item, f"{item_name} {item.text!r} is not what "
                                             f"{name}.ivi_utility.{api} returns: {value!r}"))
    item = doc.item("Hardware Information", "Supported Instrument Models")
    if item is not None and listed.ok:
        api_models = set(_strings(listed.value))
        written = set(item.listed())
        if written != api_models:
            obs.problems.append(doc.evidence(item, f"Supported Instrument Models "
                                             f"{sorted(written)} differ from what "
                                             f"supported_instrument_models returns: "
                                             f"{sorted(api_models)}"))
    obs.ok = f"{found.where}: Driver Version, Driver Vendor and Supported Instrument Models " \
             "are what the running driver returns"
    obs.bad = "{n} compliance document item(s) differ from the running driver's API"
