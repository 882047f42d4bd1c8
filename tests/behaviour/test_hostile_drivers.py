"""No hostile driver takes an audit down: the report says what happened.

Each driver misbehaves in its constructor; the behavioural rules end as
``fail`` (the driver kept them from being judged) with the incident in the
message, the audit finishes quickly (a hang costs one time limit, not one per
rule), and ivi-conform's own process and files are untouched.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hostile import write_driver

from ivi_conform.candidate import load
from ivi_conform.catalog import load_catalog
from ivi_conform.engine import AuditConfig, AuditContext, AuditResult, run_audit
from ivi_conform.model import Judged, Outcome

RUNTIME = [rule for rule in load_catalog() if rule.judged is Judged.RUNTIME]


def audit(tmp_path: Path, misbehaviour: str) -> tuple[AuditResult, float]:
    """Build the hostile driver and judge every runtime rule with a 12 s budget (1 s a call)."""
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
def test_a_crashing_or_hanging_driver_fails_the_rules_it_kept_from_being_judged(
    tmp_path: Path, misbehaviour: str, said: str
) -> None:
    result, seconds = audit(tmp_path, misbehaviour)
    judged = [r for r in result.results if r.outcome is not Outcome.SKIP]
    seen = [(r.rule.id, r.outcome.value, r.message) for r in result.results]
    assert len(judged) >= len(RUNTIME) - 5, seen  # skipped: no direct I/O, no compliance doc
    assert {r.outcome for r in judged} <= {Outcome.FAIL, Outcome.WARN}, seen
    assert all(said in r.message for r in judged), judged[0].message
    assert seconds < 20, f"{misbehaviour}: the audit took {seconds:.1f} s"


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
