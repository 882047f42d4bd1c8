"""``ivi-conform audit`` writes every output beside report.json; ``--formats`` narrows it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from demo_kit import tiny_wheel, validate

from ivi_conform.cli import main
from ivi_conform.reports import FORMATS, RENDERERS

EVERY = {"report.json", "compliance.md", "report.sarif", "junit.xml", "badge.svg",
         "badge.json", "summary.md", "registration.txt", "report.html"}


def test_every_format_is_written_by_default(demo_catalog: None, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["audit", str(tiny_wheel()), "--report-dir", str(out)]) == 1
    assert {path.name for path in out.iterdir()} == EVERY == set(RENDERERS)
    assert set(FORMATS) == {"compliance", "sarif", "junit", "badge", "summary",
                            "registration", "html"}
    report = json.loads((out / "report.json").read_text("utf-8"))
    validate(report)
    assert report["audit"]["internal_errors"][0]["rule"] == "demo-crash"  # no renderer failed
    printed = capsys.readouterr().out
    assert all(str(out / name) in printed for name in EVERY)


def test_formats_narrows_the_set_but_report_json_is_always_written(
    demo_catalog: None, tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    assert main(["audit", str(tiny_wheel()), "--report-dir", str(out),
                 "--formats", "sarif, badge"]) == 1
    assert {path.name for path in out.iterdir()} == {"report.json", "report.sarif",
                                                     "badge.svg", "badge.json"}


def test_an_unknown_format_is_a_usage_error(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(tmp_path), "--formats", "sarif,pdf"]) == 2
    err = capsys.readouterr().err
    assert "unknown format pdf" in err and "sarif" in err
