"""Drivers that are not the reference: the behavioural rules judge them by what they do.

Each style (see ``styles.py``) differs from the reference in one way a
conformant driver may: its panel collection keyed by int or by an Enum, a
selector-style repeated capability, one supported model only (an SR-FD600,
without tilt), other option names. Every runtime rule must pass on them, or
be skipped (not applicable) or not judged with a reason; none may fail. A
real defect in the same style still fails its rule.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from styles import Style, write

from ivi_conform.candidate import load
from ivi_conform.catalog import load_catalog
from ivi_conform.engine import AuditConfig, AuditContext, AuditResult, run_audit
from ivi_conform.model import Judged, Outcome

RUNTIME = [rule for rule in load_catalog() if rule.judged is Judged.RUNTIME]
#: The runtime rules of the behaviour layer this suite vouches for (others are added elsewhere).
OWN = {
    "run-driver-instantiates", "run-constructor-id-query-accepts",
    "run-constructor-id-query-rejects", "run-constructor-reset", "run-constructor-simulate-off",
    "run-constructor-status-off", "run-constructor-options-forms", "run-constructor-bad-options",
    "run-direct-io-strings", "run-direct-io-bytes", "run-direct-io-timeout",
    "run-errors-error-query", "run-errors-error-query-all", "run-errors-raise-on-device-error",
    "run-errors-status-checking", "run-errors-error-query-independent",
    "run-errors-exceptions-only", "run-faults-raise", "run-threads-safe",
    "run-repcap-indexable", "run-repcap-item-name", "run-repcap-instance",
    "run-repcap-illegal-index", "run-sequences-state", "run-simulation-no-io",
    "run-simulation-data", "run-simulation-enabled-truth", "run-utility-identity",
    "run-utility-supported-models", "run-utility-driver-version",
}


def audit(tmp_path: Path, style: Style, only: set[str] | None = None) -> AuditResult:
    source = write(tmp_path / "src", style)
    work = tmp_path / "work"
    work.mkdir()
    context = AuditContext(load(str(source), work_dir=work), AuditConfig(timeout_s=120.0), work)
    rules = [rule for rule in RUNTIME if rule.id in (only or OWN)]
    return run_audit(context, rules)


@pytest.mark.parametrize("style", [
    Style("int", keys="int", models=("SR-PN200", "SR-IB100"),
          simulate_key="simulation_mode", status_key="check_status"),
    Style("enum", keys="enum", models=("SR-FD600",), simulate_key="sim"),
    Style("selector", keys="selector", models=("SR-PN200", "SR-TM500")),
], ids=lambda style: style.name)
def test_a_conformant_driver_in_another_style_passes(tmp_path: Path, style: Style) -> None:
    result = audit(tmp_path, style)
    outcomes = {r.rule.id: (r.outcome.value, r.message) for r in result.results}
    bad = {rule: seen for rule, seen in outcomes.items()
           if seen[0] in ("fail", "warn", "error", "not-judged")}
    assert not bad, bad
    assert outcomes["run-driver-instantiates"][0] == "pass"
    assert outcomes["run-constructor-bad-options"][0] == "pass"


@pytest.mark.parametrize(("style", "rule"), [
    (Style("onepane", keys="int", defect="every-pane-is-one"), "run-repcap-instance"),
    (Style("zero", keys="enum", defect="garbled-is-zero"), "run-faults-raise"),
], ids=lambda value: getattr(value, "name", value))
def test_a_defect_in_another_style_still_fails(tmp_path: Path, style: Style, rule: str) -> None:
    result = audit(tmp_path, style, {rule, "run-driver-instantiates"})
    found = {r.rule.id: r for r in result.results}
    assert found["run-driver-instantiates"].outcome is Outcome.PASS
    assert found[rule].outcome is Outcome.FAIL, found[rule].message


def test_simulation_under_an_unknown_option_name_is_not_judged_until_the_user_gives_it(
    tmp_path: Path,
) -> None:
    """``dry_run`` names simulation in no way ivi-conform recognises: the simulation rules
    are not judged (saying --ivi-options), nothing fails; given the option, they pass."""
    style = Style("dry", keys="int", simulate_key="dry_run")
    simulation = {"run-driver-instantiates", "run-simulation-no-io", "run-simulation-data",
                  "run-simulation-enabled-truth", "run-constructor-options-forms",
                  "run-constructor-bad-options"}
    result = audit(tmp_path / "guess", style, simulation)
    found = {r.rule.id: r for r in result.results}
    assert found["run-driver-instantiates"].outcome is Outcome.PASS
    for rule in simulation - {"run-driver-instantiates"}:
        assert found[rule].outcome is Outcome.NOT_JUDGED, (rule, found[rule].message)
        assert "--ivi-options" in found[rule].message
    source = write(tmp_path / "given" / "src", style)
    work = tmp_path / "given" / "work"
    work.mkdir()
    context = AuditContext(load(str(source), work_dir=work),
                           AuditConfig(timeout_s=120.0, options="DryRun=True"), work)
    given = run_audit(context, [rule for rule in RUNTIME if rule.id in simulation])
    outcomes = {r.rule.id: (r.outcome.value, r.message) for r in given.results}
    assert all(outcome == "pass" for outcome, _ in outcomes.values()), outcomes
