"""No hostile driver takes an audit down: the report says what happened.

Each driver misbehaves in its constructor; ``run-driver-instantiates`` fails
with the incident in its message and every other behavioural rule is skipped
naming it (one cause, one failure), the audit finishes quickly (a hang costs
one time limit, not one per rule), and ivi-conform's own process and files are
untouched.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import time
import uuid
from pathlib import Path

import pytest
from hostile import write_driver

from ivi_conform.behaviour.confine import landlock_abi
from ivi_conform.behaviour.limits import ADDRESS_SPACE_BYTES
from ivi_conform.behaviour.results import RuntimeResults
from ivi_conform.candidate import load
from ivi_conform.catalog import load_catalog
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.engine import AuditResult, run_audit
from ivi_conform.model import Judged, Outcome
from ivi_conform.reports import write_reports
from ivi_conform.reports.json_report import report_of

RUNTIME = [rule for rule in load_catalog() if rule.judged is Judged.RUNTIME]


def runtime(result: AuditResult) -> RuntimeResults:
    """The behavioural run of an audit (every audit here loads its candidate)."""
    assert result.context is not None
    return result.context.runtime


def audit(tmp_path: Path, misbehaviour: str, **fields: object) -> tuple[AuditResult, float]:
    """Build the hostile driver and judge every runtime rule with a 12 s budget (3 s a call)."""
    source = write_driver(tmp_path / "src", misbehaviour, **fields)
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


@pytest.fixture(scope="module")
def forger(tmp_path_factory: pytest.TempPathFactory) -> tuple[AuditResult, Path, str]:
    """One audit of the driver that forges report.json everywhere (the tests below share it).

    ``reports/report.json`` holds an earlier report beside the audit's folders.
    """
    if not landlock_abi():  # unconfined, it would scribble report.json in /tmp and beyond
        pytest.skip("Landlock is unavailable here: writes outside the scratch are not confined")
    tmp_path = tmp_path_factory.mktemp("forger")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "report.json").write_text(EARLIER, encoding="utf-8")
    marker = f"forged-{uuid.uuid4().hex}"
    result, _ = audit(tmp_path, "writer", marker=marker)
    runtime(result).close()
    return result, tmp_path, marker


EARLIER = '{"verdict": "non-conformant"}'


def test_a_forged_report_lands_nowhere_and_changes_no_verdict(
    forger: tuple[AuditResult, Path, str],
) -> None:
    result, tmp_path, marker = forger
    notes = " ".join(runtime(result).setup_notes())
    assert "confined to its scratch folder by Landlock" in notes
    reports = tmp_path / "reports"
    assert (reports / "report.json").read_text(encoding="utf-8") == EARLIER
    forged = [path for path in tmp_path.rglob("report.json")
              if marker in path.read_text("utf-8", "replace")]
    assert forged and all("scratch-" in str(path.relative_to(tmp_path)) for path in forged)
    for guessed in ("/tmp/report.json", "/var/tmp/report.json", "/root/report.json"):
        with contextlib.suppress(OSError):
            assert marker not in Path(guessed).read_text("utf-8", "replace"), guessed
    assert not [r for r in result.results if r.outcome is Outcome.ERROR]
    write_reports(report_of(result, selection=None), reports, formats=[])
    written = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    assert written["verdict"] == result.verdict.value and marker not in json.dumps(written)


def test_the_files_a_driver_wrote_are_listed(forger: tuple[AuditResult, Path, str]) -> None:
    notes = " ".join(runtime(forger[0]).setup_notes())
    assert "report.json" in notes and "scratch folder" in notes


def test_a_memory_bomb_meets_the_address_space_limit(tmp_path: Path) -> None:
    result, seconds = audit(tmp_path, "memory")
    outcomes = {r.rule.id: r for r in result.results}
    failed = outcomes["run-driver-instantiates"]
    assert failed.outcome is Outcome.FAIL and "MemoryError" in failed.message, failed.message
    assert f"the {ADDRESS_SPACE_BYTES / 2**30:g} GiB address-space limit" in failed.message
    others = [r for r in result.results if r.rule.id != "run-driver-instantiates"]
    assert all(r.outcome is Outcome.SKIP for r in others)
    assert seconds < 20


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the limits are Linux's")
def test_a_fork_bomb_meets_the_process_limit_and_leaves_nothing_running(tmp_path: Path) -> None:
    marker = f"4242.{uuid.uuid4().int % 10**9}"  # a duration `sleep` takes, found in /proc
    result, seconds = audit(tmp_path, "fork", marker=marker)
    run = runtime(result)
    notes = " ".join(run.setup_notes())
    run.close()
    deadline = time.monotonic() + 5.0
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_with(marker) == [], "a process the driver started outlived the audit"
    if "processes and threads: not limited" in notes:
        pytest.skip("no process limit here (root without a writable pids cgroup)")
    failed = {r.rule.id: r for r in result.results}["run-driver-instantiates"]
    assert failed.outcome is Outcome.FAIL, failed.message
    assert "the limit on the processes and threads it may start" in failed.message
    assert seconds < 20


def test_outbound_connections_reach_no_listener_the_driver_was_not_given(
    tmp_path: Path,
) -> None:
    with socket.socket() as listener, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as datagrams:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        datagrams.bind(("127.0.0.1", port))
        result, seconds = audit(tmp_path, "outbound", port=port, marker="leak")
        notes = " ".join(runtime(result).setup_notes())
        if "TCP connections are confined" not in notes:
            pytest.skip("the children's TCP is not confined here (no Landlock TCP rules, or "
                        "the harness names no ports)")
        listener.setblocking(False)
        datagrams.setblocking(False)
        with pytest.raises(BlockingIOError):
            listener.accept()
        with pytest.raises(BlockingIOError):
            datagrams.recvfrom(100)
    outcomes = {r.rule.id: r.outcome for r in result.results}
    assert outcomes["run-driver-instantiates"] is Outcome.PASS
    assert seconds < 30


SECRETS = {"IVI_TEST_SECRET_TOKEN": "ivi-secret-1", "AWS_SECRET_ACCESS_KEY": "aws-secret-2",
           "GITHUB_TOKEN": "ghp-secret-3"}
#: What the child's environment may hold (sandbox.py builds it).
ALLOWED = {"PATH", "HOME", "TMPDIR", "LC_ALL", "PYTHONHASHSEED",
           "HYPOTHESIS_STORAGE_DIRECTORY", "PYVISA_LIBRARY"}


def test_a_driver_snooping_the_environment_finds_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    result, _ = audit(tmp_path, "snoop")
    failed = {r.rule.id: r for r in result.results}["run-driver-instantiates"]
    assert "SNOOPED " in failed.message, failed.message
    seen, _ = json.JSONDecoder().raw_decode(failed.message.split("SNOOPED ", 1)[1])
    assert set(seen["environ"]) <= ALLOWED, seen["environ"]
    everything = json.dumps([r.message for r in result.results])
    assert not [value for value in SECRETS.values() if value in everything]
    if landlock_abi():  # another process's /proc/<pid>/environ is out of the sandbox's reach
        assert set(seen) - {"environ"} and all(
            seen[key] == "PermissionError" for key in seen if key != "environ"), seen


def test_a_driver_cannot_plant_findings_in_the_cache(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The remembered audits and judges' tables are out of the driver's reach, even named."""
    if not landlock_abi():
        pytest.skip("Landlock is unavailable here: writes outside the scratch are not confined")
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("IVI_CONFORM_CACHE", str(cache))
    marker = uuid.uuid4().hex
    source = write_driver(tmp_path / "src", "poisoner", cache=cache, marker=marker)
    (tmp_path / "work").mkdir()
    context = AuditContext(load(str(source), work_dir=tmp_path / "work"),
                           AuditConfig(timeout_s=12.0), tmp_path / "work")
    instantiates = [rule for rule in RUNTIME if rule.id == "run-driver-instantiates"]
    result = run_audit(context, instantiates)
    runtime(result).close()
    planted = [path for path in tmp_path.rglob(f"planted-{marker}.json")]
    assert planted, "the driver ran and planted where it may (its scratch folder)"
    assert all("scratch-" in str(path.relative_to(tmp_path)) for path in planted)
    assert not [path for path in cache.rglob("*") if marker in path.name]

