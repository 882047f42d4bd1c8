"""Audits at the same time share nothing: scratch folders, ports, caches, report folders.

Two static audits of different drivers (the reference driver and a corpus
driver, each a source folder built by its own backend) run at once, first as
two threads of one process, then as two processes, each into its own report
folder; every report must be the one its driver gets, whichever way it ran.
The pieces they could share are checked one by one below: scratch folders,
simulator ports (and the ports reserved for each audit's simulators, the only
ones its children may reach), and one cache table under concurrent writers.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from ivi_conform import cache
from ivi_conform.behaviour.network import SimulatorPorts
from ivi_conform.candidate import scratch_dir
from ivi_conform.cli import main
from ivi_conform.sim.live import LiveSimulator

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
DRIVERS = {"sksunroof": FIXTURES / "reference", "skglass": FIXTURES / "corpus" / "skglass"}


def _report(folder: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    return report


def _outcomes(report: dict[str, Any]) -> dict[str, str]:
    return {rule["id"]: rule["outcome"] for rule in report["rules"]}


def _check(reports: dict[str, Path], codes: dict[str, int]) -> dict[str, dict[str, str]]:
    """Each report is its own driver's, complete, without ivi-conform errors; the outcomes."""
    outcomes = {}
    for name, folder in reports.items():
        report = _report(folder)
        assert report["driver"]["distribution"] == name
        assert report["target"]["kind"] == "folder"
        assert report["target"]["wheel"]["name"].startswith(f"{name}-")
        assert report["audit"]["internal_errors"] == [], report["audit"]["internal_errors"]
        assert (folder / "compliance.md").is_file()
        assert codes[name] in (1, 3)  # a static audit is never conformant; never a usage error
        outcomes[name] = _outcomes(report)
    assert outcomes["sksunroof"] != outcomes["skglass"]  # two different drivers were judged
    return outcomes


@pytest.fixture(scope="module")
def in_threads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """Both audits at once in two threads of this process."""
    base = tmp_path_factory.mktemp("threads")
    codes: dict[str, int] = {}
    errors: dict[str, str] = {}
    start = threading.Barrier(len(DRIVERS))

    def run(name: str, target: Path) -> None:
        out, err = io.StringIO(), io.StringIO()
        start.wait()
        codes[name] = main(["audit", str(target), "--static", "--report-dir", str(base / name)],
                           out=out, err=err)
        errors[name] = err.getvalue()

    threads = [threading.Thread(target=run, args=item) for item in DRIVERS.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert set(codes) == set(DRIVERS), errors
    assert all("internal error" not in text for text in errors.values()), errors
    return _check({name: base / name for name in DRIVERS}, codes)


@pytest.fixture(scope="module")
def in_processes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """Both audits at once in two processes, each with a private (checked) temporary folder."""
    base = tmp_path_factory.mktemp("processes")
    temp = base / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-m", "ivi_conform", "audit", str(target), "--static",
             "--report-dir", str(base / name)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=base)
        for name, target in DRIVERS.items()
    }
    codes = {}
    for name, process in processes.items():
        _, err = process.communicate(timeout=600)
        assert "internal error" not in err and "Traceback" not in err, err
        codes[name] = process.returncode
    leftovers = [path.name for path in temp.iterdir() if not path.name.startswith("build-env-")]
    assert leftovers == []  # each audit removed its own scratch folder, nothing shared stays
    return _check({name: base / name for name in DRIVERS}, codes)


@pytest.mark.slow
def test_two_audits_in_one_process_share_nothing(in_threads: dict[str, dict[str, str]]) -> None:
    assert set(in_threads) == set(DRIVERS)


@pytest.mark.slow
def test_two_audits_in_two_processes_share_nothing(
    in_processes: dict[str, dict[str, str]],
) -> None:
    assert set(in_processes) == set(DRIVERS)


@pytest.mark.slow
def test_concurrent_audits_judge_as_each_other(in_threads: dict[str, dict[str, str]],
                                              in_processes: dict[str, dict[str, str]]) -> None:
    """The same driver gets the same outcomes in a thread and in a process, both concurrent."""
    assert in_threads == in_processes


def test_scratch_folders_of_concurrent_audits_are_distinct() -> None:
    with scratch_dir() as one, scratch_dir() as two:
        assert one != two and one.is_dir() and two.is_dir()
    assert not one.exists() and not two.exists()


def test_simulators_started_at_once_get_their_own_ports() -> None:
    with LiveSimulator("SR-PN200") as first, LiveSimulator("SR-IB100") as second:
        assert first.port != second.port
        assert first.resource_name != second.resource_name


def test_the_ports_reserved_for_concurrent_audits_are_distinct() -> None:
    first, second = SimulatorPorts(), SimulatorPorts()
    try:
        assert not set(first.ports) & set(second.ports)
        with first.lease() as one, second.lease() as two, \
                LiveSimulator("SR-PN200", port=one) as a, LiveSimulator("SR-PN200", port=two) as b:
            assert a.port == one and b.port == two
    finally:
        first.close()
        second.close()


def test_a_cache_table_under_concurrent_writers_is_read_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Four audits write one table at once while another reads it: never half a table."""
    monkeypatch.setenv("IVI_CONFORM_CACHE", str(tmp_path))
    payload = "x" * 400_000
    path = cache.Table("ruff", "settings", "sksunroof").path
    assert path is not None

    def write(writer: int) -> None:
        for round_ in range(25):
            table = cache.Table("ruff", "settings", "sksunroof")
            table.put(f"0{writer}-{round_}", payload)  # a new key: the table changed, is saved
            table.save()

    seen: list[object] = []
    with ThreadPoolExecutor(4) as pool:
        writers = [pool.submit(write, writer) for writer in range(4)]
        while not all(writer.done() for writer in writers):
            for shard in range(4):  # each writer's key is in the shard of its first two digits
                with contextlib.suppress(FileNotFoundError):
                    text = (path / f"{shard:02x}.json").read_bytes()
                    try:
                        seen.append(json.loads(text))
                    except ValueError:
                        seen.append(f"half a table ({len(text)} bytes)")
        for writer in writers:
            writer.result()
    assert seen, "the reader never overlapped a writer"
    assert any(table for table in seen), "a shard was read while written"
    assert all(isinstance(table, dict) and all(value == payload for value in table.values())
               for table in seen), [table for table in seen if not isinstance(table, dict)][:3]
    assert [found.name for found in tmp_path.rglob("*.tmp")] == []
