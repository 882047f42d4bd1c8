"""Checks of the driver's behaviour: identity, supported models, driver version, keywords.

Each reads the observation of its exercise, run in the sandbox
(``ivi_conform.behaviour``); the exercise is where the rule is judged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.model import Finding

if TYPE_CHECKING:
    from ivi_conform.engine import AuditContext


@check("run-metadata-keywords-api")
def metadata_keywords_api(context: AuditContext) -> Finding:
    """The keywords hold the manufacturer and the models as the API returns them."""
    return context.runtime.finding("run-metadata-keywords-api")


@check("run-utility-driver-version")
def utility_driver_version(context: AuditContext) -> Finding:
    """Driver_version follows the Core's version format."""
    return context.runtime.finding("run-utility-driver-version")


@check("run-utility-identity")
def utility_identity(context: AuditContext) -> Finding:
    """Instrument_manufacturer and instrument_model are what *IDN? returns."""
    return context.runtime.finding("run-utility-identity")


@check("run-utility-supported-models")
def utility_supported_models(context: AuditContext) -> Finding:
    """Supported_instrument_models names the connected model exactly as *IDN? spells it.
    """
    return context.runtime.finding("run-utility-supported-models")


@check("run-compliance-api-values")
def compliance_api_values(context: AuditContext) -> Finding:
    """The compliance document's API items are what the running driver returns."""
    return context.runtime.finding("run-compliance-api-values")
