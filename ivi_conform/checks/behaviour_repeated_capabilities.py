"""Checks of the driver's behaviour: Collection Style Repeated Capabilities and the Hierarchy.

Each reads the observation of its exercise, run in the sandbox
(``ivi_conform.behaviour``); the exercise is where the rule is judged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.model import Finding

if TYPE_CHECKING:
    from ivi_conform.engine import AuditContext


@check("run-repcap-illegal-index")
def repcap_illegal_index(context: AuditContext) -> Finding:
    """Indexing a collection with a name it does not list raises."""
    return context.runtime.finding("run-repcap-illegal-index")


@check("run-repcap-indexable")
def repcap_indexable(context: AuditContext) -> Finding:
    """Each collection is indexable by every name it lists."""
    return context.runtime.finding("run-repcap-indexable")


@check("run-repcap-instance")
def repcap_instance(context: AuditContext) -> Finding:
    """An operation on one item reaches that instance of the instrument."""
    return context.runtime.finding("run-repcap-instance")


@check("run-repcap-item-name")
def repcap_item_name(context: AuditContext) -> Finding:
    """Each item's name is the physical identifier it was selected with."""
    return context.runtime.finding("run-repcap-item-name")
