"""SCPI parsing for the live simulator: full SCPI 1999 headers onto the instrument model.

A program message (one line) is split into message units at ``;``. Each unit is
resolved against the command tree: keywords in their short or long form, any
case, an optional leading colon, an optional numeric suffix on ``PANel`` (left
out means 1), ``SYSTem:ERRor[:NEXT]?`` with its optional node, and the IEEE
488.2 common commands of the contract. Parsing is separate from execution so
that the server can wait for motion (``*OPC?``) between two units of one
message without blocking other clients.

Decisions where the contract is silent:

- Compound messages follow SCPI 1999's path rule: a unit without a leading
  colon is first looked up below the path of the previous unit (``PAN2:POS
  50;TILT?`` asks ``PAN2:TILT?``); when nothing matches there it is looked up
  from the root, as many instruments do, so ``MOT:SPE 50;PAN1:POS 10`` works.
  Common commands do not change the path.
- Each unit is executed on its own: a failing unit queues its error and the
  following units still run. The replies of one message are joined with ``;``
  into one response line; a message whose queries all fail sends no line.
- The IEEE 488.2 mandatory common commands exist (``*IDN? *RST *CLS *OPC
  *OPC? *WAI *ESR? *ESE *ESE? *SRE *SRE? *STB? *TST? *OPT?``), as on a real
  SCPI instrument; ``*WAI`` holds the following units of its message (and
  the connection's later messages) until all motion has ended. Any other
  common header, a suffix on a keyword that takes none, or a
  query form of a command that has none (``PAN1:STOP?``) is -113. The ``PANel``
  suffix must be 1 to ``PAN:COUN?`` wherever it appears (also on
  ``PAN:COUN?``), else -114.
- Parameters: a setting takes exactly one; none is -109 (Missing parameter),
  more, or any on a query, is -108 (Parameter not allowed). Integers accept any
  SCPI decimal number (``50``, ``+50``, ``5E1``, ``49.6``) rounded to the
  nearest integer, as IEEE 488.2 asks; anything else is -104. Booleans accept
  ``ON``/``OFF`` in any case or a number that rounds to 0 or 1; another number
  is -222. ``MIN``/``MAX``/``DEF`` are not supported (-104).
- Replies: integers plain, current ``0.00`` A, temperature ``0.0`` C, solar
  power ``0.00`` W, errors ``<code>,"<message>"``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from ivi_conform.sim.instrument import ErrorCode, InstrumentError, SunroofInstrument

__all__ = [
    "Call",
    "canonical",
    "Command",
    "Refusal",
    "Unit",
    "execute",
    "format_current",
    "format_error",
    "format_solar_power",
    "format_temperature",
    "parse_program",
]

Handler = Callable[[SunroofInstrument, int, Sequence[str]], str | None]

_NODE = re.compile(r"([A-Za-z]+)(\d*)")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def format_current(amperes: float) -> str:
    """``MOT:CURR?`` reply text; shared with the embedded profile."""
    return f"{amperes:.2f}"


def format_temperature(celsius: float) -> str:
    """``MOT:TEMP?`` reply text; shared with the embedded profile."""
    return f"{celsius:.1f}"


def format_solar_power(watts: float) -> str:
    """``SOL:POW?`` reply text; shared with the embedded profile."""
    return f"{watts:.2f}"


def format_error(code: ErrorCode) -> str:
    """``SYST:ERR?`` reply text."""
    return f'{code.value},"{code.message}"'


@dataclass(frozen=True)
class _Keyword:
    short: str
    long: str
    takes_suffix: bool

    @classmethod
    def parse(cls, mnemonic: str) -> _Keyword:
        """``PANel#`` -> short ``PAN``, long ``PANEL``, takes a suffix."""
        takes_suffix = mnemonic.endswith("#")
        word = mnemonic.rstrip("#")
        short = "".join(c for c in word if c.isupper())
        return cls(short, word.upper(), takes_suffix)

    def matches(self, word: str) -> bool:
        return word.upper() in (self.short, self.long)


@dataclass(frozen=True)
class Command:
    """One entry of the command tree: its header, whether it is a query, its action."""

    keywords: tuple[_Keyword, ...]
    query: bool
    handler: Handler
    takes_value: bool
    waits_for_idle: bool = False


@dataclass(frozen=True)
class Call:
    """A message unit that parsed: the command, its panel suffix and its parameters."""

    command: Command
    suffix: int = 1
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Refusal:
    """A message unit that did not parse: the error it queues when its turn comes."""

    code: ErrorCode


Unit = Call | Refusal


def _integer(text: str) -> int:
    if not _DECIMAL.fullmatch(text):
        raise InstrumentError(ErrorCode.DATA_TYPE_ERROR)
    value = float(text)
    if not math.isfinite(value):
        raise InstrumentError(ErrorCode.DATA_OUT_OF_RANGE)
    return math.floor(value + 0.5)


