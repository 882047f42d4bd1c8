"""Small sunroof drivers written in other styles than the reference, to audit in tests.

The reference driver (``fixtures/reference``) is one way to write a driver;
the behaviour layer must judge any conformant driver the same, however it
names its members, keys its collections or spells its options. :func:`write`
renders one driver from :data:`TEMPLATE` with a :class:`Style`:

* ``keys``: the panel collection keyed by ``"str"`` (``"1"``), ``"int"`` (``1``)
  or ``"enum"`` (``Pane.FRONT``), or ``"selector"``: no collection, a method
  ``choose_pane(n)`` selects the pane the ``roof`` members address;
* ``models``: what ``supported_instrument_models`` lists (one model, say);
* ``simulate_key`` / ``status_key``: the option names (a ``TypedDict`` key in
  snake case, the same name in PascalCase in the option string, as its
  docstring documents);
* ``defect``: one named defect a rule must still catch.

The drivers talk SCPI over a plain socket (the ``TCPIP0::host::port::SOCKET``
resource name), clamp the motor speed to 1..50 (a documented coercion), and
check the status (``SYST:ERR?``) after each call when asked.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from ivi_conform.sim import MODELS

TEMPLATE = '''
"""A sunroof driver in another style.

Options: a dict (``Options``) or a string ``"{SIMULATE_NAME}=True, {STATUS_NAME}=False"``.
The motor speed is clamped to 1..50 (a value outside is coerced to the nearest bound).
"""

from __future__ import annotations

import enum
import socket
import threading
from typing import TypedDict

SUPPORTED = {MODELS!r}


class Options(TypedDict, total=False):
    {SIMULATE_KEY}: bool
    {STATUS_KEY}: bool


class RoofError(Exception):
    """An instrument error or a bad call."""


class Pane(enum.Enum):
    FRONT = 1
    REAR = 2


def _parse(options: Options | str | None) -> dict[str, bool]:
    known = {{"{SIMULATE_KEY}": "{SIMULATE_NAME}", "{STATUS_KEY}": "{STATUS_NAME}"}}
    found = {{"{SIMULATE_KEY}": False, "{STATUS_KEY}": False}}
    if options is None:
        return found
    if isinstance(options, dict):
        for key, value in options.items():
            if key not in known or not isinstance(value, bool):
                raise RoofError(f"bad option {{key}}={{value!r}}")
            found[key] = value
        return found
    for part in options.split(","):
        name, equals, value = part.strip().partition("=")
        keys = [key for key, shown in known.items() if shown.lower() == name.strip().lower()]
        if not equals or not keys or value.strip().lower() not in ("true", "false", "1", "0"):
            raise RoofError(f"cannot read option {{part.strip()!r}}")
        found[keys[0]] = value.strip().lower() in ("true", "1")
    return found


class _Session:
    def __init__(self, resource: str, simulate: bool) -> None:
        self.simulate = simulate
        self.status = False
        self.timeout_ms = 2000
        self.lock = threading.RLock()
        self.values: dict[str, str] = {{}}
        self.sock: socket.socket | None = None
        self.buffer = b""
        if not simulate:
            parts = resource.split("::")
            self.sock = socket.create_connection((parts[1], int(parts[2])), timeout=2.0)

    def write(self, message: str) -> None:
        with self.lock:
            if self.sock is None:
                head, _, value = message.partition(" ")
                if value:
                    self.values[head] = value
                return
            self.sock.settimeout(self.timeout_ms / 1000)
            self.sock.sendall(message.encode() + b"\\n")

    def read(self) -> str:
        with self.lock:
            if self.sock is None:
                return ""
            self.sock.settimeout(self.timeout_ms / 1000)
            while b"\\n" not in self.buffer:
                chunk = self.sock.recv(4096)
                if not chunk:
                    raise RoofError("the connection was closed")
                self.buffer += chunk
            line, _, self.buffer = self.buffer.partition(b"\\n")
            return line.decode()

    def ask(self, query: str) -> str:
        with self.lock:
            if self.sock is None:
                return self.values.get(query[:-1], "0")
            self.write(query)
            try:
                reply = self.read()
            except OSError as exc:
                raise RoofError(f"{{query}}: {{exc}}") from None
            self.check()
            return reply

    def send(self, command: str) -> None:
        with self.lock:
            self.write(command)
            self.check()

    def check(self) -> None:
        if self.status and self.sock is not None:
            self.write("SYST:ERR?")
            reply = self.read()
            if not reply.startswith("0"):
                raise RoofError(reply)

    def number(self, query: str) -> int:
        reply = self.ask(query)
        try:
            return int(reply)
        except ValueError:
            raise RoofError(f"{{query}} answered {{reply!r}}") from None


class ErrorQueryResult:
    def __init__(self, code: int, message: str) -> None:
        self._code, self._message = code, message

    @property
    def code(self) -> int:
        return self._code

    @property
    def message(self) -> str:
        return self._message


class Utility:
    def __init__(self, session: _Session, identity: list[str]) -> None:
        self._session, self._identity = session, identity

    @property
    def driver_version(self) -> str:
        return "1.0.0"

    @property
    def driver_vendor(self) -> str:
        return "Skylight Test Systems"

    @property
    def instrument_manufacturer(self) -> str:
        return self._identity[0]

    @property
    def instrument_model(self) -> str:
        return self._identity[1]

    @property
    def query_instrument_status_enabled(self) -> bool:
        return self._session.status

    @query_instrument_status_enabled.setter
    def query_instrument_status_enabled(self, enabled: bool) -> None:
        self._session.status = bool(enabled)

    @property
    def simulation_enabled(self) -> bool:
        return self._session.simulate

    @property
    def supported_instrument_models(self) -> tuple[str, ...]:
        return tuple(SUPPORTED)

    def error_query(self) -> ErrorQueryResult | None:
        if self._session.sock is None:
            return None
        with self._session.lock:
            self._session.write("SYST:ERR?")
            code, _, message = self._session.read().partition(",")
        return None if int(code) == 0 else ErrorQueryResult(int(code), message.strip('"'))

    def error_query_all(self) -> list[ErrorQueryResult]:
        found = []
        while (error := self.error_query()) is not None:
            found.append(error)
        return found

    def raise_on_device_error(self) -> None:
        errors = self.error_query_all()
        if errors:
            raise RoofError("; ".join(f"{{e.code}} {{e.message}}" for e in errors))

    def reset(self) -> None:
        self._session.send("*RST")


class DirectIo:
    def __init__(self, session: _Session) -> None:
        self._session = session

    @property
    def session(self) -> object:
        return self._session.sock

    @property
    def io_timeout_ms(self) -> int:
        return self._session.timeout_ms

    @io_timeout_ms.setter
    def io_timeout_ms(self, value: int) -> None:
        self._session.timeout_ms = int(value)

    def write_string(self, data: str) -> None:
        self._session.write(data)

    def read_string(self) -> str:
        try:
            return self._session.read()
        except OSError as exc:
            raise RoofError(f"timed out: {{exc}}") from None

    def write_bytes(self, data: bytes) -> None:
        self._session.write(data.decode())

    def read_bytes(self) -> bytes:
        return self.read_string().encode()


class Panel:
    def __init__(self, session: _Session, number: int, name: str) -> None:
        self._session, self._number, self._name = session, number, name

    @property
    def name(self) -> str:
        return self._name

    @property
    def position(self) -> int:
        return self._session.number(f"PAN{{self._number}}:POS?")

    @position.setter
    def position(self, value: int) -> None:
        self._session.send(f"PAN{{self._number}}:POS {{int(value)}}")

    @property
    def tilt(self) -> int:
        return self._session.number(f"PAN{{self._number}}:TILT?")

    @tilt.setter
    def tilt(self, value: int) -> None:
        self._session.send(f"PAN{{self._number}}:TILT {{int(value)}}")

    @property
    def state(self) -> str:
        return self._session.ask(f"PAN{{self._number}}:STAT?") or "CLOSED"

    def halt(self) -> None:
        self._session.send(f"PAN{{self._number}}:STOP")


class Roof:
    """The selector style: choose_pane(n) selects the pane the members address."""

    def __init__(self, session: _Session) -> None:
        self._session = session
        self._pane = 1

    def choose_pane(self, number: int) -> None:
        if number not in (1, 2):
            raise RoofError(f"no pane {{number}}")
        self._pane = number

    @property
    def opening(self) -> int:
        return self._session.number(f"PAN{{self._pane}}:POS?")

    @opening.setter
    def opening(self, value: int) -> None:
        self._session.send(f"PAN{{self._pane}}:POS {{int(value)}}")

    @property
    def tilting(self) -> int:
        return self._session.number(f"PAN{{self._pane}}:TILT?")

    @tilting.setter
    def tilting(self, value: int) -> None:
        self._session.send(f"PAN{{self._pane}}:TILT {{int(value)}}")


class Drive:
    def __init__(self, session: _Session) -> None:
        self._session = session

    @property
    def rate(self) -> int:
        return self._session.number("MOT:SPE?")

    @rate.setter
    def rate(self, value: int) -> None:
        self._session.send(f"MOT:SPE {{min(max(int(value), 1), 50)}}")


class {CLASS}:
    def __init__(self, resource_name: str, id_query: bool = True, reset: bool = False,
                 options: Options | str | None = None) -> None:
        settings = _parse(options)
        self._session = _Session(resource_name, settings["{SIMULATE_KEY}"])
        identity = ["Skylight Test Systems", SUPPORTED[0], "SN000001", "1.0.0"]
        if not self._session.simulate:
            identity = self._session.ask("*IDN?").split(",")
            if id_query and identity[1] not in SUPPORTED:
                raise RoofError(f"unsupported instrument {{identity[1]}}")
            if reset:
                self._session.send("*RST")
        self._session.status = settings["{STATUS_KEY}"]
        self._utility = Utility(self._session, identity)
        self._direct = DirectIo(self._session)
        self._drive = Drive(self._session)
        {PANELS_INIT}

    @property
    def ivi_utility(self) -> Utility:
        return self._utility

    @property
    def ivi_direct_io(self) -> DirectIo:
        return self._direct

    @property
    def drive(self) -> Drive:
        return self._drive

    {PANELS_PROPERTY}

    def close(self) -> None:
        if self._session.sock is not None:
            self._session.sock.close()


__all__ = ["{CLASS}", "DirectIo", "Options", "Pane", "Panel", "RoofError", "Utility"]
'''

PANELS = {
    "str": ('self._panes = {str(n): Panel(self._session, n, str(n)) for n in (1, 2)[:COUNT]}',
            "@property\n    def panes(self) -> dict[str, Panel]:\n        return self._panes"),
    "int": ('self._panes = {n: Panel(self._session, n, str(n)) for n in (1, 2)[:COUNT]}',
            "@property\n    def panes(self) -> dict[int, Panel]:\n        return self._panes"),
    "enum": ("self._panes = {p: Panel(self._session, p.value, p.name) "
             "for p in list(Pane)[:COUNT]}",
             "@property\n    def panes(self) -> dict[Pane, Panel]:\n        return self._panes"),
    "selector": ("self._roof = Roof(self._session)",
                 "@property\n    def roof(self) -> Roof:\n        return self._roof"),
}

_OPENING_SETTER = ('@opening.setter\n    def opening(self, value: int) -> None:\n'
                   '        self._session.send(f"PAN{{self._pane}}:POS {{int(value)}}")')
_TILTING_SETTER = ('@tilting.setter\n    def tilting(self, value: int) -> None:\n'
                   '        self._session.send(f"PAN{{self._pane}}:TILT {{int(value)}}")')

#: One named defect (or change) each, as pairs (what the template says, what the driver says).
DEFECTS: dict[str, tuple[tuple[str, str], ...]] = {
    "every-pane-is-one": (("Panel(self._session, n, str(n))",
                           "Panel(self._session, 1, str(n))"),),
    "garbled-is-zero": (('raise RoofError(f"{{query}} answered {{reply!r}}") from None',
                         "return 0"),),
    # the selector style
    "selects-any-pane": (('raise RoofError(f"no pane {{number}}")', "pass"),),
    "opens-pane-one": (('self._session.send(f"PAN{{self._pane}}:POS {{int(value)}}")',
                        'self._session.send(f"PAN1:POS {int(value)}")'),),
    # not a defect of its own: the panes move through methods, open_to(n) and tilt_to(n)
    "methods-move-panes": (("@opening.setter\n    def opening(self, value: int)",
                            "def open_to(self, value: int)"),
                           ("@tilting.setter\n    def tilting(self, value: int)",
                            "def tilt_to(self, value: int)")),
    # the API cannot move a pane at all
    "no-pane-setters": ((_OPENING_SETTER, ""), (_TILTING_SETTER, "")),
}


@dataclass(frozen=True)
class Style:
    """How one test driver is written."""

    name: str
    keys: str = "str"
    models: tuple[str, ...] = ("SR-PN200",)
    simulate_key: str = "simulate"
    status_key: str = "query_instr_status"
    defect: str = ""


def _pascal(key: str) -> str:
    return "".join(part.capitalize() for part in key.split("_"))


def write(folder: Path, style: Style) -> Path:
    """The style's driver as a source tree (pyproject.toml and package) in ``folder``."""
    count = max(MODELS[model].panels for model in style.models)
    init, prop = PANELS[style.keys]
    source = TEMPLATE.format(
        MODELS=list(style.models), CLASS=f"SkRoof{style.name.capitalize()}",
        SIMULATE_KEY=style.simulate_key, SIMULATE_NAME=_pascal(style.simulate_key),
        STATUS_KEY=style.status_key, STATUS_NAME=_pascal(style.status_key),
        PANELS_INIT=init.replace("COUNT", str(count)), PANELS_PROPERTY=prop)
    if style.defect:
        for before, after in DEFECTS[style.defect]:
            before = before.replace("{{", "{").replace("}}", "}")
            assert before in source, style.defect
            source = source.replace(before, after)
    package = folder / f"skroof{style.name}"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(source, encoding="utf-8")
    (package / "py.typed").write_text("", encoding="utf-8")
    (folder / "pyproject.toml").write_text(textwrap.dedent(f"""
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "skroof{style.name}"
        version = "1.0.0"
        description = "A sunroof driver in the {style.name} style."
        keywords = ["Skylight Test Systems", {", ".join(repr(m) for m in style.models)}]
        """), encoding="utf-8")
    return folder
