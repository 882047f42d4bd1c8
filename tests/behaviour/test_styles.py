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
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.engine import AuditResult, run_audit
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
    (Style("anypane", keys="selector", defect="selects-any-pane"), "run-repcap-illegal-index"),
    (Style("paneone", keys="selector", defect="opens-pane-one"), "run-repcap-instance"),
], ids=lambda value: getattr(value, "name", value))
def test_a_defect_in_another_style_still_fails(tmp_path: Path, style: Style, rule: str) -> None:
    result = audit(tmp_path, style, {rule, "run-driver-instantiates"})
    found = {r.rule.id: r for r in result.results}
    assert found["run-driver-instantiates"].outcome is Outcome.PASS
    assert found[rule].outcome is Outcome.FAIL, found[rule].message


REPCAP = {"run-repcap-indexable", "run-repcap-item-name", "run-repcap-instance",
          "run-repcap-illegal-index"}


def test_a_selector_is_judged_by_what_its_selections_reach(tmp_path: Path) -> None:
    """choose_pane(n): the collection rules are skipped, saying so; what a selection reaches
    and what an impossible selection does are judged, and hold."""
    result = audit(tmp_path, Style("selector", keys="selector"), REPCAP)
    found = {r.rule.id: r for r in result.results}
    for rule in ("run-repcap-indexable", "run-repcap-item-name"):
        assert found[rule].outcome is Outcome.SKIP, found[rule].message
        assert "selector-style" in found[rule].message and "choose_pane" in found[rule].message
    for rule in ("run-repcap-instance", "run-repcap-illegal-index"):
        assert found[rule].outcome is Outcome.PASS, found[rule].message
    assert any("choose_pane(2)" in e.file for e in found["run-repcap-instance"].evidence)
    assert any("choose_pane(99)" in e.file for e in found["run-repcap-illegal-index"].evidence)


def test_a_one_panel_driver_without_a_collection_has_no_repeated_capability(
    tmp_path: Path,
) -> None:
    result = audit(tmp_path, Style("single", keys="selector", models=("SR-IB100",)), REPCAP)
    for found in result.results:
        assert found.outcome is Outcome.SKIP, (found.rule.id, found.message)
        assert "one panel" in found.message, found.message


def test_a_member_ivi_conform_cannot_work_out_leaves_the_rule_not_judged(tmp_path: Path) -> None:
    """The panes move through open_to(n) and tilt_to(n): the sequence exercise finds no
    settable member that moves a pane, and says it could not, naming what sends the motions."""
    result = audit(tmp_path, Style("methods", keys="selector", defect="methods-move-panes"),
                   {"run-sequences-state"})
    found = result.results[0]
    assert found.outcome is Outcome.NOT_JUDGED, found.message
    assert "open_to" in found.message and "PAN:POS" in found.message, found.message


def test_a_motion_the_api_cannot_send_is_charged_to_command_coverage(tmp_path: Path) -> None:
    rules = {"run-sequences-state", "run-errors-status-checking", "run-coverage-commands"}
    result = audit(tmp_path, Style("fixed", keys="selector", defect="no-pane-setters"), rules)
    found = {r.rule.id: r for r in result.results}
    assert found["run-coverage-commands"].outcome is Outcome.FAIL
    for rule in rules - {"run-coverage-commands"}:
        assert found[rule].outcome is Outcome.SKIP, (rule, found[rule].message)
        assert "run-coverage-commands" in found[rule].message, found[rule].message


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
