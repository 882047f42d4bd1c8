"""No hostile driver takes an audit down: the report says what happened.

Each driver misbehaves in its constructor; ``run-driver-instantiates`` fails
with the incident in its message and every other behavioural rule is skipped
naming it (one cause, one failure), the audit finishes quickly (a hang costs
one time limit, not one per rule), and ivi-conform's own process and files are
untouched.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hostile import write_driver

from ivi_conform.candidate import load
from ivi_conform.catalog import load_catalog
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.engine import AuditResult, run_audit
from ivi_conform.model import Judged, Outcome

RUNTIME = [rule for rule in load_catalog() if rule.judged is Judged.RUNTIME]


def audit(tmp_path: Path, misbehaviour: str) -> tuple[AuditResult, float]:
    """Build the hostile driver and judge every runtime rule with a 12 s budget (3 s a call)."""
    source = write_driver(tmp_path / "src", misbehaviour)
    work = tmp_path / "work"
    work.mkdir()
    dist = load(str(source), work_dir=work)
    context = AuditContext(dist, AuditConfig(timeout_s=12.0), work)
    started = time.perf_counter()
    result = run_audit(context, RUNTIME)
    return result, time.perf_counter() - started


@pytest.mark.parametrize(
    ("misbehaviour", "said"),
    [
        ("hang", "hung in Hostile.__init__"),
        ("exit", "exited with code 3 during Hostile.__init__"),
        ("segfault", "killed by SIGSEGV (segmentation fault) during Hostile.__init__"),
    ],
)
def test_a_crashing_or_hanging_driver_fails_one_rule_and_the_others_name_it(
    tmp_path: Path, misbehaviour: str, said: str
) -> None:
    result, seconds = audit(tmp_path, misbehaviour)
    seen = [(r.rule.id, r.outcome.value, r.message) for r in result.results]
    failed = [r for r in result.results if r.outcome in (Outcome.FAIL, Outcome.WARN)]
    assert [r.rule.id for r in failed] == ["run-driver-instantiates"], seen
    assert said in failed[0].message, failed[0].message
    others = [r for r in result.results if r.rule.id != "run-driver-instantiates"]
    assert all(r.outcome is Outcome.SKIP and "run-driver-instantiates" in r.message
               for r in others), seen
    assert seconds < 20, f"{misbehaviour}: the audit took {seconds:.1f} s"


def test_a_driver_hanging_only_live_is_charged_by_a_live_rule_and_simulates(
    tmp_path: Path,
) -> None:
    """Simulation on, it constructs; off (any other options), it hangs. The probe's live
    construction hangs: the first rule that constructs live charges it (the live rules after
    it name that rule), run-driver-instantiates passes and the simulation rules are judged."""
    result, seconds = audit(tmp_path, "hang-live")
    seen = [(r.rule.id, r.outcome.value, r.message) for r in result.results]
    outcomes = {r.rule.id: r for r in result.results}
    assert outcomes["run-driver-instantiates"].outcome is Outcome.PASS, seen
    for rule_id in ("run-simulation-no-io", "run-simulation-data"):
        assert outcomes[rule_id].outcome is Outcome.PASS, seen
    live = [r for r in result.results if r.outcome is Outcome.FAIL
            and "hung in Hostile.__init__" in r.message and "Simulate=False" in r.message]
    assert len(live) == 1, seen
    named = [r for r in result.results if r.outcome is Outcome.SKIP
             and "Simulate=False" in r.message]
    assert named and all(live[0].rule.id in r.message for r in named), seen
    assert seconds < 20, f"the audit took {seconds:.1f} s"


def test_a_hang_cut_by_a_too_short_timeout_is_not_judged(tmp_path: Path) -> None:
    """--timeout 1 leaves 1 s a call: a hang then is ivi-conform's limit, not the driver's."""
    source = write_driver(tmp_path / "src", "hang")
    work = tmp_path / "work"
    work.mkdir()
    context = AuditContext(load(str(source), work_dir=work), AuditConfig(timeout_s=1.0), work)
    result = run_audit(context, RUNTIME)
    outcomes = {r.outcome for r in result.results}
    assert outcomes == {Outcome.NOT_JUDGED}, [(r.rule.id, r.message) for r in result.results]
    assert all("raise --timeout" in r.message for r in result.results)


def test_a_driver_flooding_stdout_does_not_break_the_protocol(tmp_path: Path) -> None:
    result, seconds = audit(tmp_path, "flood")
    messages = " ".join(r.message for r in result.results)
    assert "protocol" not in messages
    assert not [r for r in result.results if r.outcome is Outcome.ERROR], messages
    assert seconds < 30


def test_a_driver_writing_files_stays_in_its_scratch_folder(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    report = reports / "report.json"
    report.write_text('{"verdict": "non-conformant"}', encoding="utf-8")
    result, _ = audit(tmp_path, "writer")
    notes = result.context.runtime.setup_notes()
    confined = any("confined to its scratch folder by Landlock" in note for note in notes)
    if not confined:
        pytest.skip("Landlock is unavailable here: writes outside the scratch are not confined")
    assert report.read_text(encoding="utf-8") == '{"verdict": "non-conformant"}'
    result.context.runtime.setup_notes()
    assert not [r for r in result.results if r.outcome is Outcome.ERROR]


def test_the_files_a_driver_wrote_are_listed(tmp_path: Path) -> None:
    result, _ = audit(tmp_path, "writer")
    runtime = result.context.runtime
    runtime.close()
    notes = " ".join(runtime.setup_notes())
    assert "report.json" in notes and "scratch folder" in notes
