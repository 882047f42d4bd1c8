"""A setter that sends a malformed command gives the user none of its function: accused.

The corpus driver ``rssunroofgen`` (settings as get()/set() methods) with
two setters that lost their f-prefix (``"MOT:SPE {value}"``): every call
is refused with -104 and the setting never changes. Raising on it, with
status checking on, is the right way to report the refusal, so the error
handling rules pass; the Core's "shall implement the full functionality of
the instrument available via commands" (L207) does not, and
run-coverage-commands counts a command only when some message carrying it
was not refused as malformed (a command error, -1xx).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from audits import mutate

from ivi_conform.candidate import load
from ivi_conform.catalog import load_catalog
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.engine import run_audit
from ivi_conform.model import Outcome

COVERAGE = "run-coverage-commands"
LITERAL_SETTERS = mutate.Mutation(
    rule=COVERAGE,
    why="two setters send the literal text {value} (a missing f-prefix)",
    also_fails=(),
    changes=(
        {"file": "sksunroofrs/implementations/motor/speed.py",
         "replace": 'write(f"MOT:SPE {value}")', "with": 'write("MOT:SPE {value}")'},
        {"file": "sksunroofrs/implementations/pinch/threshold.py",
         "replace": 'write(f"PINC:THR {value}")', "with": 'write("PINC:THR {value}")'},
    ),
    path=Path(__file__),
    base=mutate.CORPUS / "rssunroofgen",
)


@pytest.mark.slow
def test_a_setter_whose_every_message_is_malformed_leaves_its_command_uncovered(
        tmp_path: Path) -> None:
    source = mutate.apply(LITERAL_SETTERS, tmp_path / "driver")
    work = tmp_path / "work"
    work.mkdir()
    context = AuditContext(load(str(source), work_dir=work), AuditConfig(timeout_s=120.0), work)
    rules = [rule for rule in load_catalog() if rule.id in {COVERAGE, "run-driver-instantiates"}]
    found = {result.rule.id: result for result in run_audit(context, rules).results}
    assert found["run-driver-instantiates"].outcome is Outcome.PASS
    coverage = found[COVERAGE]
    assert coverage.outcome is Outcome.FAIL, coverage.message
    shown = " ".join(evidence.detail for evidence in coverage.evidence)
    assert "MOT:SPE, PINC:THR only in messages refused as malformed" in shown, shown
