"""Checks of the driver's behaviour: Direct IO Properties and Methods.

Each reads the observation of its exercise, run in the sandbox
(``ivi_conform.behaviour``); the exercise is where the rule is judged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.model import Finding

if TYPE_CHECKING:
    from ivi_conform.engine import AuditContext


@check("run-direct-io-bytes")
def direct_io_bytes(context: AuditContext) -> Finding:
    """Write_bytes and read_bytes round-trip *IDN?."""
    return context.runtime.finding("run-direct-io-bytes")


@check("run-direct-io-strings")
def direct_io_strings(context: AuditContext) -> Finding:
    """Write_string and read_string round-trip *IDN?."""
    return context.runtime.finding("run-direct-io-strings")


@check("run-direct-io-timeout")
def direct_io_timeout(context: AuditContext) -> Finding:
    """Io_timeout_ms is read/write and a slow reply times out in about that time."""
    return context.runtime.finding("run-direct-io-timeout")
