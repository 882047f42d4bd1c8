"""The pytest plugin, driven through real pytest runs (``pytester``).

Each run gets a conftest that installs the demo catalog (``demo_kit``)
for its own length, in its own process and in its xdist workers, so the
rules and their outcomes are known whatever the real catalog holds.
"""

from __future__ import annotations

import importlib.metadata
import json
import textwrap
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest
from demo_kit import DEMO_OUTCOMES, ROOT, TESTS, tiny_wheel, validate, write_tiny_driver

from ivi_conform import __version__

pytest_plugins = ["pytester"]
#: pytest-benchmark, when installed, warns inside every pytester run under xdist.
pytestmark = pytest.mark.filterwarnings("ignore:Benchmarks are automatically disabled")

#: ``-p ivi_conform.plugin`` unless the installed entry point already loads the plugin.
PLUGIN = () if any(
    entry.name == "ivi_conform" for entry in importlib.metadata.entry_points(group="pytest11")
) else ("-p", "ivi_conform.plugin")

CONFTEST = """
import sys

sys.path[:0] = [{root!r}, {tests!r}]

import pytest
import demo_kit
from ivi_conform import catalog

_PATCH = pytest.MonkeyPatch()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    demo_kit.use_demo_catalog(_PATCH, config.rootpath / "demo-rules")


def pytest_unconfigure(config):
    _PATCH.undo()
    catalog.load_catalog.cache_clear()
"""

NODE_IDS = {
    "demo-holds": "ivi-conform::ivi-python-packages::demo-holds",
    "demo-crash": "ivi-conform::ivi-python-error-handling::demo-crash",
    "demo-advice": "ivi-conform::documentation-and-source-code::demo-advice",
    "demo-runtime": "ivi-conform::constructor::demo-runtime",
    "demo-broken": "ivi-conform::package-metadata::demo-broken",
    "demo-absent": "ivi-conform::package-contents::demo-absent",
    "demo-manual": "ivi-conform::driver-registration::demo-manual",
}


@pytest.fixture
def demo(pytester: pytest.Pytester) -> pytest.Pytester:
    """A pytester folder whose runs use the demo catalog."""
    pytester.makeconftest(CONFTEST.format(root=str(ROOT), tests=str(TESTS)))
    return pytester


def _audit(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*PLUGIN, f"--ivi-driver={tiny_wheel()}", *args)


def _rules(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(rule["id"], rule["outcome"], rule["message"]) for rule in report["rules"]]


def _timeless(report: dict[str, Any]) -> dict[str, Any]:
    """The report without its clock readings: when it started, how long it and each rule took."""
    audit = {key: value for key, value in report["audit"].items()
             if key not in ("started", "seconds")}
    rules = [{key: value for key, value in rule.items() if key != "seconds"}
             for rule in report["rules"]]
    return report | {"audit": audit, "rules": rules}


