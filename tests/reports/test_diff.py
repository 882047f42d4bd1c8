"""``ivi-conform diff OLD NEW``: changed outcomes, new failures first."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from conftest import Report

from ivi_conform.cli import main
from ivi_conform.reports import diff


def _save(report: Report, path: Path) -> Path:
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def test_the_changes_come_new_failures_first(conformant: Report, failing: Report) -> None:
    changes = diff.compare(conformant, failing)
    assert [(c.kind, c.rule, c.old, c.new) for c in changes] == [
        ("new failure", "demo-advice", "pass", "warn"),
        ("new failure", "demo-broken", "pass", "fail"),
        ("no longer judged", "demo-crash", "pass", "error"),
        ("changed", "demo-absent", "pass", "skip"),
    ]
    assert diff.exit_code(changes) == 1
    back = diff.compare(failing, conformant)
    assert [c.kind for c in back] == ["fixed", "fixed", "changed", "changed"]
    assert diff.exit_code(back) == 0
    assert diff.compare(failing, failing) == []


def test_rules_only_one_report_has(conformant: Report) -> None:
    old = copy.deepcopy(conformant)
    new = copy.deepcopy(conformant)
    new["rules"] = [rule for rule in new["rules"] if rule["id"] != "demo-holds"]
    new["rules"].append(dict(new["rules"][0], id="demo-new", outcome="fail"))
    new["rules"].append(dict(new["rules"][0], id="demo-newer", outcome="pass"))
    kinds = [(c.kind, c.rule) for c in diff.compare(old, new)]
    assert kinds == [("new failure", "demo-new"), ("added", "demo-newer"),
                     ("removed", "demo-holds")]


def test_the_command(conformant: Report, failing: Report, tmp_path: Path,
                     capsys: pytest.CaptureFixture[str]) -> None:
    old, new = _save(conformant, tmp_path / "old.json"), _save(failing, tmp_path / "new.json")
    assert main(["diff", str(old), str(new)]) == 1
    text = capsys.readouterr().out
    assert "old: demodrv 1.2.3 (conformant" in text
    assert "new: demodrv 1.2.3 (non-conformant" in text
    assert text.index("new failure (2)") < text.index("no longer judged (1)")
    assert "demo-broken        pass -> fail        the version is 1.2.3, not 9.9.9" in text
    assert main(["diff", str(new), str(new), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["changes"] == []


def test_a_file_that_is_not_a_report_is_one_line(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"schema": "something else"}', encoding="utf-8")
    assert main(["diff", str(other), str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "other.json: not an ivi-conform report" in err
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert main(["diff", str(broken), str(broken)]) == 2
    assert "broken.json: not JSON" in capsys.readouterr().err
