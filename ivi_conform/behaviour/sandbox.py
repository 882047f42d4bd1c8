"""The parent's side of the sandbox: install the candidate, start and police the child.

Design (measured on the reference driver; see ``benchmarks/full_audit.py``):

* **Installation.** The candidate's wheel is unpacked into a private folder
  (``<work_dir>/behaviour/site``) that the child puts first on ``sys.path``;
  pyvisa, pyvisa-py, pyvisa-sim and hypothesis come from ivi-conform's own
  interpreter, offline. This is what ``venv --system-site-packages`` plus
  ``pip install --no-deps --no-index`` gives, without what they cost (measured
  here for the reference driver: venv 5.4 s, pip 1.0 s; unpacking 0.02 s): a
  pure-Python wheel installs by unpacking (its ``.data/purelib`` and
  ``platlib`` parts are merged in), then is byte-compiled by the parent, since
  the child may not write beside it. An *installed* distribution has no
  wheel: it runs in ``sys.executable``, where it is installed, and the results
  say so.
* **The child.** ``python -I agent.py``: isolated mode (no ``PYTHON*``
  variables, no user site, no script folder on the path), a new session (its
  own process group, so a kill takes whatever the driver started), cwd a fresh
  scratch folder. Its environment is built, never inherited: ``PATH`` (the
  one variable taken from ivi-conform's own), ``HOME`` and ``TMPDIR`` (both
  inside the scratch folder), ``LC_ALL``, ``PYTHONHASHSEED``, hypothesis's
  folder and what the harness passes (``PYVISA_LIBRARY``): no token, key,
  proxy or VISA setting of the user reaches the driver. Its resources are
  limited right after it starts (``limits.py``). Before it imports the driver
  the agent confines itself (``confine.py``): file writes to the scratch
  folder, TCP to the ports the parent names (``network.py``; then no UDP
  either), no new session, no capability, no signal outside. The report is
  written by the parent alone, from validated protocol replies; what the
  child writes stays in its scratch folder, which the parent lists as
  evidence.
* **Time limits.** Every request has one; when it passes the parent kills the
  child's process group and reports where the driver hung. A child that exits,
  is killed by a signal or breaks the protocol ends the same way, with its exit
  status and the tail of its output.
* **Output.** The driver's stdout and stderr both go to the stderr pipe, which
  a thread drains into a bounded buffer (head and tail kept, bytes counted), so
  a driver that prints megabytes neither blocks nor fills memory.
"""

from __future__ import annotations

import compileall
import contextlib
import os
import selectors
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ivi_conform.behaviour import limits
from ivi_conform.behaviour.limits import Limits
from ivi_conform.behaviour.protocol import (
    Callback,
    ProtocolError,
    Reply,
    callback_reply_line,
    request_line,
)
from ivi_conform.behaviour.wire import MAX_LINE_BYTES
from ivi_conform.candidate import Distribution

AGENT = Path(__file__).resolve().parent / "agent.py"
#: How long the child may take to start and answer its first request.
START_TIMEOUT_S = 20.0
#: Output of the driver kept for evidence (the head and the tail).
KEEP_HEAD = 2048
KEEP_TAIL = 4096
#: The one variable of ivi-conform's environment the child gets (the rest is built).
INHERITED = ("PATH",)

#: Where hypothesis, running ivi-conform's exploration in the child, keeps its files.
HYPOTHESIS_STORAGE = ".ivi-conform-hypothesis"

CallbackHandler = Callable[[Callback], object]


@dataclass(frozen=True)
class Installation:
    """Where the candidate runs: the interpreter, the folders put first on its path, a note."""

    python: str
    paths: tuple[str, ...]
    note: str
    seconds: float = 0.0


