"""The driver class exercise: the package imports in the child and the root class constructs.

It is the prerequisite of every other runtime rule (see
:meth:`~ivi_conform.behaviour.harness.Harness.prerequisite`): when it fails,
they are skipped naming it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.behaviour.exercises import Harness, NotJudgedError, exercise
from ivi_conform.behaviour.harness import INSTANTIATES

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation


@exercise(INSTANTIATES)
def instantiates(harness: Harness, obs: Observation) -> None:
    """The package imports in the child and the root class constructs (the prerequisite)."""
    name = harness.class_name
    facts = harness.facts()
    if facts.unjudged:
        raise NotJudgedError(facts.unjudged)
    if facts.failure:
        obs.problem(f"{name}", facts.failure)
    else:
        obs.note(name, facts.how)
        if facts.simulate is None:
            obs.note(name, "simulation could not be switched on: " + "; ".join(facts.tried))
    obs.ok = f"{harness.context.driver.package} imports and {name} constructs ({facts.how})"
    failure = facts.failure.replace("{", "{{").replace("}", "}}")  # obs.bad is a format
    obs.bad = f"{name} cannot be instantiated: {failure}"
