"""Gone: the API walk is part of :mod:`ivi_conform.behaviour.api`, the one API map.

Only ``simulation_switch.py`` (another owner's module) still imports these
names from here; once it imports them from ``ivi_conform.behaviour.api``,
this module is deleted.
"""

from ivi_conform.behaviour.api import (
    Step,
    Walker,
    api_members,
    covering_models,
    deadline,
    describe,
    restore,
)

__all__ = ["Step", "Walker", "api_members", "covering_models", "deadline", "describe",
           "restore"]
