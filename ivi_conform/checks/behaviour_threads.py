"""Checks of the driver's behaviour: multithread safety (Base IVI-Python API).

Each reads the observation of its exercise, run in the sandbox
(``ivi_conform.behaviour``); the exercise is where the rule is judged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.model import Finding

if TYPE_CHECKING:
    from ivi_conform.engine import AuditContext


@check("run-threads-safe")
def threads_safe(context: AuditContext) -> Finding:
    """Threads sharing one driver object each get their own replies."""
    return context.runtime.finding("run-threads-safe")
