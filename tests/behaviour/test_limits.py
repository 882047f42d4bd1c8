"""The limits set on a child: prlimit per process; its count of tasks by cgroup or rlimit."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from ivi_conform.behaviour import limits
from ivi_conform.behaviour.limits import (
    ADDRESS_SPACE_BYTES,
    CPU_SECONDS,
    OPEN_FILES,
    TASKS,
    USER_TASKS_MARGIN,
    Limits,
)

resource = pytest.importorskip("resource")
pytestmark = pytest.mark.skipif(not hasattr(resource, "prlimit"), reason="no prlimit here")


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process
    process.kill()
    process.wait()


def test_the_per_process_limits_are_set(sleeper: subprocess.Popen[bytes]) -> None:
    set_on = Limits.apply(sleeper.pid)
    try:
        assert set_on.applied
        assert resource.prlimit(sleeper.pid, resource.RLIMIT_AS) == (ADDRESS_SPACE_BYTES,) * 2
        assert resource.prlimit(sleeper.pid, resource.RLIMIT_NOFILE) == (OPEN_FILES,) * 2
        assert resource.prlimit(sleeper.pid, resource.RLIMIT_CPU)[0] == CPU_SECONDS
        assert resource.prlimit(sleeper.pid, resource.RLIMIT_CORE) == (0, 0)
        assert "an address space of 2 GiB" in set_on.describe()[0]
    finally:
        sleeper.kill()
        sleeper.wait()
        set_on.release()


def test_without_a_cgroup_a_user_gets_an_nproc_margin(
    sleeper: subprocess.Popen[bytes], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "_pids_parent", lambda: None)
    monkeypatch.setattr(limits.os, "getuid", lambda: 4242)  # a user with no task running
    set_on = Limits.apply(sleeper.pid)
    assert set_on.cgroup is None
    assert resource.prlimit(sleeper.pid, resource.RLIMIT_NPROC) == (USER_TASKS_MARGIN,) * 2
    assert f"RLIMIT_NPROC: {USER_TASKS_MARGIN} more" in set_on.describe()[0]


def test_without_a_cgroup_root_says_the_count_is_not_limited(
    sleeper: subprocess.Popen[bytes], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "_pids_parent", lambda: None)
    monkeypatch.setattr(limits.os, "getuid", lambda: 0)
    assert "processes and threads: not limited: root is exempt" in \
        Limits.apply(sleeper.pid).describe()[0]


@pytest.mark.skipif(limits._pids_parent() is None, reason="no writable pids cgroup here")
def test_a_writable_pids_cgroup_holds_the_child_and_goes_with_it(
    sleeper: subprocess.Popen[bytes],
) -> None:
    set_on = Limits.apply(sleeper.pid)
    folder = set_on.cgroup
    assert folder is not None and folder.name == f"ivi-conform-{os.getpid()}-{sleeper.pid}"
    assert (folder / "pids.max").read_text().strip() == str(TASKS)
    assert str(sleeper.pid) in (folder / "cgroup.procs").read_text().split()
    sleeper.kill()
    sleeper.wait()
    set_on.release()
    assert not folder.exists()
