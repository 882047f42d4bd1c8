"""Fixtures for the simulator tests: a fake clock, live simulators, two kinds of client.

Every test that needs the live simulator starts its own on port 0 and stops it,
so the suite runs in parallel (pytest-xdist) without sharing state or ports.
The two clients, a plain socket and pyvisa-py, have one interface and both
turn a missing reply into ``TimeoutError``, so one table of cases runs through
both transports.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import pytest

from ivi_conform.sim import LiveSimulator

# Sim seconds per wall second in tests that move things: at MOT:SPE 50 a full
# travel takes 2 sim seconds, here 0.05 s of wall clock.
FAST = 40.0


class FakeClock:
    """A clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Client(Protocol):
    def write(self, message: str) -> None: ...
    def read(self) -> str: ...
    def query(self, message: str) -> str: ...
    def close(self) -> None: ...


class SocketClient:
    """Line-based SCPI over a plain TCP socket."""

    def __init__(self, port: int, timeout: float = 2.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        # Two writes in a row (a refused query, then *IDN?) would otherwise
        # wait for the delayed ACK of the first (Nagle).
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = b""

    @property
    def local_port(self) -> int:
        port: int = self.sock.getsockname()[1]
        return port

    def set_timeout(self, seconds: float) -> None:
        self.sock.settimeout(seconds)

    def write(self, message: str) -> None:
        self.sock.sendall(message.encode("ascii") + b"\n")

    def write_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read(self) -> str:
        while b"\n" not in self._buffer:
            try:
                chunk = self.sock.recv(4096)
            except TimeoutError:
                raise
            except OSError as error:
                raise ConnectionError(str(error)) from error
            if not chunk:
                raise ConnectionError("connection closed by the simulator")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode("ascii")

    def query(self, message: str) -> str:
        self.write(message)
        return self.read()

    def close(self) -> None:
        self.sock.close()


def open_pyvisa_py(rm: Any, resource_name: str) -> Any:
    """A pyvisa-py resource on the live simulator, terminations ``\\n``."""
    resource = rm.open_resource(resource_name, read_termination="\n", write_termination="\n")
    # pyvisa-py 0.8 refuses VI_ATTR_TCPIP_NODELAY, so switch Nagle off on its
    # socket directly, for the same reason as in SocketClient.
    session = rm.visalib.sessions[resource.session]
    session.interface.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return resource


class VisaClient:
    """SCPI through pyvisa-py, as a driver would talk to the live simulator."""

    def __init__(self, rm: Any, resource_name: str, timeout: float = 2.0) -> None:
        self.resource = open_pyvisa_py(rm, resource_name)
        self.set_timeout(timeout)

    def set_timeout(self, seconds: float) -> None:
        self.resource.timeout = int(seconds * 1000)

    def write(self, message: str) -> None:
        self.resource.write(message)

    def read(self) -> str:
        import pyvisa

        try:
            text: str = self.resource.read()
        except pyvisa.errors.VisaIOError as error:
            if error.error_code == pyvisa.constants.StatusCode.error_timeout:
                raise TimeoutError(str(error)) from error
            raise ConnectionError(str(error)) from error
        return text

    def query(self, message: str) -> str:
        self.write(message)
        return self.read()

    def close(self) -> None:
        self.resource.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def start_sim() -> Iterator[Callable[..., LiveSimulator]]:
    """Start a live simulator (stopped after the test): start_sim(model=..., **kwargs)."""
    running: list[LiveSimulator] = []

    def start(model: str = "SR-PN200", **kwargs: Any) -> LiveSimulator:
        kwargs.setdefault("time_scale", FAST)
        sim = LiveSimulator(model=model, **kwargs)
        sim.start()
        running.append(sim)
        return sim

    yield start
    for sim in running:
        sim.stop()


@pytest.fixture(scope="session")
def visa_rm() -> Iterator[Any]:
    import pyvisa

    rm = pyvisa.ResourceManager("@py")
    yield rm
    rm.close()


@pytest.fixture
def live_resource(visa_rm: Any) -> Iterator[Callable[[LiveSimulator], Any]]:
    """live_resource(sim) -> a raw pyvisa-py resource on it, closed afterwards."""
    opened: list[Any] = []

    def open_resource(sim: LiveSimulator) -> Any:
        resource = open_pyvisa_py(visa_rm, sim.resource_name)
        opened.append(resource)
        return resource

    yield open_resource
    for resource in opened:
        resource.close()


@pytest.fixture(params=["socket", "visa"])
def transport(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def connect(transport: str, visa_rm: Any) -> Iterator[Callable[..., Client]]:
    """connect(sim, timeout=2.0) -> a client of this test's transport, closed afterwards."""
    clients: list[Client] = []

    def open_client(sim: LiveSimulator, timeout: float = 2.0) -> Client:
        client: Client
        if transport == "socket":
            client = SocketClient(sim.port, timeout)
        else:
            client = VisaClient(visa_rm, sim.resource_name, timeout)
        clients.append(client)
        return client

    yield open_client
    for client in clients:
        try:
            client.close()
        except Exception:
            pass


@pytest.fixture
def socket_client() -> Iterator[Callable[..., SocketClient]]:
    """socket_client(sim, timeout=2.0) -> a plain socket client, closed afterwards."""
    clients: list[SocketClient] = []

    def open_client(sim: LiveSimulator, timeout: float = 2.0) -> SocketClient:
        client = SocketClient(sim.port, timeout)
        clients.append(client)
        return client

    yield open_client
    for client in clients:
        client.close()
