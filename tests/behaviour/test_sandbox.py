"""The child and its agent, driven directly with tiny drivers on a private path.

These tests need no build and no simulator: a module written into a folder
that the child puts first on its path stands for the driver.
"""

from __future__ import annotations

import sys
import textwrap
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ivi_conform.behaviour.protocol import Callback, Remote, attr_path, encode_value
from ivi_conform.behaviour.sandbox import Child, ChildGoneError, Installation, install
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
'''


@pytest.fixture
def child(tmp_path: Path) -> Iterator[Child]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "tiny.py").write_text(textwrap.dedent(TINY), encoding="utf-8")
    running = Child(Installation(sys.executable, (str(site),), "tiny"), tmp_path / "scratch")
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
    assert child.output_bytes > 100_000  # what it printed went to the drained stream


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
                           seed=1, max_examples=20, exclude=["fail", "hang", "leave"])
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
