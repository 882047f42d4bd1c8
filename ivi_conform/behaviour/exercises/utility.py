"""Utility exercises: identity as ``*IDN?`` says it, supported models, driver version, metadata."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ivi_conform.behaviour.exercises import (
    Call,
    ConstructionError,
    Harness,
    NotApplicableError,
    NotJudgedError,
    exercise,
    instrument,
    live_driver,
    show,
    sunroof_models,
)
from ivi_conform.behaviour.harness import _strings, plain

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation

#: Core's FileVersion (3 or 4 decimal fields of at most 5 digits), then an optional " text".
_FIELD = r"0*\d{1,5}"
DRIVER_VERSION = re.compile(
    rf"({_FIELD})\.({_FIELD})\.({_FIELD})(?:\.({_FIELD}))?(?: [\x20-\x7e]*)?")
REBRANDED = "Acme Roof Systems"


@exercise("run-utility-identity")
def identity(harness: Harness, obs: Observation) -> None:
    """``instrument_manufacturer`` and ``instrument_model`` are what ``*IDN?`` answers."""
    models = sunroof_models(harness)
    name = harness.class_name
    cases = [(models[-1], None, True), (models[0], REBRANDED, False)]
    for model, manufacturer, id_query in cases:
        with harness.simulator(model, manufacturer) as simulator:
            maker, _, rest = simulator.instrument.identity.partition(",")
            expected_model = rest.split(",")[0]
            with live_driver(harness, simulator, id_query=id_query) as driver:
                got_maker = driver.get("ivi_utility.instrument_manufacturer")
                got_model = driver.get("ivi_utility.instrument_model")
            for what, got, want in (("instrument_manufacturer", got_maker, maker),
                                    ("instrument_model", got_model, expected_model)):
                where = f"{name}.ivi_utility.{what}"
                if not got.ok or plain(got.value) != want:
                    obs.problem(where, f"connected to an instrument whose *IDN? is "
                                f"{simulator.instrument.identity!r}, it {got}; expected {want!r}")
                else:
                    obs.note(where, f"{want!r} for *IDN? {simulator.instrument.identity!r}")
    obs.ok = "instrument_manufacturer and instrument_model are those *IDN? returns"
    obs.bad = "{n} identity value(s) differ from *IDN?"


@exercise("run-utility-supported-models")
def supported_models(harness: Harness, obs: Observation) -> None:
    """``supported_instrument_models`` names the connected model as ``*IDN?`` spells it.

    Each simulator model is connected (``id_query=False``) and looked up in the
    list the driver returns: a model that is there only in another spelling
    (case, separators, a manufacturer prefix) is a problem; a driver that lists
    no spelling of any sunroof model is for another instrument (not judged).
    """
    from ivi_conform.sim import MODELS

    name = harness.class_name
    where = f"{name}.ivi_utility.supported_instrument_models"
    matched = 0
    for model in MODELS:
        with harness.simulator(model) as simulator:
            with live_driver(harness, simulator, id_query=False) as driver:
                listed = driver.get("ivi_utility.supported_instrument_models")
        if not listed.ok:
            obs.problem(where, f"connected to a {model}: {listed}")
            continue
        values = _strings(listed.value)
        if model in values:
            matched += 1
            continue
        similar = [value for value in values if _folded(model) in _folded(value)]
        if similar:
            matched += 1
            obs.problem(where, f"connected to a {model} (*IDN? {simulator.instrument.identity!r})"
                        f" it lists {similar[0]!r}, not the model as *IDN? spells it")
    if not matched:
        raise NotJudgedError("supported_instrument_models names no sunroof model: "
                             "ivi-conform cannot provide the driver's instrument")
    obs.ok = "supported_instrument_models names each connected model as *IDN? spells it"
    obs.bad = "{n} connected model(s) listed in another spelling than *IDN?'s"


def _folded(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@exercise("run-utility-driver-version")
def driver_version(harness: Harness, obs: Observation) -> None:
    """``driver_version`` is a Core FileVersion, optionally followed by a space and text."""
    name = harness.class_name
    where = f"{name}.ivi_utility.driver_version"
    simulated = harness.facts().simulate
    if simulated is not None:  # no instrument needed: read it in simulation
        with harness.simulated(simulated) as (call, driver):
            if driver is None:
                raise ConstructionError(call)
            got = driver.get("ivi_utility.driver_version")
    else:
        with instrument(harness) as (resource, _), live_driver(harness, resource) as driver:
            got = driver.get("ivi_utility.driver_version")
    value = plain(got.value)
    if not got.ok or not isinstance(value, str):
        obs.problem(where, f"it {got}, expected a str")
    else:
        match = DRIVER_VERSION.fullmatch(value)
        if match is None:
            obs.problem(where, f"{value!r} is not Major.Minor.Build[.Internal] (decimal fields "
                        "of at most 5 digits) optionally followed by a space and printable "
                        "ASCII text")
        elif any(int(part) > 65535 for part in match.groups() if part):
            obs.problem(where, f"{value!r}: a field is above 65535")
        elif int(match.group(1)) == 0:
            obs.problem(where, f"{value!r}: Major is 0 (allowed only before the initial "
                        "release)")
        else:
            obs.note(where, repr(value))
    obs.ok = f"driver_version {show(value)} follows the Core's version format"
    obs.bad = "driver_version does not follow the Core's version format"


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