def install(dist: Distribution, work_dir: Path) -> Installation:
    """Make the candidate importable by a child interpreter (see the module doc)."""
    started = time.perf_counter()
    if dist.wheel is None:
        return Installation(
            sys.executable, (),
            f"{dist.name} is an installed distribution without a wheel: it runs in "
            f"{sys.executable}, where it is installed, not in a private folder",
        )
    site = work_dir / "behaviour" / "site"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    with zipfile.ZipFile(dist.wheel) as wheel:
        wheel.extractall(site)
    compileall.compile_dir(site, quiet=2, workers=1)  # the child may not write its .pyc
    for data in site.glob("*.data"):
        for part in ("purelib", "platlib"):
            folder = data / part
            if folder.is_dir():
                for entry in folder.iterdir():
                    target = site / entry.name
                    if not target.exists():
                        entry.rename(target)
        shutil.rmtree(data, ignore_errors=True)
    return Installation(
        sys.executable, (str(site),),
        f"the wheel {dist.wheel.name} unpacked into a private folder first on the child's "
        "sys.path; its dependencies come from ivi-conform's interpreter",
        time.perf_counter() - started,
    )


@dataclass(frozen=True)
class Incident:
    """How a child ended against our will: a hang, an exit, a signal, a protocol breach."""

    kind: str  # "hang" | "exit" | "signal" | "protocol" | "parent" (ivi-conform's own failure)
    message: str
    output: str = ""
    #: For a hang: the time limit (s) the request had when the child was killed.
    limit: float = 0.0

    def __str__(self) -> str:
        return self.message


class ChildGoneError(Exception):
    """The child is gone (or was killed); ``incident`` says how."""

    def __init__(self, incident: Incident) -> None:
        super().__init__(incident.message)
        self.incident = incident


@dataclass
class _Output:
    """The child's stdout+stderr: head and tail kept, bytes counted."""

    head: bytearray = field(default_factory=bytearray)
    tail: bytearray = field(default_factory=bytearray)
    total: int = 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        if len(self.head) < KEEP_HEAD:
            self.head += chunk[: KEEP_HEAD - len(self.head)]
        self.tail += chunk
        if len(self.tail) > KEEP_TAIL:
            del self.tail[: len(self.tail) - KEEP_TAIL]

    def text(self) -> str:
        if self.total <= KEEP_HEAD:
            return self.head.decode("utf-8", "replace")
        return self.tail.decode("utf-8", "replace")


def _signal_detail(name: str) -> str:
    """What a signal that ended the child says about why ("" if nothing)."""
    if name == "SIGSEGV":
        return " (segmentation fault)"
    if name == "SIGXCPU":
        return f" (it used up the {limits.CPU_SECONDS} s of CPU time a child may use)"
    if name == "SIGABRT":
        return (f" (an abort: under the {limits.ADDRESS_SPACE_BYTES / 2**30:g} GiB "
                "address-space limit a failed allocation may end so)")
    return ""


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


