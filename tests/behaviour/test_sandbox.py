"""The child and its agent, driven directly with tiny drivers on a private path.

These tests need no build and no simulator: a module written into a folder
that the child puts first on its path stands for the driver.
"""

from __future__ import annotations

import socket
import sys
import textwrap
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ivi_conform.behaviour import limits
from ivi_conform.behaviour.confine import landlock_abi
from ivi_conform.behaviour.limits import ADDRESS_SPACE_BYTES
from ivi_conform.behaviour.protocol import Callback, Remote, attr_path, encode_value
from ivi_conform.behaviour.sandbox import INHERITED, Child, ChildGoneError, Installation, install
from ivi_conform.candidate import load

TINY = '''
import os
import sys

print("imported", flush=True)


class Level:
    """A setting with a hint and a range."""

    def __init__(self) -> None:
        self._level = 0

    @property
    def level(self) -> int:
        return self._level

    @level.setter
    def level(self, value: int) -> None:
        if value < 0:
            raise ValueError("negative")
        self._level = value


class Tiny:
    def __init__(self, resource_name: str, id_query: bool = True, reset: bool = False,
                 options: dict | str | None = None) -> None:
        print("x" * 100_000)
        self._part = Level()

    @property
    def part(self) -> Level:
        return self._part

    def fail(self) -> None:
        raise KeyError("no such thing")

    def hang(self) -> None:
        import time
        time.sleep(100)

    def leave(self) -> None:
        os._exit(5)

    def spin(self) -> None:
        while True:
            pass

    def environment(self) -> list[str]:
        return sorted(os.environ)

    def hoard(self) -> int:
        return len(bytearray(10 * 1024 ** 3))

    def reach(self, port: int) -> list[str]:
        import socket
        got = []
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            try:
                with socket.socket(socket.AF_INET, kind) as out:
                    out.settimeout(2.0)
                    out.connect(("127.0.0.1", port))
                    out.send(b"x")
                got.append("sent")
            except OSError as exc:
                got.append(type(exc).__name__)
        return got
'''


def start(tmp_path: Path, connect_ports: list[int] | None = None) -> Child:
    """A child with the tiny driver on its path."""
    site = tmp_path / "site"
    site.mkdir(parents=True, exist_ok=True)
    (site / "tiny.py").write_text(textwrap.dedent(TINY), encoding="utf-8")
    return Child(Installation(sys.executable, (str(site),), "tiny"), tmp_path / "scratch",
                 connect_ports=connect_ports)


@pytest.fixture
def child(tmp_path: Path) -> Iterator[Child]:
    running = start(tmp_path)
    yield running
    running.close()


def construct(child: Child) -> Remote:
    imported = child.request("import", "import tiny", 5.0, module="tiny", attr="Tiny")
    assert imported.ok and isinstance(imported.value, dict)
    cls = imported.value["value"]
    assert isinstance(cls, Remote)
    made = child.request("call", "Tiny()", 5.0, target=cls.handle, path=[],
                         args=encode_value(["x"]))
    assert made.ok and isinstance(made.value, Remote)
    return made.value


def test_get_set_call_through_the_protocol_while_the_driver_prints(child: Child) -> None:
    tiny = construct(child)
    done = child.request("set", "set", 5.0, target=tiny.handle, path=attr_path("part.level"),
                         value=7)
    assert done.ok
    got = child.request("get", "get", 5.0, target=tiny.handle, path=attr_path("part.level"))
    assert got.value == 7
    refused = child.request("set", "set", 5.0, target=tiny.handle,
                            path=attr_path("part.level"), value=-1)
    assert not refused.ok and refused.exc is not None and refused.exc.is_a("ValueError")
    failed = child.request("call", "fail", 5.0, target=tiny.handle, path=attr_path("fail"))
    assert failed.exc is not None and failed.exc.is_a("KeyError") and not failed.by_agent
    # what it printed went to the drained stream, which a thread reads as it comes
    deadline = time.monotonic() + 10
    while child.output_bytes <= 100_000 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert child.output_bytes > 100_000


def test_a_bad_request_is_the_agents_fault_not_the_drivers(child: Child) -> None:
    reply = child.request("get", "get", 5.0, target=999, path=[])
    assert not reply.ok and reply.by_agent


def test_the_agent_describes_the_hierarchy_from_type_hints(child: Child) -> None:
    tiny = construct(child)
    described = child.request("describe", "describe", 5.0, target=tiny.handle, package="tiny")
    members = {entry["path"]: entry for entry in described.value}  # type: ignore[union-attr]
    assert members["part"]["kind"] == "reference"
    assert members["part.level"]["settable"] is True and members["part.level"]["type"] == "int"
    assert members["fail"]["kind"] == "method"


def test_a_hang_is_killed_at_its_time_limit(child: Child) -> None:
    tiny = construct(child)
    started = time.perf_counter()
    with pytest.raises(ChildGoneError, match=r"hung in Tiny.hang\(\) for 1 s"):
        child.request("call", "Tiny.hang()", 1.0, target=tiny.handle, path=attr_path("hang"))
    assert time.perf_counter() - started < 3
    with pytest.raises(ChildGoneError):  # a gone child answers nothing more
        child.request("get", "get", 1.0, target=tiny.handle, path=[])


def test_an_exit_is_reported_with_its_code(child: Child) -> None:
    tiny = construct(child)
    with pytest.raises(ChildGoneError, match="exited with code 5 during Tiny.leave"):
        child.request("call", "Tiny.leave()", 5.0, target=tiny.handle, path=attr_path("leave"))


