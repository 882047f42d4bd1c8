"""Check of whole sequences of operations (spec section "IVI-Python Hierarchy").

It reads the observation of the state-machine exercise, run in the sandbox
(``ivi_conform.behaviour``); the exercise is where the rule is judged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.model import Finding

if TYPE_CHECKING:
    from ivi_conform.engine import AuditContext


@check("run-sequences-state")
def sequences_state(context: AuditContext) -> Finding:
    """The driver's view of the panels is the instrument's after any sequence."""
    return context.runtime.finding("run-sequences-state")
