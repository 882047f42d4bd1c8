"""Checks of the driver's behaviour: simulation: no I/O, simulated data.

Each reads the observation of its exercise, run in the sandbox
(``ivi_conform.behaviour``); the exercise is where the rule is judged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.model import Finding

if TYPE_CHECKING:
    from ivi_conform.engine import AuditContext


@check("run-simulation-data")
def simulation_data(context: AuditContext) -> Finding:
    """With simulation on every property returns simulated data of its type."""
    return context.runtime.finding("run-simulation-data")


@check("run-simulation-enabled-truth")
def simulation_enabled_truth(context: AuditContext) -> Finding:
    """Simulation_enabled is True in simulation and False against the instrument."""
    return context.runtime.finding("run-simulation-enabled-truth")


@check("run-simulation-no-io")
def simulation_no_io(context: AuditContext) -> Finding:
    """With simulation on the driver opens no resource and performs no I/O."""
    return context.runtime.finding("run-simulation-no-io")
