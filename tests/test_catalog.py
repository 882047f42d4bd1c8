"""Every rule is real: it passes on the reference driver and fails on its fixture.

A rule without a broken fixture, or whose fixture also breaks rules it does
not declare, fails here; so does a fixture for a rule the catalog lacks.
"""

from __future__ import annotations

import pytest
from audits import audit_of, mutate

from ivi_conform.behaviour.exercises import registry as exercises
from ivi_conform.catalog import SPEC_SECTIONS, Rule, load_catalog
from ivi_conform.checks import registry
from ivi_conform.engine import RuleResult
from ivi_conform.model import Judged, Level, Outcome

CATALOG = load_catalog()
JUDGED = [rule for rule in CATALOG if rule.judged is not Judged.MANUAL]
BAD = {Outcome.FAIL, Outcome.WARN, Outcome.ERROR, Outcome.NOT_JUDGED}


def _result(results: tuple[RuleResult, ...], rule_id: str) -> RuleResult:
    return next(result for result in results if result.rule.id == rule_id)


def test_every_spec_section_heading_is_exact() -> None:
    assert {rule.section for rule in CATALOG} <= set(SPEC_SECTIONS)


def test_every_static_rule_has_a_check_and_every_check_a_rule() -> None:
    checks = set(registry())
    static = {rule.id for rule in JUDGED if rule.judged is Judged.STATIC}
    assert static - checks == set(), "static rules without a check"
    assert checks - static == set(), "checks without a static rule"


def test_every_runtime_rule_has_an_exercise_and_every_exercise_a_rule() -> None:
    found = set(exercises())
    runtime = {rule.id for rule in JUDGED if rule.judged is Judged.RUNTIME}
    assert runtime - found == set(), "runtime rules without an exercise"
    assert found - runtime == set(), "exercises without a runtime rule"


def test_every_fixture_breaks_a_rule_of_the_catalog() -> None:
    known = {rule.id for rule in JUDGED}
    assert set(mutate.all_rule_ids()) - known == set()
    for rule_id in mutate.all_rule_ids():
        assert set(mutate.load(rule_id).also_fails) <= known, rule_id


RUNTIME = {rule.id for rule in CATALOG if rule.judged is Judged.RUNTIME}


def _deferred_to(result: RuleResult) -> str | None:
    """The runtime rule a static rule leaves its judgement to (the driver's value is only
    known when it runs), if it skipped saying so."""
    if result.outcome is not Outcome.SKIP:
        return None
    return next((rule_id for rule_id in RUNTIME if rule_id in result.message), None)


@pytest.mark.parametrize("rule", JUDGED, ids=lambda rule: rule.id)
def test_rule_passes_on_the_reference_driver(rule: Rule) -> None:
    result = _result(audit_of(None, rule.judged is Judged.STATIC).results, rule.id)
    deferred = _deferred_to(result)
    if deferred is not None:  # then the runtime rule it names must pass on the reference
        result = _result(audit_of(None, False).results, deferred)
    assert result.outcome is Outcome.PASS, f"{result.message}: {[str(e) for e in result.evidence]}"


@pytest.mark.slow
@pytest.mark.parametrize("rule", JUDGED, ids=lambda rule: rule.id)
def test_rule_fails_on_its_fixture(rule: Rule) -> None:
    mutation = mutate.load(rule.id)
    results = audit_of(rule.id, rule.judged is Judged.STATIC).results
    expected = Outcome.FAIL if rule.level is Level.SHALL else Outcome.WARN
    own = _result(results, rule.id)
    assert own.outcome is expected, f"{mutation.why}: {own.outcome}: {own.message}"
    static_audit = rule.judged is Judged.STATIC  # there the runtime rules are not judged
    others = {r.rule.id: r.message for r in results if r.outcome in BAD and r.rule.id != rule.id
              and not (static_audit and r.rule.judged is Judged.RUNTIME)}
    undeclared = {key: value for key, value in others.items() if key not in mutation.also_fails}
    assert not undeclared, f"{mutation.path.name} breaks more than {rule.id}"
