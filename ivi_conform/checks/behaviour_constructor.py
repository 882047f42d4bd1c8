"""Checks of the constructor's behaviour (spec section "Constructor").

Each reads the observation of its exercise, run once per audit in the
sandbox (``ivi_conform.behaviour``); the exercise is where the rule is judged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.model import Finding

if TYPE_CHECKING:
    from ivi_conform.engine import AuditContext


@check("run-constructor-id-query-accepts")
def id_query_accepts(context: AuditContext) -> Finding:
    """id_query=True succeeds against each supported model."""
    return context.runtime.finding("run-constructor-id-query-accepts")


@check("run-constructor-id-query-rejects")
def id_query_rejects(context: AuditContext) -> Finding:
    """id_query=True raises against an unsupported model."""
    return context.runtime.finding("run-constructor-id-query-rejects")


@check("run-constructor-reset")
def reset_on_init(context: AuditContext) -> Finding:
    """reset=True sends *RST; reset=False does not."""
    return context.runtime.finding("run-constructor-reset")


@check("run-constructor-simulate-off")
def simulate_off(context: AuditContext) -> Finding:
    """Without options the driver performs I/O."""
    return context.runtime.finding("run-constructor-simulate-off")


@check("run-constructor-status-off")
def status_off(context: AuditContext) -> Finding:
    """Status checking is off after construction without options."""
    return context.runtime.finding("run-constructor-status-off")


@check("run-constructor-options-forms")
def options_forms(context: AuditContext) -> Finding:
    """options accepted as a dict and as a string."""
    return context.runtime.finding("run-constructor-options-forms")
