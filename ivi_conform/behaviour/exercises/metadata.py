"""Package Metadata exercise: the keywords hold what the running driver's API returns.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ivi_conform.behaviour.exercises import (
    Call,
    ConstructionError,
    Harness,
    NotApplicableError,
    exercise,
    instrument,
    live_driver,
)
from ivi_conform.behaviour.harness import _strings, plain

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation


@exercise("run-metadata-keywords-api")
def keywords_match_api(harness: Harness, obs: Observation) -> None:
    """The metadata keywords hold the manufacturer and the models as the API returns them.

    Read against the instrument (the sunroof simulator, the vendor's); without
    one, in simulation, where a driver that cannot give the manufacturer (it
    raises, or says it cannot query it) is judged on its models only.
    """
    name = harness.class_name
    keywords = [str(k) for k in harness.context.dist.metadata.get("keywords", []) or []]
    simulated = not harness.has_sunroof() and not harness.vendor_resource
    if simulated:
        with harness.simulated() as (call, driver):
            if driver is None:
                raise ConstructionError(call)
            maker = driver.get("ivi_utility.instrument_manufacturer")
            listed = driver.get("ivi_utility.supported_instrument_models")
    else:
        with instrument(harness) as (resource, simulator), live_driver(
                harness, simulator or resource) as driver:
            maker = driver.get("ivi_utility.instrument_manufacturer")
            listed = driver.get("ivi_utility.supported_instrument_models")
    if not listed.ok or (not simulated and not maker.ok):
        raise NotApplicableError(f"the API did not answer: {maker}; {listed}")
    api = _strings(listed.value)
    unjudged = ""
    if simulated and not given_in_simulation(maker):
        unjudged = (f"; instrument_manufacturer not judged: in simulation it {maker} (no "
                    "instrument to read it from: give --instrument-resource)")
        obs.note(f"{name}.ivi_utility.instrument_manufacturer", unjudged[2:])
    else:
        api.insert(0, str(plain(maker.value)))
    where = f"{harness.context.dist.name} METADATA Keywords"
    for value in api:
        if value not in keywords:
            obs.problem(where, f"{value!r} (from {name}.ivi_utility"
                        f"{', in simulation' if simulated else ''}) is not a keyword; "
                        f"keywords: {keywords!r}")
    obs.ok = f"the keywords hold {', '.join(api)} as the API returns them{unjudged}"
    obs.bad = "{n} API value(s) missing from the keywords"


#: What a driver says instead of a manufacturer it cannot query ("Cannot query from instrument").
_PLACEHOLDER = re.compile(r"simulat|not available|cannot|can't|unknown|n/a|^\W*$", re.IGNORECASE)


def given_in_simulation(maker: Call) -> bool:
    """Whether ``instrument_manufacturer`` read in simulation gave a manufacturer's name."""
    value = plain(maker.value)
    return maker.ok and isinstance(value, str) and not _PLACEHOLDER.search(value)
