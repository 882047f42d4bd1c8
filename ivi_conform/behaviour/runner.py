"""Run the behavioural exercises of one audit: ``exercise(context)`` → :class:`RuntimeResults`.

The exercises run lazily, each the first time its rule is judged, in one
child that is reused until it dies (a fresh one is started for the next
exercise). Every rule but ``run-driver-instantiates`` first needs the driver imported
and constructed (:meth:`Harness.prerequisite`): when that fails, the rule is
skipped naming ``run-driver-instantiates``, which alone fails (one cause, one
failure). An exercise ends its rule in one of these ways:

* the observation it recorded (pass, or fail with the problems);
* ``skip`` when the rule does not apply, or when a defect another rule charges
  kept it from running (the message names that rule);
* ``not-judged`` when ivi-conform could not provide what the rule needs (an
  instrument it cannot simulate, the options that switch simulation on, a
  time limit the user's ``--timeout`` made too short);
* ``fail`` when the driver kept the rule from being judged: it hung, crashed,
  exited, broke the protocol (wrote into the agent's private stream, say), or
  could not be imported or constructed (the driver's fault: a hang or a crash
  is a failure of the behaviour under test);
* ``error`` when ivi-conform itself failed (never counted against the driver).
"""

from __future__ import annotations

import atexit
import weakref
from typing import TYPE_CHECKING

from ivi_conform.behaviour.exercises import (
    ChargedElsewhereError,
    ConstructionError,
    NotApplicableError,
    NotJudgedError,
    registry,
)
from ivi_conform.behaviour.harness import INSTANTIATES, Harness, NotRunnableError
from ivi_conform.behaviour.results import (
    Observation,
    RuntimeResults,
    StageObserver,
    unobserved,
)
from ivi_conform.behaviour.sandbox import ChildGoneError

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext


def _run_one(harness: Harness, rule_id: str, progress: StageObserver) -> Observation:
    obs = Observation(rule_id)
    function = registry().get(rule_id)
    if function is None:
        obs.error = f"ivi-conform has no exercise for rule {rule_id}"
        return obs
    harness.rule, harness.progress = rule_id, progress
    try:
        if rule_id != INSTANTIATES:
            harness.prerequisite()  # the shared probe: its stages are no exercise's
        harness.exercise = f"exercise {function.__name__}"
        harness.stage("starting")
        function(harness, obs)
    except NotApplicableError as skip:
        obs.skip = str(skip)
    except NotJudgedError as unjudged:
        obs.not_judged = str(unjudged)
    except ChargedElsewhereError as charged:
        obs.charged = (charged.rule_id, str(charged))
    except NotRunnableError as exc:
        if exc.driver_fault:
            obs.fatal = f"the driver could not be exercised: {exc}"
        else:
            obs.error = str(exc)
    except ConstructionError as exc:
        obs.fatal = f"the driver could not be set up for this exercise: {exc}"
    except ChildGoneError as gone:
        if gone.incident.kind == "parent":  # ivi-conform's own callback failed
            obs.error = f"ivi-conform failed in the exercise: {gone.incident}"
        else:
            obs.fatal = f"the driver kept this rule from being judged: {gone.incident}"
    except Exception as exc:  # noqa: BLE001 - a bug of ours: the rule ends as error
        obs.error = f"ivi-conform failed in the exercise: {type(exc).__name__}: {exc}"
    finally:
        harness.progress, harness.exercise = unobserved, ""
    return obs


def exercise(context: AuditContext) -> RuntimeResults:
    """The behavioural run of ``context``'s candidate (exercises start on first use)."""
    harness = Harness(context)
    results = RuntimeResults(lambda rule_id, progress: _run_one(harness, rule_id, progress),
                             lambda: list(harness.notes), harness.close, harness.timings,
                             harness.runs)
    weakref.finalize(results, harness.close)
    atexit.register(harness.close)
    return results
