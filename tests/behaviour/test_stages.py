"""The behavioural run tells the audit's progress observer of each exercise and simulator."""

from __future__ import annotations

from pathlib import Path

from audits import mutate

from ivi_conform.context import AuditConfig
from ivi_conform.engine import Progress, audit


def test_the_progress_observer_sees_each_exercise_and_model(tmp_path: Path) -> None:
    seen: list[Progress] = []
    config = AuditConfig(select=frozenset({"run-constructor-reset"}))
    result = audit(str(mutate.REFERENCE), config, tmp_path, seen.append)
    assert [r.outcome.value for r in result.results] == ["pass"]
    stages = [progress.stage for progress in seen]
    assert stages[:2] == ["loading the candidate", "runtime rules"]
    assert stages[2:5] == ["runtime rules, probing the driver",
                           "runtime rules, installing the driver",
                           "runtime rules, starting a child"]
    assert "runtime rules, exercise reset_on_init: starting" in stages
    exercised = stages[stages.index("runtime rules, exercise reset_on_init: starting") + 1:]
    assert exercised and all(stage.startswith("runtime rules, exercise reset_on_init: SR-")
                             and stage.endswith(" simulator") for stage in exercised)
    assert all(progress.rule is not None and progress.rule.id == "run-constructor-reset"
               for progress in seen[1:])
