"""The live simulator: the sunroof actuator as a SCPI server on a TCP socket.

A driver reaches it as ``TCPIP0::<host>::<port>::SOCKET`` through pyvisa-py or
any socket code, exactly as it would reach a real instrument's raw SCPI port,
so the audit exercises the driver's real I/O path. The server runs an asyncio
loop in a background thread (standard library only); each client connection is
served concurrently, so one client waiting on ``*OPC?`` does not hold up the
others. Messages end with ``\\n`` both ways; ``\\r\\n`` is accepted.

Tests steer it through :attr:`LiveSimulator.faults` and read the instrument's
state through :attr:`LiveSimulator.instrument`; neither is reachable over SCPI.

Decisions where the contract is silent:

- ``no_reply``: every message is still executed (settings change, errors are
  queued) but no reply line is sent, as if the replies were lost.
- ``garbled_reply``: each reply line is sent ROT47-encoded (printable ASCII,
  same length, terminator intact), so it arrives whole but parses as nothing:
  ``1`` becomes a backquote, digits never stay digits.
- ``slow_reply(s)``: each reply waits ``s`` wall-clock seconds before it is
  sent; the client's later messages wait behind it, as on a busy instrument.
- ``late_read(command, s, skip)``: the next message ``command`` (after ``skip``
  of them) waits ``s`` wall-clock seconds unread, as on a loaded machine whose
  simulator thread is not scheduled: :meth:`LiveSimulator.unread` counts it
  and the trace shows it only once read; the client's later messages wait
  behind it. It fires once.
- ``drop_connection()``: closes every client connection open at the call at
  once, without flushing (the client sees end of file or a reset), and returns
  once they are closed; a pending ``*OPC?`` is abandoned. The server keeps
  listening, so a client that reconnects is served again; later messages are
  not affected.
- ``clear()`` switches every fault off and removes obstructions; errors already
  queued stay queued (``*CLS`` clears them).
- ``time_scale`` runs the instrument's clock that many times faster than the
  wall clock, so that tests see real motion without waiting for it.
- A message line longer than 1 MiB closes that connection.
- The trace holds every received line (without its terminator) and every reply
  line actually sent (garbled if garbling was on), stamped with seconds since
  :meth:`LiveSimulator.start` on the monotonic clock.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from types import TracebackType
from typing import Literal, NamedTuple

try:
    import fcntl
    import termios
    _FIONREAD: int | None = termios.FIONREAD
except ImportError:  # Windows: the stream reader's buffer alone
    _FIONREAD = None

from ivi_conform.sim.instrument import (
    DEFAULT_FIRMWARE,
    DEFAULT_MANUFACTURER,
    DEFAULT_SERIAL,
    Axis,
    ErrorCode,
    SunroofInstrument,
)
from ivi_conform.sim.scpi import Call, execute, parse_program

__all__ = ["Faults", "LiveSimulator", "TraceEntry"]

_LINE_LIMIT = 1 << 20
#: Loop turns given at stop to connections accepted but not yet served.
_SETTLE_STEPS = 4
_POLL_SECONDS = 0.05
_ROT47 = str.maketrans(
    "".join(chr(c) for c in range(33, 127)),
    "".join(chr(33 + (c - 33 + 47) % 94) for c in range(33, 127)),
)


class TraceEntry(NamedTuple):
    """One line on the wire, for showing in an audit what the driver really sent."""

    time: float
    client: str
    direction: Literal["in", "out"]
    message: str


class Faults:
    """The live simulator's fault injection: the failures a driver must survive.

    Transport faults (no reply, garbled, slow, dropped connection) act in the
    server; instrument faults (obstruction, overtemperature, error burst) act
    in the instrument model. All methods may be called from any thread.
    """

    def __init__(self, instrument: SunroofInstrument, drop: Callable[[], None]) -> None:
        self._instrument = instrument
        self._drop = drop
        self.replies_lost = False
        self.replies_garbled = False
        self.reply_delay = 0.0
        #: The message read late, how many of it to let through first, and how late.
        self._late_read: tuple[str, int, float] | None = None

    def obstruction(self, panel: int, position: int | None, axis: Axis | None = None) -> None:
        """Place an object at ``position`` percent of a panel's travel (None removes it).

        ``axis`` is the slide by default, the tilt on a model without slide.
        """
        self._instrument.set_obstruction(panel, position, axis)

    def no_reply(self, on: bool = True) -> None:
        """Lose every reply: a driver that reads must time out."""
        self.replies_lost = on

    def garbled_reply(self, on: bool = True) -> None:
        """Send every reply ROT47-garbled: a driver must not accept it as data."""
        self.replies_garbled = on

    def slow_reply(self, seconds: float) -> None:
        """Delay every reply by ``seconds`` of wall-clock time; 0 switches it off."""
        if seconds < 0:
            raise ValueError("a reply delay cannot be negative")
        self.reply_delay = seconds

    def late_read(self, command: str, seconds: float, skip: int = 0) -> None:
        """Leave the next message ``command`` (after ``skip`` of them) unread for ``seconds``.

        As a simulator thread that is not scheduled (a loaded machine): a client
        that timed out on the query meanwhile finds its reply on the connection
        later. ``command`` is the whole message, in any case.
        """
        if seconds < 0 or skip < 0:
            raise ValueError("a late read needs a delay and a count that are not negative")
        self._late_read = (command.strip().upper(), skip, seconds)

    def read_delay(self, message: str) -> float:
        """How long the server leaves ``message``, just arrived, unread (0.0: not at all).

        Asked of every message; the late-read fault counts those it lets through.
        """
        late = self._late_read
        if late is None or message.strip().upper() != late[0]:
            return 0.0
        command, skip, seconds = late
        self._late_read = (command, skip - 1, seconds) if skip else None
        return 0.0 if skip else seconds

    def drop_connection(self) -> None:
        """Reset every open client connection now."""
        self._drop()

    def overtemperature(self, on: bool = True) -> None:
        """Overheat the motor (above 85 C, motion refused with 202) or let it cool."""
        self._instrument.set_overtemperature(on)

    def error_burst(self, count: int, code: int = ErrorCode.DATA_OUT_OF_RANGE) -> None:
        """Queue ``count`` errors of ``code`` at once; the overflow rule applies."""
        if count < 0:
            raise ValueError("an error burst cannot be negative")
        self._instrument.queue_errors(count, ErrorCode(code))

    def clear(self) -> None:
        """Switch every fault off and remove every obstruction."""
        self.replies_lost = False
        self.replies_garbled = False
        self.reply_delay = 0.0
        self._late_read = None
        self._instrument.set_overtemperature(False)
        self._instrument.clear_obstructions()



def _acknowledge_now(writer: asyncio.StreamWriter) -> None:
    """Acknowledge the message just read at once (Linux ``TCP_QUICKACK``).

    A command that sends no reply otherwise leaves its acknowledgement
    delayed by about 40 ms, and a client that writes again at once (a set
    followed by ``SYST:ERR?``) waits for it under Nagle's algorithm: a real
    instrument's LAN stack does not add that to every call. The option
    resets itself, so it is set after every read; elsewhere it does not exist.
    """
    quick_ack = getattr(socket, "TCP_QUICKACK", None)
    connection = writer.get_extra_info("socket")
    if quick_ack is not None and connection is not None:
        connection.setsockopt(socket.IPPROTO_TCP, quick_ack, 1)

class LiveSimulator:
    """A running live simulator of one model, on a loopback TCP port.

    Use it as a context manager (or call :meth:`start` and :meth:`stop`); with
    ``port=0`` the system picks a free port, so parallel tests never collide.
    ``time_scale`` runs the instrument's clock faster than the wall clock;
    ``trace_limit`` keeps only the newest entries (None keeps all, as an audit
    needs; a long-running server should bound it).
    """

    def __init__(
        self,
        model: str = "SR-PN200",
        manufacturer: str = DEFAULT_MANUFACTURER,
        serial: str = DEFAULT_SERIAL,
        firmware: str = DEFAULT_FIRMWARE,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        time_scale: float = 1.0,
        trace_limit: int | None = None,
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.host = host
        self._requested_port = port
        self._time_scale = time_scale
        self._clock_origin = self._trace_origin = time.monotonic()
        self.instrument = SunroofInstrument(
            model,
            manufacturer=manufacturer,
            serial=serial,
            firmware=firmware,
            clock=self._sim_clock,
        )
        self.faults = Faults(self.instrument, self._drop_all)
        self._trace: deque[TraceEntry] = deque(maxlen=trace_limit)
        self._trace_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._port: int | None = None
        self._clients: dict[asyncio.StreamWriter, asyncio.Task[None]] = {}
        #: Each client's reader, for :meth:`unread` (what arrived and is not yet recorded).
        self._readers: dict[asyncio.StreamWriter, asyncio.StreamReader] = {}
        #: Bytes of the messages a late-read fault holds unread (see :meth:`Faults.late_read`).
        self._held = 0

    # --- lifecycle

    def start(self) -> None:
        """Bind the port and serve in a background thread; returns once listening."""
        if self._thread is not None:
            raise RuntimeError("the simulator is already running")
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            asyncio.set_event_loop(loop)
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(
                        self._serve_client, self.host, self._requested_port, limit=_LINE_LIMIT
                    )
                )
            except OSError as error:
                failure.append(error)
                ready.set()
                loop.close()
                return
            self._port = self._server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._shutdown())
            loop.close()

        self._trace_origin = time.monotonic()
        thread = threading.Thread(target=serve, name=f"sunroof-sim-{id(self):x}", daemon=True)
        thread.start()
        ready.wait()
        if failure:
            thread.join()
            raise failure[0]
        self._loop, self._thread = loop, thread

    def stop(self) -> None:
        """Close every connection and the port, and end the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        self._loop = self._thread = self._server = None
        self._port = None

    def __enter__(self) -> LiveSimulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- addresses

    @property
    def port(self) -> int:
        """The TCP port the server listens on (the real one when 0 was asked)."""
        if self._port is None:
            raise RuntimeError("the simulator is not running")
        return self._port

    @property
    def resource_name(self) -> str:
        """The VISA resource name a driver opens to reach this simulator."""
        return f"TCPIP0::{self.host}::{self.port}::SOCKET"

    # --- trace

    @property
    def trace(self) -> list[TraceEntry]:
        """A snapshot of every message in and out so far, oldest first."""
        with self._trace_lock:
            return list(self._trace)

    def clear_trace(self) -> None:
        """Forget the trace, e.g. between two steps of an audit."""
        with self._trace_lock:
            self._trace.clear()

    # --- waiting

    def unread(self) -> int:
        """Bytes a client has sent that the simulator has not read and recorded yet.

        What the kernel holds for each connection, and a whole line the stream
        reader holds past the last one it gave (a partial line waits for the
        driver, not for the simulator): an exercise that waits for the
        trace to be still must not take a simulator that was not scheduled to
        read (a loaded machine) for one the driver stopped writing to. Where
        the kernel cannot say (no ``FIONREAD``), only the reader's part counts.
        """
        pending = self._held
        for writer, reader in list(self._readers.items()):
            held = getattr(reader, "_buffer", b"")  # CPython's StreamReader buffer
            if b"\n" in held:  # a whole message the serving task has not taken yet
                pending += len(held)
            sock = writer.get_extra_info("socket")
            if _FIONREAD is not None and sock is not None:
                waiting = array.array("i", [0])
                with contextlib.suppress(OSError, ValueError):
                    fcntl.ioctl(sock.fileno(), _FIONREAD, waiting)
                    pending += waiting[0]
        return pending

    def wait_idle(self, timeout: float) -> bool:
        """Block until no panel or shade moves; False if ``timeout`` seconds pass first."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = self.instrument.seconds_until_idle() / self._time_scale
            if remaining == 0.0:
                return True
            now = time.monotonic()
            if now >= deadline:
                return False
            time.sleep(min(remaining, deadline - now, _POLL_SECONDS))

    # --- internals

    def _sim_clock(self) -> float:
        return (time.monotonic() - self._clock_origin) * self._time_scale

    def _record(self, client: str, direction: Literal["in", "out"], message: str) -> None:
        entry = TraceEntry(time.monotonic() - self._trace_origin, client, direction, message)
        with self._trace_lock:
            self._trace.append(entry)

    def _drop_all(self) -> None:
        loop = self._loop
        if loop is None:
            return
        asyncio.run_coroutine_threadsafe(self._reset_clients(), loop).result()

    async def _reset_clients(self) -> None:
        tasks = list(self._clients.values())
        for writer, task in list(self._clients.items()):
            writer.transport.abort()
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        # a connection accepted just before the stop has tasks that have not run yet: let
        # them start, so that they are closed like the others, then end whatever is left
        # (a task the loop never ran is "destroyed but pending", its socket unclosed)
        for _ in range(_SETTLE_STEPS):
            await asyncio.sleep(0)
        await self._reset_clients()
        current = asyncio.current_task()
        others = [task for task in asyncio.all_tasks() if task is not current]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _wait_idle(self) -> None:
        while remaining := self.instrument.seconds_until_idle():
            await asyncio.sleep(min(remaining / self._time_scale, _POLL_SECONDS))

    async def _serve_client(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._clients[writer] = task
        self._readers[writer] = reader
        peer = writer.get_extra_info("peername")
        client = f"{peer[0]}:{peer[1]}"
        try:
            while True:
                try:
                    raw = await reader.readuntil(b"\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                _acknowledge_now(writer)
                line = raw.decode("latin-1").rstrip("\r\n")
                if delay := self.faults.read_delay(line):
                    self._held += len(raw)
                    try:
                        await asyncio.sleep(delay)
                    finally:
                        self._held -= len(raw)
                self._record(client, "in", line)
                replies: list[str] = []
                for unit in parse_program(line, self.instrument.panel_count):
                    if isinstance(unit, Call) and unit.command.waits_for_idle:
                        await self._wait_idle()
                    reply = execute(self.instrument, unit)
                    if reply is not None:
                        replies.append(reply)
                if replies:
                    await self._reply(writer, client, ";".join(replies))
        except (ConnectionError, asyncio.CancelledError):
            # Cancelled by a dropped connection or stop(): end quietly, because
            # asyncio 3.11's stream callback re-raises a cancellation as an error.
            return
        finally:
            self._clients.pop(writer, None)
            self._readers.pop(writer, None)
            writer.transport.abort()

    async def _reply(self, writer: asyncio.StreamWriter, client: str, text: str) -> None:
        faults = self.faults
        if faults.replies_lost:
            return
        if faults.reply_delay:
            await asyncio.sleep(faults.reply_delay)
        if faults.replies_garbled:
            text = text.translate(_ROT47)
        self._record(client, "out", text)
        writer.write(text.encode("ascii", "replace") + b"\n")
        await writer.drain()