class Child:
    """One child interpreter running the agent, driven request by request."""

    def __init__(self, installation: Installation, scratch: Path,
                 env: Mapping[str, str] | None = None,
                 connect_ports: Collection[int] | None = None, datagrams: bool = False) -> None:
        """Start the child and confine it.

        ``env`` adds to the built environment (the harness's ``PYVISA_LIBRARY``);
        ``connect_ports`` are the only TCP ports the driver may connect to (None:
        the network is not confined, UDP included); ``datagrams`` allows UDP
        beside confined TCP (a named instrument whose host needs DNS).
        """
        self.installation = installation
        self.scratch = scratch
        scratch.mkdir(parents=True, exist_ok=True)
        (scratch / "home").mkdir(exist_ok=True)
        (scratch / "tmp").mkdir(exist_ok=True)
        self._before = self._listing()
        environment = {
            **{name: os.environ[name] for name in INHERITED if name in os.environ},
            "HOME": str(scratch / "home"),
            "TMPDIR": str(scratch / "tmp"),
            "LC_ALL": "C.UTF-8",
            "PYTHONHASHSEED": "0",
            # hypothesis (ivi-conform's exploration, not the driver) keeps its files here
            "HYPOTHESIS_STORAGE_DIRECTORY": str(scratch / HYPOTHESIS_STORAGE),
        }
        environment.update(env or {})
        self.started = time.perf_counter()
        self._process = subprocess.Popen(
            [installation.python, "-I", str(AGENT)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=scratch, env=environment, start_new_session=True, close_fds=True,
        )
        self._limits = Limits.apply(self._process.pid)
        self._output = _Output()
        self._drain = threading.Thread(target=self._drain_output, daemon=True)
        self._drain.start()
        self._buffer = bytearray()
        self._next_id = 0
        self.gone: Incident | None = None
        self.info: dict[str, object] = {}
        self._ports_named = connect_ports is not None
        setup: dict[str, object] = {"path": list(installation.paths),
                                    "datagrams": datagrams or connect_ports is None}
        if connect_ports is not None:
            setup["connect"] = sorted(set(connect_ports))
        try:
            reply = self.request("setup", "starting the sandbox", START_TIMEOUT_S, None, **setup)
        except ChildGoneError as gone:  # no driver code has run yet: our failure
            self.gone = Incident("parent", f"the sandbox did not start: {gone.incident}",
                                 gone.incident.output)
            raise ChildGoneError(self.gone) from None
        if reply.ok and isinstance(reply.value, dict):
            self.info = reply.value

    @property
    def alive(self) -> bool:
        """Whether the child still runs (it exits by itself after a minute without requests)."""
        return self.gone is None and self._process.poll() is None

    @property
    def pid(self) -> int:
        """The child's process id (its process group id too)."""
        return self._process.pid

    def confinement(self) -> list[str]:
        """What confines this child, one sentence each, for the report's runtime notes."""
        info = self.info
        abi = info.get("landlock")
        notes = [f"the child's file writes are confined to its scratch folder by Landlock (ABI "
                 f"{abi})" if abi else "Landlock is unavailable: the child's file writes are not "
                 "confined (it runs in a scratch folder; the report is written by the parent)"]
        ports = info.get("tcp_ports")
        if isinstance(ports, list):
            # the count, not the numbers: the simulators' ports differ from process to process,
            # and the report of an audit split over pytest-xdist workers must equal a serial one
            notes.append(f"the child's TCP connections are confined by Landlock to {len(ports)} "
                         "port(s): its simulators' reserved loopback ports and the named "
                         "instrument's (Landlock rules name ports, not addresses)")
        elif self._ports_named:
            notes.append("the child's network is not confined: Landlock TCP rules are "
                         "unavailable here (Linux before 6.7, or another OS)")
        else:
            notes.append("the child's network is not confined: no ports were named for it (a "
                         "VXI-11 instrument learns its port only when it runs)")
        if info.get("seccomp"):
            notes.append("a seccomp filter refuses the child " + (
                "" if info.get("datagrams") else "UDP, ") + "raw and packet sockets, io_uring "
                "and a new session or process group (whatever it starts stays in the process "
                "group killed at the end)")
        if info.get("capabilities") is False:
            notes.append("the child holds no capability (a child of root included)")
        if info.get("scoped"):
            notes.append("the child cannot signal a process or reach an abstract Unix socket "
                         "outside its sandbox (Landlock scopes)")
        return notes + self._limits.describe()

    def _drain_output(self) -> None:
        stream = self._process.stderr
        assert stream is not None
        fd = stream.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self._output.add(chunk)

    def output(self) -> str:
        """The tail of what the driver (and the interpreter) wrote to stdout and stderr."""
        return self._output.text()

    @property
    def output_bytes(self) -> int:
        """How many bytes the child wrote to stdout and stderr."""
        return self._output.total

    def _listing(self) -> set[str]:
        found: set[str] = set()
        for root, _dirs, files in os.walk(self.scratch):
            for name in files:
                found.add(os.path.relpath(os.path.join(root, name), self.scratch))
        return found

    def written_files(self) -> list[str]:
        """Files the driver created in its scratch folder (cwd, HOME, TMPDIR).

        Files under :data:`HYPOTHESIS_STORAGE` are ivi-conform's own exploration
        state, not the driver's, and are left out.
        """
        return sorted(path for path in self._listing() - self._before
                      if not path.startswith(HYPOTHESIS_STORAGE + "/"))

    def _die(self, kind: str, message: str, limit: float = 0.0) -> ChildGoneError:
        self.kill()
        output = self.output().strip()
        tail = output[-600:]
        if kind in ("exit", "signal") and tail:
            message += f"; last output: {tail!r}"
        if self._output.total > KEEP_HEAD + KEEP_TAIL:
            message += f" (the child wrote {self._output.total} bytes to stdout/stderr)"
        self.gone = Incident(kind, message, output, limit)
        return ChildGoneError(self.gone)

    def _ended(self, during: str) -> ChildGoneError:
        try:
            code = self._process.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            return self._die("protocol", f"the child closed its protocol stream during {during}")
        if code < 0:
            name = _signal_name(-code)
            detail = _signal_detail(name)
            return self._die("signal", f"the child was killed by {name}{detail} during {during}")
        return self._die("exit", f"the child exited with code {code} during {during}")

    def _read_line(self, deadline: float, during: str, limit: float) -> bytes:
        stream = self._process.stdout
        assert stream is not None
        fd = stream.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise self._die("hang", f"the driver hung in {during} for {limit:g} s", limit)
                if not selector.select(remaining):
                    continue
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise self._ended(during)
                self._buffer += chunk
                if len(self._buffer) > MAX_LINE_BYTES:
                    raise self._die("protocol", f"the child broke the protocol during {during}: "
                                    "a line over 8 MiB")
        line, _, rest = bytes(self._buffer).partition(b"\n")
        self._buffer = bytearray(rest)
        return line

    def _write(self, data: bytes, during: str) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        try:
            stdin.write(data)
            stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._ended(during) from None

    def request(self, op: str, during: str, timeout: float,
                on_callback: CallbackHandler | None = None, **fields: object) -> Reply:
        """Send one request and wait at most ``timeout`` s for its reply.

        ``during`` names what the driver is doing, for the report ("SkSunroof.__init__").
        Raises :class:`ChildGoneError` when the child hangs, dies or breaks the protocol.
        """
        from ivi_conform.behaviour.protocol import parse_line

        if self.gone is not None:
            raise ChildGoneError(self.gone)
        self._next_id += 1
        ident = self._next_id
        self._write(request_line(ident, op, **fields), during)
        deadline = time.monotonic() + timeout
        while True:
            line = self._read_line(deadline, during, timeout)
            try:
                message = parse_line(line, ident)
            except ProtocolError as exc:
                raise self._die("protocol",
                                f"the child broke the protocol during {during}: {exc}") from None
            if isinstance(message, Reply):
                return message
            try:
                answer = on_callback(message) if on_callback is not None else None
            except BaseException:
                # our own failure: the child waits for an answer it will never get
                self.kill()
                self.gone = Incident("parent", f"ivi-conform failed answering {message.name} "
                                     f"during {during}")
                raise
            self._write(callback_reply_line(answer), during)

    def kill(self) -> None:
        """Kill the child's whole process group (only ours: it was started in its own session)."""
        if self._process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=5.0)
        else:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._process.pid, signal.SIGKILL)
        for stream in (self._process.stdin, self._process.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        self._drain.join(timeout=2.0)
        with contextlib.suppress(OSError):
            if self._process.stderr is not None:
                self._process.stderr.close()
        self._limits.release()

    def close(self) -> None:
        """Ask the child to exit, then make sure its process group is gone."""
        if self.gone is None and self._process.poll() is None:
            with contextlib.suppress(ChildGoneError):
                self.request("exit", "closing the sandbox", 2.0)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=1.0)
        self.kill()