def test_the_exploration_reports_a_call_that_returned_while_an_error_was_queued(
    child: Child,
) -> None:
    tiny = construct(child)
    asked: list[str] = []

    def answer(message: Callback) -> object:
        asked.append(message.name)
        if message.name == "observe":  # the "instrument" always queued an error
            return {"errors": [[-222, "Data out of range"]], "sent": []}
        return 0

    report = child.request("fuzz", "fuzz", 60.0, answer, target=tiny.handle, package="tiny",
                           seed=1, max_examples=20,
                           exclude=["fail", "hang", "leave", "hoard", "reach", "environment",
                                    "spin"])
    assert report.ok and isinstance(report.value, dict), report
    failures = report.value["failures"]
    assert failures and "queued error -222" in failures[0]["problem"]
    assert "drv.part.level = " in failures[0]["snippet"]
    assert {"mark", "observe"} <= set(asked)


def test_install_unpacks_the_wheel_and_merges_its_purelib(tmp_path: Path) -> None:
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zipped:
        zipped.writestr("demo/__init__.py", "")
        zipped.writestr("demo-1.0.data/purelib/extra/__init__.py", "")
        zipped.writestr("demo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: demo\n"
                        "Version: 1.0\n")
    dist = load(str(wheel), work_dir=tmp_path / "work")
    installed = install(dist, tmp_path / "work")
    site = Path(installed.paths[0])
    assert (site / "demo" / "__init__.py").is_file()
    assert (site / "extra" / "__init__.py").is_file()
    assert not list(site.glob("*.data"))


def test_a_memory_bomb_is_the_drivers_memory_error_and_the_child_goes_on(child: Child) -> None:
    tiny = construct(child)
    hoarded = child.request("call", "Tiny.hoard()", 10.0, target=tiny.handle,
                            path=attr_path("hoard"))
    assert not hoarded.ok and hoarded.exc is not None and hoarded.exc.is_a("MemoryError")
    if sys.platform.startswith("linux"):
        assert f"the {ADDRESS_SPACE_BYTES / 2**30:g} GiB address-space limit" in str(hoarded.exc)
    assert child.request("get", "get", 5.0, target=tiny.handle, path=attr_path("part.level")).ok


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prlimit is Linux's")
def test_a_kill_by_the_cpu_limit_ends_the_request_naming_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "CPU_SECONDS", 1)  # the limit read when the child starts
    running = start(tmp_path)
    try:
        tiny = construct(running)
        with pytest.raises(ChildGoneError, match=r"killed by SIGXCPU \(it used up the 1 s of CPU"):
            running.request("call", "Tiny.spin()", 15.0, target=tiny.handle,
                            path=attr_path("spin"))
    finally:
        running.close()


def _reach(child: Child, port: int) -> object:
    tiny = construct(child)
    reply = child.request("call", "Tiny.reach()", 10.0, target=tiny.handle,
                          path=attr_path("reach"), args=[port])
    assert reply.ok, reply
    return reply.value


@pytest.mark.skipif(landlock_abi() < 4, reason="no Landlock TCP rules on this kernel")
def test_the_child_reaches_only_the_tcp_ports_it_was_given(tmp_path: Path) -> None:
    with socket.socket() as given, socket.socket() as other:
        for listener in (given, other):
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            listener.setblocking(False)
        ports = [given.getsockname()[1], other.getsockname()[1]]
        confined = start(tmp_path / "confined", connect_ports=ports[:1])
        try:
            assert _reach(confined, ports[0]) == ["sent", "PermissionError"]  # no UDP at all
            assert _reach(confined, ports[1]) == ["PermissionError", "PermissionError"]
            notes = " ".join(confined.confinement())
            assert "confined by Landlock to 1 port(s)" in notes
        finally:
            confined.close()
        given.accept()[0].close()
        with pytest.raises(BlockingIOError):
            other.accept()
        free = start(tmp_path / "free")  # no ports named: nothing confined, the test can tell
        try:
            assert _reach(free, ports[1]) == ["sent", "sent"]
            assert "network is not confined" in " ".join(free.confinement())
        finally:
            free.close()
        other.accept()[0].close()


def test_the_child_gets_a_built_environment_not_ivi_conforms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IVI_TEST_SECRET_TOKEN", "ivi-secret-1")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    running = start(tmp_path)
    try:
        tiny = construct(running)
        seen = running.request("call", "Tiny.environment()", 5.0, target=tiny.handle,
                               path=attr_path("environment"))
    finally:
        running.close()
    assert seen.ok and isinstance(seen.value, list)
    assert set(seen.value) == {*INHERITED, "HOME", "TMPDIR", "LC_ALL", "PYTHONHASHSEED",
                               "HYPOTHESIS_STORAGE_DIRECTORY"}


NUMERIC = '''
import numpy
import pyvisa


def peak() -> int:
    """Multiply two matrices, then the peak address space (kB) of this process."""
    square = numpy.ones((400, 400))
    assert float((square @ square)[0, 0]) == 400.0
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmPeak:"))
'''


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_a_driver_using_numpy_and_pyvisa_runs_within_the_limits(tmp_path: Path) -> None:
    running = start(tmp_path)
    try:
        (tmp_path / "site" / "numeric.py").write_text(NUMERIC, encoding="utf-8")
        imported = running.request("import", "import numeric", 20.0, module="numeric",
                                   attr="peak")
        assert imported.ok and isinstance(imported.value, dict), imported
        function = imported.value["value"]
        assert isinstance(function, Remote)
        peak = running.request("call", "numeric.peak()", 20.0, target=function.handle, path=[])
    finally:
        running.close()
    assert peak.ok and isinstance(peak.value, int), peak
    assert peak.value * 1024 < ADDRESS_SPACE_BYTES / 4, f"VmPeak {peak.value} kB"
