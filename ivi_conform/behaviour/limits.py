"""The resource limits the parent sets on a child right after it starts, before any driver code.

Per process (``prlimit``, Linux): an address space of 2 GiB (a driver that
imports numpy, pyvisa and hypothesis peaks near 210 MiB here), 1024 open
files, 600 s of CPU time (far beyond any audit's wall-clock limits: it stops
a process that spins after the audit forgot it), files of 64 MiB and no core
dumps. A limit met in a call ends that call, never the audit: a MemoryError
or a refused fork is the driver's exception (the agent names the limit), a
kill by a limit is an incident like a crash and the next rule gets a new child.

The number of processes and threads is per user, not per process, so:

* a writable pids cgroup (v2 delegated to this user, else v1) gives the
  child its own group with ``pids.max``, removed when the child ends;
* else ``RLIMIT_NPROC`` is set to the user's current count of tasks plus a
  margin (a shared budget: the user's other processes count too);
* root is exempt from ``RLIMIT_NPROC``: without a cgroup, the count is not
  limited, and the report says so. Whatever the child starts stays in its
  process group (``setsid``/``setpgid`` are refused by the agent's seccomp
  filter), which the parent kills at the first hang and at the end.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

#: The largest address space of one child process.
ADDRESS_SPACE_BYTES = 2 * 1024**3
#: The most files one child process may have open.
OPEN_FILES = 1024
#: The CPU time of one child process, in seconds.
CPU_SECONDS = 600
#: The largest file the child may write.
FILE_BYTES = 64 * 1024 * 1024
#: The processes and threads of the child's own pids cgroup (its own threads included).
TASKS = 128
#: With RLIMIT_NPROC instead, how many more tasks than the user runs when the child starts:
#: more than the cgroup's, since the user's other processes (parallel tests, other audits)
#: come and go under the same count.
USER_TASKS_MARGIN = 512


def _own_cgroups() -> dict[str, str]:
    """This process's cgroup path in each hierarchy: "" for v2, else the controllers' names."""
    found: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text(encoding="ascii").splitlines():
            _, controllers, path = line.split(":", 2)
            found[controllers] = path
    return found


def _pids_parent() -> Path | None:
    """A cgroup folder where this user may create a child group with ``pids.max``."""
    own = _own_cgroups()
    candidates: list[Path] = []
    if "" in own:
        for mount in (Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/unified")):
            folder = mount / own[""].lstrip("/")
            with contextlib.suppress(OSError):
                if "pids" in (folder / "cgroup.subtree_control").read_text().split():
                    candidates.append(folder)
    for controllers, path in own.items():
        if "pids" in controllers.split(","):
            candidates.append(Path("/sys/fs/cgroup/pids") / path.lstrip("/"))
    for folder in candidates:
        if (folder / "cgroup.procs").is_file() and os.access(folder, os.W_OK):
            return folder
    return None


def _user_tasks() -> int:
    """How many processes and threads this user runs now (what RLIMIT_NPROC counts)."""
    uid, count = os.getuid(), 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
    return count


@dataclass
class Limits:
    """The limits set on one child, and how the count of its processes is held."""

    #: The child's own pids cgroup, removed by :meth:`release`.
    cgroup: Path | None = None
    #: How the count of processes is limited, for the report.
    tasks: str = "not limited"
    #: Whether the per-process limits (address space, files, CPU) are in force.
    applied: bool = False

    @classmethod
    def apply(cls, pid: int) -> Limits:
        """Set every limit on the process ``pid`` (Linux; elsewhere nothing and say so)."""
        limits = cls()
        try:
            import resource
        except ImportError:  # Windows
            return limits
        prlimit = getattr(resource, "prlimit", None)
        if prlimit is None:  # macOS
            return limits
        with contextlib.suppress(OSError, ValueError):
            prlimit(pid, resource.RLIMIT_CORE, (0, 0))
            prlimit(pid, resource.RLIMIT_FSIZE, (FILE_BYTES, FILE_BYTES))
            prlimit(pid, resource.RLIMIT_AS, (ADDRESS_SPACE_BYTES, ADDRESS_SPACE_BYTES))
            prlimit(pid, resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES))
            prlimit(pid, resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 10))
            limits.applied = True
        limits.cgroup = _cgroup(pid)
        if limits.cgroup is not None:
            limits.tasks = f"at most {TASKS} processes and threads (a pids cgroup)"
        elif os.getuid() == 0:
            limits.tasks = ("not limited: root is exempt from RLIMIT_NPROC and no pids cgroup "
                            "is writable (its processes stay in the group killed at the end)")
        else:
            with contextlib.suppress(OSError, ValueError):
                allowed = _user_tasks() + USER_TASKS_MARGIN
                prlimit(pid, resource.RLIMIT_NPROC, (allowed, allowed))
                limits.tasks = (f"at most {allowed} processes and threads for the user "
                                f"(RLIMIT_NPROC: {USER_TASKS_MARGIN} more than when the child "
                                "started)")
        return limits

    def describe(self) -> list[str]:
        """The limits in force, one sentence each, for the report."""
        if not self.applied:
            return ["the child's resources are not limited (no prlimit here); only the time "
                    "limits hold"]
        return [f"the child's limits: an address space of {ADDRESS_SPACE_BYTES / 2**30:g} GiB, "
                f"{OPEN_FILES} open files, {CPU_SECONDS} s of CPU time, files of "
                f"{FILE_BYTES // 2**20} MiB, no core dumps; processes and threads: {self.tasks}"]

    def release(self) -> None:
        """Remove the child's cgroup once its processes, killed, are gone (up to 2 s)."""
        if self.cgroup is None:
            return
        for _ in range(40):
            try:
                self.cgroup.rmdir()
            except FileNotFoundError:
                break
            except OSError:  # EBUSY: a killed process not yet reaped
                time.sleep(0.05)
                continue
            break
        self.cgroup = None


def _cgroup(pid: int) -> Path | None:
    """Move ``pid`` into a pids cgroup of its own: its folder (None where none is writable)."""
    parent = _pids_parent()
    if parent is None:
        return None
    folder = parent / f"ivi-conform-{os.getpid()}-{pid}"
    try:
        folder.mkdir()
    except OSError:
        return None
    try:
        (folder / "pids.max").write_text(str(TASKS), encoding="ascii")
        (folder / "cgroup.procs").write_text(str(pid), encoding="ascii")
    except OSError:
        with contextlib.suppress(OSError):
            folder.rmdir()
        return None
    return folder