def _boolean(text: str) -> bool:
    word = text.upper()
    if word in ("ON", "OFF"):
        return word == "ON"
    value = _integer(text)
    if value not in (0, 1):
        raise InstrumentError(ErrorCode.DATA_OUT_OF_RANGE)
    return value == 1


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _set_position(i: SunroofInstrument, n: int, a: Sequence[str]) -> None:
    i.set_position(n, _integer(a[0]))


def _set_tilt(i: SunroofInstrument, n: int, a: Sequence[str]) -> None:
    i.set_tilt(n, _integer(a[0]))


def _set_shade(i: SunroofInstrument, n: int, a: Sequence[str]) -> None:
    i.set_shade(_integer(a[0]))


def _set_speed(i: SunroofInstrument, n: int, a: Sequence[str]) -> None:
    i.set_speed(_integer(a[0]))


def _set_pinch(i: SunroofInstrument, n: int, a: Sequence[str]) -> None:
    i.set_pinch_enabled(_boolean(a[0]))


def _set_threshold(i: SunroofInstrument, n: int, a: Sequence[str]) -> None:
    i.set_pinch_threshold(_integer(a[0]))


def _set_event_status_enable(i: SunroofInstrument, n: int, a: Sequence[str]) -> None:
    i.set_event_status_enable(_integer(a[0]))


def _set_service_request_enable(i: SunroofInstrument, n: int, a: Sequence[str]) -> None:
    i.set_service_request_enable(_integer(a[0]))


def _next_error(i: SunroofInstrument, n: int, a: Sequence[str]) -> str:
    return format_error(i.next_error())


# header -> (handler, takes a value); "#" marks a keyword that takes a suffix.
_TREE: Mapping[str, tuple[Handler, bool]] = {
    "SYSTem:ERRor?": (_next_error, False),
    "SYSTem:ERRor:NEXT?": (_next_error, False),
    "SYSTem:ERRor:COUNt?": (lambda i, n, a: str(i.error_count()), False),
    "PANel#:COUNt?": (lambda i, n, a: str(i.panel_count), False),
    "PANel#:POSition": (_set_position, True),
    "PANel#:POSition?": (lambda i, n, a: str(i.position(n)), False),
    "PANel#:TILT": (_set_tilt, True),
    "PANel#:TILT?": (lambda i, n, a: str(i.tilt(n)), False),
    "PANel#:STATe?": (lambda i, n, a: i.state(n).value, False),
    "PANel#:STOP": (lambda i, n, a: i.stop(n), False),
    "SHADe:POSition": (_set_shade, True),
    "SHADe:POSition?": (lambda i, n, a: str(i.shade()), False),
    "MOTor:SPEed": (_set_speed, True),
    "MOTor:SPEed?": (lambda i, n, a: str(i.speed()), False),
    "MOTor:CURRent?": (lambda i, n, a: format_current(i.motor_current()), False),
    "MOTor:TEMPerature?": (lambda i, n, a: format_temperature(i.motor_temperature()), False),
    "PINCh:STATe": (_set_pinch, True),
    "PINCh:STATe?": (lambda i, n, a: _flag(i.pinch_enabled()), False),
    "PINCh:THReshold": (_set_threshold, True),
    "PINCh:THReshold?": (lambda i, n, a: str(i.pinch_threshold()), False),
    "PINCh:EVENt?": (lambda i, n, a: _flag(i.pinch_event()), False),
    "SOLar:POWer?": (lambda i, n, a: format_solar_power(i.solar_power()), False),
}

_COMMANDS: tuple[Command, ...] = tuple(
    Command(
        keywords=tuple(_Keyword.parse(m) for m in header.rstrip("?").split(":")),
        query=header.endswith("?"),
        handler=handler,
        takes_value=takes_value,
    )
    for header, (handler, takes_value) in _TREE.items()
)

_COMMON: Mapping[str, Command] = MappingProxyType(
    {
        header: Command((), header.endswith("?"), handler, False, waits_for_idle=wait)
        for header, handler, wait in (
            ("*IDN?", lambda i, n, a: i.identity, False),
            ("*RST", lambda i, n, a: i.reset(), False),
            ("*CLS", lambda i, n, a: i.clear_status(), False),
            ("*OPC?", lambda i, n, a: "1", True),
            ("*OPC", lambda i, n, a: i.operation_complete(), False),
            ("*WAI", lambda i, n, a: None, True),
            ("*ESR?", lambda i, n, a: str(i.read_event_status()), False),
            ("*ESE?", lambda i, n, a: str(i.event_status_enable), False),
            ("*SRE?", lambda i, n, a: str(i.service_request_enable), False),
            ("*STB?", lambda i, n, a: str(i.status_byte()), False),
            ("*TST?", lambda i, n, a: str(i.self_test()), False),
            ("*OPT?", lambda i, n, a: i.options(), False),
        )
    }
    | {
        header: Command((), False, handler, True)
        for header, handler in (
            ("*ESE", _set_event_status_enable),
            ("*SRE", _set_service_request_enable),
        )
    }
)

