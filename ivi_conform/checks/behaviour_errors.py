"""Checks of the driver's behaviour: the error queue, status checking, exceptions only, faults.

Each reads the observation of its exercise, run in the sandbox
(``ivi_conform.behaviour``); the exercise is where the rule is judged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.model import Finding

if TYPE_CHECKING:
    from ivi_conform.engine import AuditContext


@check("run-constructor-bad-options")
def constructor_bad_options(context: AuditContext) -> Finding:
    """An unknown option, a malformed string or a bad value raises a clear exception."""
    return context.runtime.finding("run-constructor-bad-options")


@check("run-errors-error-query")
def errors_error_query(context: AuditContext) -> Finding:
    """error_query returns None on an empty queue and extracts one error per call."""
    return context.runtime.finding("run-errors-error-query")


@check("run-errors-error-query-all")
def errors_error_query_all(context: AuditContext) -> Finding:
    """Error_query_all drains the queue into a collection of ErrorQueryResult."""
    return context.runtime.finding("run-errors-error-query-all")


@check("run-errors-error-query-independent")
def errors_error_query_independent(context: AuditContext) -> Finding:
    """Error_query is not affected by query_instrument_status_enabled."""
    return context.runtime.finding("run-errors-error-query-independent")


@check("run-errors-exceptions-only")
def errors_exceptions_only(context: AuditContext) -> Finding:
    """Every call raises or succeeds with the instrument agreeing (hypothesis)."""
    return context.runtime.finding("run-errors-exceptions-only")


@check("run-errors-raise-on-device-error")
def errors_raise_on_device_error(context: AuditContext) -> Finding:
    """Raise_on_device_error raises when errors are queued, and only then."""
    return context.runtime.finding("run-errors-raise-on-device-error")


@check("run-errors-status-checking")
def errors_status_checking(context: AuditContext) -> Finding:
    """Status checking on: a refused operation raises; off: it does not."""
    return context.runtime.finding("run-errors-status-checking")


@check("run-faults-raise")
def faults_raise(context: AuditContext) -> Finding:
    """A lost, garbled or dropped reply raises in time; no value is invented."""
    return context.runtime.finding("run-faults-raise")