def _read(path: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    validate(report)
    return report


def test_one_item_per_rule_with_the_rule_id_in_its_node_id(demo: pytest.Pytester) -> None:
    result = _audit(demo, "--collect-only", "-q")
    assert result.ret == pytest.ExitCode.OK
    collected = [line for line in result.outlines if line.startswith("ivi-conform::")]
    assert collected == list(NODE_IDS.values())


def test_outcomes_map_to_pytest_outcomes(demo: pytest.Pytester) -> None:
    result = _audit(demo, "-rA")
    result.assert_outcomes(passed=3, failed=1, skipped=2, errors=1, warnings=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    for line in (  # the short summary's order is pytest's business
        "PASSED ivi-conform::ivi-python-packages::demo-holds",
        "PASSED ivi-conform::documentation-and-source-code::demo-advice",
        "FAILED ivi-conform::package-metadata::demo-broken - Failed: *",
        "ERROR ivi-conform::ivi-python-error-handling::demo-crash - Failed: *",
        "SKIPPED [[]1[]] ivi-conform::package-contents::demo-absent: the demo driver has no extra",
    ):
        result.stdout.fnmatch_lines([line])


def test_a_failed_shall_shows_message_and_evidence_not_the_plugins_traceback(
    demo: pytest.Pytester,
) -> None:
    result = _audit(demo, "-k", "demo-broken")
    result.assert_outcomes(failed=1, deselected=6)
    result.stdout.fnmatch_lines([
        "*demo-broken (shall): The demo rule that fails*",
        "the version is 1.2.3, not 9.9.9",
        "  pyproject.toml:7: version 0",
        "  ... and 2 more",
        'demo-broken (shall), IVI Driver Core 1.0 (L1), Package Metadata: "A demo version*',
    ])
    assert "plugin.py" not in result.stdout.str()
    assert "Traceback" not in result.stdout.str()


def test_a_rule_ivi_conform_cannot_judge_is_a_pytest_error(demo: pytest.Pytester) -> None:
    result = _audit(demo, "-k", "demo-crash")
    result.assert_outcomes(errors=1, deselected=6)
    result.stdout.fnmatch_lines([
        "*ERROR at setup of demo-crash*",
        "ivi-conform could not judge this rule: internal error in ivi-conform: RuntimeError: "
        "the demo check is broken",
    ])


def test_an_unmet_should_passes_with_a_warning(demo: pytest.Pytester) -> None:
    result = _audit(demo, "-k", "demo-advice")
    result.assert_outcomes(passed=1, deselected=6, warnings=1)
    result.stdout.fnmatch_lines([
        "*warnings summary*",
        "ivi-conform::documentation-and-source-code::demo-advice",
        "  demodrv/extra.py:1: IviShouldWarning: demo-advice (should): the demo module has no "
        "docstring",
    ])
    strict = _audit(demo, "-k", "demo-advice", "-W", "error::ivi_conform.plugin.IviShouldWarning")
    strict.assert_outcomes(failed=1, deselected=6)


def test_k_selects_one_rule_and_keywords_name_level_and_judgement(demo: pytest.Pytester) -> None:
    _audit(demo, "-k", "demo-holds").assert_outcomes(passed=1, deselected=6)
    _audit(demo, "-k", "should").assert_outcomes(passed=1, deselected=6, warnings=1)
    _audit(demo, "-k", "runtime").assert_outcomes(passed=1, deselected=6)
    _audit(demo, "-m", "not ivi_conform").assert_outcomes(deselected=7)


def test_static_leaves_the_runtime_rules_not_judged(demo: pytest.Pytester) -> None:
    result = _audit(demo, "--ivi-static", "-k", "demo-runtime", "-rs")
    result.assert_outcomes(skipped=1, deselected=6)
    result.stdout.fnmatch_lines(["*static audit: the driver was not run*"])


def test_junitxml_records_each_rule_and_its_result(demo: pytest.Pytester) -> None:
    xml = demo.path / "junit.xml"
    _audit(demo, f"--junitxml={xml}")
    cases = {case.get("name"): case for case in ElementTree.parse(xml).iter("testcase")}
    assert set(cases) == set(DEMO_OUTCOMES)
    assert cases["demo-broken"].get("classname") == "ivi-conform.package-metadata"
    assert cases["demo-broken"].find("failure") is not None
    assert cases["demo-crash"].find("error") is not None
    assert cases["demo-absent"].find("skipped") is not None
    prop = cases["demo-broken"].find("properties/property")
    assert prop is not None and prop.get("name") == "ivi-conform"
    assert json.loads(prop.get("value", ""))["outcome"] == "fail"


def test_the_report_is_written_at_the_end_and_is_the_same_with_xdist(
    demo: pytest.Pytester,
) -> None:
    single = _audit(demo, "--ivi-report-dir=single")
    single.stdout.fnmatch_lines([
        "*-- ivi-conform --*",
        "verdict: NON-CONFORMANT  2 pass, 1 fail, 1 warn, 2 skip, 0 not-judged, 1 error (7 rules*",
        f"wrote {Path('single') / 'compliance.md'}",
    ])
    spread = _audit(demo, "--ivi-report-dir=spread", "-n", "2")
    spread.assert_outcomes(passed=3, failed=1, skipped=2, errors=1, warnings=1)
    first = _read(demo.path / "single" / "report.json")
    second = _read(demo.path / "spread" / "report.json")
    assert _rules(first) == _rules(second)
    assert first["audit"]["runtime"] == second["audit"]["runtime"] == {
        "notes": ["the demo driver ran in no child at all"], "stages": {"install": 0.5},
        "rule_seconds": {"demo-runtime": 0.25}, "runs": [], "instruments": []}
    assert _timeless(first) == _timeless(second)  # all but when and how long
    assert {rule["id"]: rule["outcome"] for rule in first["rules"]} == DEMO_OUTCOMES
    assert first["verdict"] == second["verdict"] == "non-conformant"
    assert first["audit"]["runner"] == "pytest" and first["audit"]["selection"] is None
    assert [error["rule"] for error in second["audit"]["internal_errors"]] == ["demo-crash"]
    assert (demo.path / "spread" / "compliance.md").is_file()


def test_the_report_of_a_selection_says_so(demo: pytest.Pytester) -> None:
    _audit(demo, "--ivi-report-dir=out", "-k", "demo-holds or demo-advice", "-n", "2")
    report = _read(demo.path / "out/report.json")
    assert report["audit"]["selection"] == ["demo-holds", "demo-advice"]
    assert report["verdict"] == "conformant"


def test_rules_a_stopped_session_never_ran_are_not_judged(demo: pytest.Pytester) -> None:
    result = _audit(demo, "--ivi-report-dir=out", "-x")
    result.assert_outcomes(passed=1, errors=1)
    report = _read(demo.path / "out/report.json")
    outcomes = {rule["id"]: rule["outcome"] for rule in report["rules"]}
    assert outcomes == {**{rule: "error" for rule in DEMO_OUTCOMES}, "demo-holds": "pass"}
    assert report["verdict"] == "incomplete"
    unrun = next(rule for rule in report["rules"] if rule["id"] == "demo-broken")
    assert unrun["message"].startswith("not judged: the pytest session stopped")


def test_the_header_names_the_tool_the_spec_and_the_driver(demo: pytest.Pytester) -> None:
    result = _audit(demo, "--collect-only", "--ivi-static")
    result.stdout.fnmatch_lines([
        f"ivi-conform {__version__}: IVI Driver Python Specification 1.0",
        f"ivi-conform driver: demodrv 1.2.3 (wheel {tiny_wheel()})",
        "ivi-conform: static audit, the driver is not run",
    ])


@pytest.mark.parametrize("kind", ["missing", "text.whl", "invalid-toml"])
def test_an_unreadable_target_is_one_usage_error(demo: pytest.Pytester, kind: str) -> None:
    if kind == "text.whl":
        target = demo.path / "x.whl"
        target.write_text("not a zip\n", encoding="utf-8")
        named = target
    elif kind == "invalid-toml":
        target = demo.mkdir("invalid")
        (target / "pyproject.toml").write_text("[project\n", encoding="utf-8")
        named = target / "pyproject.toml"
    else:
        target = named = demo.path / "no-such-folder"
    result = demo.runpytest(*PLUGIN, f"--ivi-driver={target}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: --ivi-driver: {named}: *"])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()
    assert "INTERNALERROR" not in result.stderr.str() + result.stdout.str()


def test_without_ivi_driver_the_plugin_stays_out_of_the_way(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_ordinary():\n    pass\n")
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=1)
    assert "IVI Driver Python Specification" not in result.stdout.str()  # no header line
    assert "ivi-conform::" not in result.stdout.str()  # no items
    assert "--ivi-driver=TARGET" in pytester.runpytest(*PLUGIN, "--help").stdout.str()


def test_ivi_report_dir_needs_ivi_driver(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(*PLUGIN, "--ivi-report-dir=out")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --ivi-report-dir needs --ivi-driver=TARGET"])


def test_the_drivers_items_run_beside_the_projects_own_tests(demo: pytest.Pytester) -> None:
    demo.makepyfile("def test_ordinary():\n    pass\n")
    _audit(demo, "-k", "ordinary or demo-holds").assert_outcomes(passed=2, deselected=6)


def test_xdist_workers_use_the_wheel_the_controller_built(demo: pytest.Pytester) -> None:
    source = write_tiny_driver(demo.path / "source")
    conftest = demo.path / "conftest.py"
    conftest.write_text(conftest.read_text() + textwrap.dedent("""
        from pathlib import Path

        from ivi_conform import candidate

        _build = candidate.build_wheel


        def build_wheel(folder, work_dir, before_build=None):
            with open(Path(__file__).parent / "builds.log", "a") as log:
                log.write(f"{folder}\\n")
            return _build(folder, work_dir, before_build)


        candidate.build_wheel = build_wheel
        """))
    result = demo.runpytest(*PLUGIN, f"--ivi-driver={source}",
                            "--ivi-report-dir=out", "-n", "2")
    result.assert_outcomes(passed=3, failed=1, skipped=2, errors=1, warnings=1)
    assert len((demo.path / "builds.log").read_text().splitlines()) == 1
    assert _read(demo.path / "out" / "report.json")["target"]["kind"] == "folder"
