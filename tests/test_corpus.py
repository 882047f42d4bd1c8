"""The corpus: sunroof drivers written by others, from the contract alone, judged right.

Each driver in ``fixtures/corpus/`` was written without the reference driver
and without ivi-conform's code, each in a style of its own (raw sockets,
int- or Enum-keyed collections, selector-style panels, one model only, a
driver vendor other than the manufacturer, option names other than
``simulate``, reStructuredText documents). Each is conformant, so every
*shall* must pass on it: an accusation here is ivi-conform judging a
spelling instead of the spec's sentence. Each driver's broken variant, one
small change, must fail exactly the rule it names.
"""

from __future__ import annotations

import pytest
from audits import audit_of_corpus, mutate

from ivi_conform.model import Level, Outcome, Verdict

DRIVERS = [path.name for path in mutate.corpus_drivers()]
BROKEN = [path.stem for path in mutate.corpus_mutations()]
BAD = {Outcome.FAIL, Outcome.WARN, Outcome.ERROR, Outcome.NOT_JUDGED}


def test_the_corpus_has_drivers_and_each_a_broken_variant() -> None:
    assert len(DRIVERS) >= 8
    assert sorted(BROKEN) == sorted(DRIVERS)


@pytest.mark.slow
@pytest.mark.parametrize("driver", DRIVERS)
def test_a_conformant_driver_written_by_others_is_judged_conformant(driver: str) -> None:
    result = audit_of_corpus(driver)
    accused = {r.rule.id: f"{r.outcome}: {r.message}" for r in result.results
               if r.outcome in {Outcome.FAIL, Outcome.ERROR, Outcome.NOT_JUDGED}}
    assert result.verdict is Verdict.CONFORMANT and not accused, accused


@pytest.mark.slow
@pytest.mark.parametrize("driver", BROKEN)
def test_the_broken_variant_fails_exactly_its_rule(driver: str) -> None:
    mutation = mutate.load_file(mutate.CORPUS / "broken" / f"{driver}.toml")
    results = {r.rule.id: r for r in audit_of_corpus(driver, broken=True).results}
    own = results[mutation.rule]
    expected = Outcome.FAIL if own.rule.level is Level.SHALL else Outcome.WARN
    assert own.outcome is expected, f"{mutation.why}: {own.outcome}: {own.message}"
    clean = {r.rule.id for r in audit_of_corpus(driver).results if r.outcome not in BAD}
    undeclared = {rule_id: f"{r.outcome}: {r.message}" for rule_id, r in results.items()
                  if r.outcome in BAD and rule_id != mutation.rule and rule_id in clean
                  and rule_id not in mutation.also_fails}
    assert not undeclared, f"{mutation.path.name} breaks more than {mutation.rule}"