_Node = tuple[str, str]  # keyword, suffix digits ("" when left out)


def _lookup(nodes: Sequence[_Node], query: bool, panels: int) -> Unit | None:
    """The command these nodes name, a -113/-114 unit, or None if no keyword path matches."""
    for command in _COMMANDS:
        if command.query != query or len(command.keywords) != len(nodes):
            continue
        if not all(k.matches(word) for k, (word, _) in zip(command.keywords, nodes, strict=True)):
            continue
        suffix = 1
        for keyword, (_, digits) in zip(command.keywords, nodes, strict=True):
            if digits and not keyword.takes_suffix:
                return Refusal(ErrorCode.UNDEFINED_HEADER)
            if digits:
                try:
                    suffix = int(digits)
                except ValueError:  # over Python's 4300-digit limit: out of range all the same
                    return Refusal(ErrorCode.HEADER_SUFFIX_OUT_OF_RANGE)
                if not 1 <= suffix <= panels:
                    return Refusal(ErrorCode.HEADER_SUFFIX_OUT_OF_RANGE)
        return Call(command, suffix)
    return None


def _split_header(text: str) -> tuple[str, tuple[str, ...]]:
    header, _, rest = text.partition(" ")
    rest = rest.strip()
    args = tuple(arg.strip() for arg in rest.split(",")) if rest else ()
    return header, args


def _with_args(unit: Unit, args: tuple[str, ...]) -> Unit:
    if isinstance(unit, Refusal):
        return unit
    wanted = 1 if unit.command.takes_value else 0
    if len(args) > wanted:
        return Refusal(ErrorCode.PARAMETER_NOT_ALLOWED)
    if len(args) < wanted:
        return Refusal(ErrorCode.MISSING_PARAMETER)
    return Call(unit.command, unit.suffix, args)


def parse_program(message: str, panels: int) -> list[Unit]:
    """Split one program message into units, resolving each header.

    ``panels`` is the model's panel count, because a ``PANel`` suffix beyond it
    is a header error (-114), found while parsing, before any parameter.
    """
    units: list[Unit] = []
    path: tuple[_Node, ...] = ()
    for text in message.split(";"):
        text = text.strip().replace("\t", " ")
        if not text:
            continue
        header, args = _split_header(text)
        if header.startswith("*"):
            common = _COMMON.get(header.upper())
            units.append(
                _with_args(Call(common), args) if common else Refusal(ErrorCode.UNDEFINED_HEADER)
            )
            continue
        absolute = header.startswith(":")
        query = header.endswith("?")
        words = header[1 if absolute else 0 : len(header) - (1 if query else 0)].split(":")
        matched = [_NODE.fullmatch(word) for word in words]
        if not all(matched):
            units.append(Refusal(ErrorCode.UNDEFINED_HEADER))
            path = ()
            continue
        nodes = tuple((m.group(1), m.group(2)) for m in matched if m)
        unit = None
        if not absolute and path:
            unit = _lookup(path + nodes, query, panels)
            if unit is not None:
                nodes = path + nodes
        if unit is None:
            unit = _lookup(nodes, query, panels)
        if unit is None:
            units.append(Refusal(ErrorCode.UNDEFINED_HEADER))
            path = ()
            continue
        units.append(_with_args(unit, args))
        path = nodes[:-1]
    return units


def execute(instrument: SunroofInstrument, unit: Unit) -> str | None:
    """Run one unit; a refused one queues exactly one error and replies nothing."""
    if isinstance(unit, Refusal):
        instrument.push_error(unit.code)
        return None
    try:
        return unit.command.handler(instrument, unit.suffix, unit.args)
    except InstrumentError as refused:
        instrument.push_error(refused.code)
        return None


def canonical(message: str, panels: int) -> list[str]:
    """The canonical short form of each unit of a program message (``PAN2:POS?``, ``*RST``).

    An audit uses it to learn which command a driver's call sends, whatever
    spelling the driver uses; a unit that does not parse is left out.
    """
    names: list[str] = []
    for unit in parse_program(message, panels):
        if isinstance(unit, Refusal):
            continue
        command = unit.command
        if not command.keywords:
            header = next(name for name, known in _COMMON.items() if known is command)
        else:
            header = ":".join(
                keyword.short + (str(unit.suffix) if keyword.takes_suffix and keyword.short
                                 == "PAN" and len(command.keywords) > 1 and
                                 command.keywords[1].short != "COUN" else "")
                for keyword in command.keywords) + ("?" if command.query else "")
        names.append(header)
    return names
