"""The sunroof actuator itself: state, models, error queue, motion, interlocks, faults.

This module is the one place where the reference instrument's behaviour lives,
so that the live SCPI server, the embedded pyvisa-sim profile and the tests all
agree on it. It does no I/O: time comes from a clock passed in (``time.monotonic``
by default), which lets a test drive motion deterministically with a fake clock
and lets the live server run time faster than the wall clock.

Motion is computed lazily: every public method first advances the model to the
clock's "now", handling the events (arrival, obstruction) that happened in
between in time order. All public methods are thread-safe (one re-entrant lock),
because the live server and a test's control code touch the same instrument.

Decisions where the contract (``sunroof-actuator-scpi.md``) is silent:

- Motion: slide, tilt and shade all travel at ``MOT:SPE`` percent per second;
  both panels of SR-PN200 and the shade can move at the same time. A new target
  for an axis that is already moving retargets it from where it is.
- While an axis moves, its reading is the last whole percent it has passed
  (rounded towards where it started), so reading the target value means it has
  arrived. ``PANn:STOP`` leaves the panel at that reading, state ``STOPPED``;
  ``STOP`` on a panel at rest changes nothing.
- A command whose value equals the position of an axis at rest is accepted and
  does nothing: it is not motion, so neither an interlock (-221) nor the
  overtemperature (202) refuses it. Interlocks count an axis as open while it
  is above 0 or moving towards a target above 0.
- Order of checks for a setting: panel suffix (-114), feature present on the
  model (-241), value range (-222), motor overtemperature (202), interlock
  (-221). Querying the shade or the solar power of a model without them is
  refused with -241 as well (the missing slide or tilt reads 0: see below).
- ``BLOCKED`` and ``STOPPED`` last until the next accepted motion command for
  that panel (or ``*RST``); ``*CLS`` clears the pinch event, not the state.
- ``*RST`` is the power-on state: every axis stops and is closed at once (a
  bench simulator does not drive the roof home). It keeps the error queue, the
  event status register, the pinch event, the motor temperature and the
  injected faults.
- The event status register sets bit 5 (32) for command errors (-1xx), bit 4
  (16) for execution errors (-2xx), bit 3 (8) for device errors (-3xx and the
  positive 201/202) and would set bit 2 (4) for query errors (-4xx), which no
  command of this instrument produces. Bit 0 (1) is operation complete, set by
  ``*OPC`` once all motion has ended. There is no power-on bit, so a fresh
  instrument reads 0, as the embedded profile does. ``*ESR?`` clears it.
- IEEE 488.2 status reporting: ``*STB?`` is the status byte, bit 2 (4) when
  the error queue is not empty, bit 5 (32) the event summary (``*ESR`` AND
  ``*ESE`` not 0), bit 6 (64) the master summary (the other bits AND ``*SRE``
  not 0); reading it clears nothing. ``*ESE`` and ``*SRE`` hold masks 0 to 255
  (another value is -222); ``*RST`` and ``*CLS`` keep them, as IEEE 488.2
  asks. ``*OPT?`` reads 0 (no options installed).
- A quantity a model has no motion for still reads: ``PANn:POS?`` on the
  SR-TM500 and ``PANn:TILT?`` on the SR-FD600 answer 0; only setting it is
  refused with -241. The shade and the solar power of a model without them
  are refused with -241 when queried too (they are hardware, not a motion).
- Queue overflow: the queue holds 10 errors; when an eleventh arrives, the
  newest entry is replaced by -350 and further errors are lost (their event
  status bits are still set) until the queue is read.
- Obstruction (a test fault): a rigid object at a given position of one panel's
  slide (or tilt, on SR-TM500 which has no slide). Any travel that reaches it,
  in either direction, meets it. With anti-pinch on, the panel reverses 10
  percentage points (within 0 to 100), stops and reads ``BLOCKED``; error 201
  is queued and ``PINC:EVEN?`` reads 1 until ``*CLS``. With anti-pinch off,
  the motor stalls: the panel stops at the obstruction, state ``STOPPED``, no
  error. The object stays until the fault is removed. The simulated object is
  rigid, so the trip does not depend on ``PINC:THR``.
- Motor current: 0.05 A at rest, plus ``0.8 + 0.06 * speed`` A for each moving
  axis. Temperature: first-order thermal model from 25.0 degrees C ambient,
  time constant 60 s; even every axis travelling non-stop at full speed settles
  near 64 degrees C, so only the fault below reaches the 85 degrees C limit.
- Overtemperature (a test fault): the temperature reads at least 92.0 degrees C;
  motion in progress is cut off at once (panels ``STOPPED``, one 202 queued)
  and motion commands are refused with 202. Switching the fault off means the
  motor has cooled to 80.0 degrees C, from where it keeps cooling.
- Solar power (SR-SO300): the bench illuminates the roof at a constant
  reference irradiance, so ``SOL:POW?`` reads a steady 120.00 W.
"""

from __future__ import annotations

import enum
import math
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "DEFAULT_FIRMWARE",
    "DEFAULT_MANUFACTURER",
    "DEFAULT_SERIAL",
    "MODELS",
    "Axis",
    "ErrorCode",
    "InstrumentError",
    "ModelSpec",
    "PanelState",
    "SunroofInstrument",
]

DEFAULT_MANUFACTURER = "Skylight Test Systems"
DEFAULT_SERIAL = "SN100042"
DEFAULT_FIRMWARE = "2.1.0"

QUEUE_CAPACITY = 10
RESET_SPEED = 20
SPEED_RANGE = (1, 50)
RESET_THRESHOLD = 80
THRESHOLD_RANGE = (20, 100)
OPENING_RANGE = (0, 100)
REVERSAL = 10
AMBIENT_TEMPERATURE = 25.0
FAULT_TEMPERATURE = 92.0
COOLED_TEMPERATURE = 80.0
THERMAL_TIME_CONSTANT = 60.0
THERMAL_GAIN = 0.3
IDLE_CURRENT = 0.05
SOLAR_POWER = 120.0

_SERIAL_FORMAT = re.compile(r"SN\d{6}")
_SEMVER_FORMAT = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:[-+][0-9A-Za-z.+-]+)?")


@dataclass(frozen=True)
class ModelSpec:
    """One model of the product line: which hardware it has.

    Drivers and audits branch on these flags instead of on model names, so that
    a model added to the table is exercised without touching their code.
    """

    name: str
    segment: str
    panels: int
    slide: bool
    tilt: bool
    shade: bool
    solar: bool


MODELS: Mapping[str, ModelSpec] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            ModelSpec("SR-IB100", "glass, inbuilt", 1, True, True, True, False),
            ModelSpec("SR-PN200", "glass, panoramic (dual panel)", 2, True, True, True, False),
            ModelSpec("SR-SO300", "glass, solar", 1, True, True, False, True),
            ModelSpec("SR-TS400", "glass, spoiler & tilt & slide", 1, True, True, True, False),
            ModelSpec("SR-TM500", "glass, top-mount", 1, False, True, False, False),
            ModelSpec("SR-FD600", "fabric, foldable", 1, True, False, False, False),
        )
    }
)


class ErrorCode(enum.IntEnum):
    """The instrument's error codes, with the message ``SYST:ERR?`` gives.

    -108 and -109 are not in the contract's table; they are the standard SCPI
    codes for a parameter too many or too few, which a real instrument reports.
    """

    NO_ERROR = 0
    DATA_TYPE_ERROR = -104
    PARAMETER_NOT_ALLOWED = -108
    MISSING_PARAMETER = -109
    UNDEFINED_HEADER = -113
    HEADER_SUFFIX_OUT_OF_RANGE = -114
    SETTINGS_CONFLICT = -221
    DATA_OUT_OF_RANGE = -222
    HARDWARE_MISSING = -241
    QUEUE_OVERFLOW = -350
    OBSTRUCTION_DETECTED = 201
    MOTOR_OVERTEMPERATURE = 202

    @property
    def message(self) -> str:
        """The text of this error as the instrument reports it."""
        return _MESSAGES[self]

    @property
    def esr_bit(self) -> int:
        """The standard event status register bit this error sets (0 for none)."""
        if self.value >= 0:
            return 8 if self.value > 0 else 0
        return {1: 32, 2: 16, 3: 8, 4: 4}[-self.value // 100]


_MESSAGES: Mapping[ErrorCode, str] = MappingProxyType(
    {
        ErrorCode.NO_ERROR: "No error",
        ErrorCode.DATA_TYPE_ERROR: "Data type error",
        ErrorCode.PARAMETER_NOT_ALLOWED: "Parameter not allowed",
        ErrorCode.MISSING_PARAMETER: "Missing parameter",
        ErrorCode.UNDEFINED_HEADER: "Undefined header",
        ErrorCode.HEADER_SUFFIX_OUT_OF_RANGE: "Header suffix out of range",
        ErrorCode.SETTINGS_CONFLICT: "Settings conflict",
        ErrorCode.DATA_OUT_OF_RANGE: "Data out of range",
        ErrorCode.HARDWARE_MISSING: "Hardware missing",
        ErrorCode.QUEUE_OVERFLOW: "Queue overflow",
        ErrorCode.OBSTRUCTION_DETECTED: "Obstruction detected",
        ErrorCode.MOTOR_OVERTEMPERATURE: "Motor overtemperature",
    }
)


class InstrumentError(Exception):
    """A refused command or query: the caller queues ``code`` and sends nothing.

    The model raises instead of queueing so that the SCPI layer decides, in one
    place, that every refused message queues exactly one error.
    """

    def __init__(self, code: ErrorCode) -> None:
        super().__init__(f"{code.value},{code.message}")
        self.code = code


class PanelState(enum.StrEnum):
    """What ``PANn:STAT?`` answers."""

    CLOSED = "CLOSED"
    VENTED = "VENTED"
    OPEN = "OPEN"
    MOVING = "MOVING"
    STOPPED = "STOPPED"
    BLOCKED = "BLOCKED"


class Axis(enum.StrEnum):
    """A panel's two ways of opening, for placing an obstruction."""

    SLIDE = "slide"
    TILT = "tilt"


class _Travel:
    """One motorised opening (a panel's slide or tilt, or the shade), in percent."""

    __slots__ = ("position", "target")

    def __init__(self) -> None:
        self.position = 0.0
        self.target = 0.0

    @property
    def moving(self) -> bool:
        return self.position != self.target

    @property
    def direction(self) -> int:
        return (self.target > self.position) - (self.target < self.position)

    def reading(self) -> int:
        """The last whole percent passed, so the target reads only on arrival."""
        if self.direction > 0:
            return math.floor(self.position)
        if self.direction < 0:
            return math.ceil(self.position)
        return round(self.position)

    def halt(self) -> None:
        self.position = float(self.reading())
        self.target = self.position

    def open_or_opening(self) -> bool:
        return self.position > 0 or self.target > 0


class _Panel:
    __slots__ = ("slide", "tilt", "halted")

    def __init__(self) -> None:
        self.slide = _Travel()
        self.tilt = _Travel()
        self.halted: PanelState | None = None

    def travel(self, axis: Axis) -> _Travel:
        return self.slide if axis is Axis.SLIDE else self.tilt


@dataclass(frozen=True)
class _Obstruction:
    axis: Axis
    position: int


class SunroofInstrument:
    """The reference sunroof actuator of one model, driven by method calls.

    Both simulations present this one model: the live server maps SCPI onto
    these methods, and tests read the state directly to check what a driver
    did. Methods raise :class:`InstrumentError` for a refused command; device
    errors that happen on their own (an obstruction, an overtemperature cut-out)
    go straight into the error queue. ``identity`` is a plain attribute: a test
    may set it to make ``*IDN?`` name another instrument.
    """

    def __init__(
        self,
        model: str = "SR-PN200",
        *,
        manufacturer: str = DEFAULT_MANUFACTURER,
        serial: str = DEFAULT_SERIAL,
        firmware: str = DEFAULT_FIRMWARE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if model not in MODELS:
            raise ValueError(f"unknown model {model!r}; models: {', '.join(MODELS)}")
        if not manufacturer or any(c in manufacturer for c in ",;\r\n"):
            raise ValueError("the manufacturer must be non-empty, without , ; or line breaks")
        if not _SERIAL_FORMAT.fullmatch(serial):
            raise ValueError(f"serial {serial!r} is not 'SN' and six digits")
        if not _SEMVER_FORMAT.fullmatch(firmware):
            raise ValueError(f"firmware {firmware!r} is not a semantic version")
        self.spec = MODELS[model]
        self.identity = f"{manufacturer},{model},{serial},{firmware}"
        self._clock = clock
        self._lock = threading.RLock()
        self._time = clock()
        self._errors: list[ErrorCode] = []
        self._esr = 0
        self._pinch_event = False
        self._overheated = False
        self._temperature = AMBIENT_TEMPERATURE
        self._obstructions: dict[int, _Obstruction] = {}
        self._panels = [_Panel() for _ in range(self.spec.panels)]
        self._shade = _Travel()
        self._speed = RESET_SPEED
        self._pinch_enabled = True
        self._pinch_threshold = RESET_THRESHOLD
        self._ese = 0
        self._sre = 0
        self._opc_pending = False

    # --- IEEE 488.2 common commands

    def reset(self) -> None:
        """``*RST``: every axis closed and at rest, settings at their defaults."""
        with self._lock:
            self._advance()
            self._panels = [_Panel() for _ in range(self.spec.panels)]
            self._shade = _Travel()
            self._speed = RESET_SPEED
            self._pinch_enabled = True
            self._pinch_threshold = RESET_THRESHOLD

    def clear_status(self) -> None:
        """``*CLS``: empty the error queue, the event status register and the pinch event."""
        with self._lock:
            self._advance()
            self._errors.clear()
            self._esr = 0
            self._opc_pending = False
            self._pinch_event = False

    def read_event_status(self) -> int:
        """``*ESR?``: the standard event status register, cleared by reading it."""
        with self._lock:
            self._advance()
            value, self._esr = self._esr, 0
            return value

    def operation_complete(self) -> None:
        """``*OPC``: set bit 0 of the event status register once all motion has ended."""
        with self._lock:
            self._opc_pending = True
            self._advance()

    def status_byte(self) -> int:
        """``*STB?``: error queue (4), event summary (32), master summary (64)."""
        with self._lock:
            self._advance()
            value = (4 if self._errors else 0) | (32 if self._esr & self._ese else 0)
            return value | (64 if value & self._sre else 0)

    @property
    def event_status_enable(self) -> int:
        """``*ESE?``."""
        return self._ese

    def set_event_status_enable(self, mask: int) -> None:
        """``*ESE``: the event status enable mask, 0 to 255."""
        _check_range(mask, (0, 255))
        self._ese = mask

    @property
    def service_request_enable(self) -> int:
        """``*SRE?``."""
        return self._sre

    def set_service_request_enable(self, mask: int) -> None:
        """``*SRE``: the service request enable mask, 0 to 255."""
        _check_range(mask, (0, 255))
        self._sre = mask

    def options(self) -> str:
        """``*OPT?``: the installed options, none."""
        return "0"

    def self_test(self) -> int:
        """``*TST?``: 0, the self test passes."""
        return 0

    def is_idle(self) -> bool:
        """True when nothing moves: what ``*OPC?`` waits for."""
        return self.seconds_until_idle() == 0.0

    def seconds_until_idle(self) -> float:
        """Clock seconds until the current motion ends, if nothing interrupts it.

        An obstruction met on the way can make it shorter or (by reversing)
        longer, so a waiter asks again rather than sleeping the whole span.
        """
        with self._lock:
            self._advance()
            return max(
                (abs(t.target - t.position) / self._speed for _, t in self._moving()),
                default=0.0,
            )

    # --- error queue

    def push_error(self, code: ErrorCode) -> None:
        """Queue one error, applying the overflow rule and setting its status bit."""
        with self._lock:
            self._esr |= code.esr_bit
            if len(self._errors) < QUEUE_CAPACITY:
                self._errors.append(code)
            elif self._errors[-1] is not ErrorCode.QUEUE_OVERFLOW:
                self._errors[-1] = ErrorCode.QUEUE_OVERFLOW
                self._esr |= ErrorCode.QUEUE_OVERFLOW.esr_bit

    def next_error(self) -> ErrorCode:
        """``SYST:ERR?``: the oldest error, removed; ``NO_ERROR`` when empty."""
        with self._lock:
            self._advance()
            return self._errors.pop(0) if self._errors else ErrorCode.NO_ERROR

    def error_count(self) -> int:
        """``SYST:ERR:COUN?``: how many errors are queued."""
        with self._lock:
            self._advance()
            return len(self._errors)

    @property
    def errors(self) -> tuple[ErrorCode, ...]:
        """The queue, oldest first, without removing anything (for tests)."""
        with self._lock:
            self._advance()
            return tuple(self._errors)

    # --- panels

    @property
    def panel_count(self) -> int:
        """``PAN:COUN?``."""
        return self.spec.panels

    def position(self, panel: int) -> int:
        """``PANn:POS?``: slide opening in percent (0 on a model without slide)."""
        with self._lock:
            self._advance()
            p = self._panel(panel)
            return p.slide.reading()

    def set_position(self, panel: int, value: int) -> None:
        """``PANn:POS``: slide the panel to ``value`` percent."""
        with self._lock:
            self._advance()
            p = self._panel(panel)
            self._require(self.spec.slide)
            self._command_motion(p.slide, value, interlocked_with=p.tilt)
            p.halted = None if p.slide.moving else p.halted

    def tilt(self, panel: int) -> int:
        """``PANn:TILT?``: tilt opening in percent (0 on a model without tilt)."""
        with self._lock:
            self._advance()
            p = self._panel(panel)
            return p.tilt.reading()

    def set_tilt(self, panel: int, value: int) -> None:
        """``PANn:TILT``: tilt the panel to ``value`` percent."""
        with self._lock:
            self._advance()
            p = self._panel(panel)
            self._require(self.spec.tilt)
            self._command_motion(p.tilt, value, interlocked_with=p.slide)
            p.halted = None if p.tilt.moving else p.halted

    def state(self, panel: int) -> PanelState:
        """``PANn:STAT?``."""
        with self._lock:
            self._advance()
            p = self._panel(panel)
            if p.slide.moving or p.tilt.moving:
                return PanelState.MOVING
            if p.halted is not None:
                return p.halted
            if p.slide.position > 0:
                return PanelState.OPEN
            if p.tilt.position > 0:
                return PanelState.VENTED
            return PanelState.CLOSED

    def stop(self, panel: int) -> None:
        """``PANn:STOP``: halt the panel where it is."""
        with self._lock:
            self._advance()
            self._halt_panel(self._panel(panel))

    # --- shade, motor, anti-pinch, solar

    def shade(self) -> int:
        """``SHAD:POS?``: sun-shade opening in percent."""
        with self._lock:
            self._advance()
            self._require(self.spec.shade)
            return self._shade.reading()

    def set_shade(self, value: int) -> None:
        """``SHAD:POS``: move the sun shade to ``value`` percent."""
        with self._lock:
            self._advance()
            self._require(self.spec.shade)
            self._command_motion(self._shade, value, interlocked_with=None)

    def speed(self) -> int:
        """``MOT:SPE?``: travel speed in percent per second."""
        with self._lock:
            return self._speed

    def set_speed(self, value: int) -> None:
        """``MOT:SPE``: change the travel speed; motion under way continues at it."""
        with self._lock:
            self._advance()
            _check_range(value, SPEED_RANGE)
            self._speed = value

    def motor_current(self) -> float:
        """``MOT:CURR?``: amperes; higher while something moves."""
        with self._lock:
            self._advance()
            return self._current()

    def motor_temperature(self) -> float:
        """``MOT:TEMP?``: degrees Celsius."""
        with self._lock:
            self._advance()
            if self._overheated:
                return max(self._temperature, FAULT_TEMPERATURE)
            return self._temperature

    def pinch_enabled(self) -> bool:
        """``PINC:STAT?``."""
        with self._lock:
            return self._pinch_enabled

    def set_pinch_enabled(self, enabled: bool) -> None:
        """``PINC:STAT``: switch the anti-pinch protection on or off."""
        with self._lock:
            self._advance()
            self._pinch_enabled = enabled

    def pinch_threshold(self) -> int:
        """``PINC:THR?``: newtons."""
        with self._lock:
            return self._pinch_threshold

    def set_pinch_threshold(self, newtons: int) -> None:
        """``PINC:THR``: 20 to 100 N; above 100 N would break FMVSS 118 / UN R21."""
        with self._lock:
            self._advance()
            _check_range(newtons, THRESHOLD_RANGE)
            self._pinch_threshold = newtons

    def pinch_event(self) -> bool:
        """``PINC:EVEN?``: whether the anti-pinch tripped since the last ``*CLS``."""
        with self._lock:
            self._advance()
            return self._pinch_event

    def solar_power(self) -> float:
        """``SOL:POW?``: watts from the solar cells (SR-SO300 only)."""
        with self._lock:
            self._advance()
            self._require(self.spec.solar)
            return SOLAR_POWER

    # --- faults (the simulator's control interface, never reachable through SCPI)

    def set_obstruction(self, panel: int, position: int | None, axis: Axis | None = None) -> None:
        """Put a rigid object at ``position`` of a panel's travel, or remove it (None).

        ``axis`` defaults to the slide, or to the tilt on a model without slide.
        """
        with self._lock:
            self._advance()
            if not 1 <= panel <= self.spec.panels:
                raise ValueError(f"panel {panel} not in 1..{self.spec.panels}")
            if position is None:
                self._obstructions.pop(panel, None)
                return
            if axis is None:
                axis = Axis.SLIDE if self.spec.slide else Axis.TILT
            if not (self.spec.slide if axis is Axis.SLIDE else self.spec.tilt):
                raise ValueError(f"{self.spec.name} has no {axis.value}")
            if not OPENING_RANGE[0] <= position <= OPENING_RANGE[1]:
                raise ValueError(f"obstruction position {position} not in 0..100")
            self._obstructions[panel] = _Obstruction(axis, position)

    def clear_obstructions(self) -> None:
        """Remove every obstruction."""
        with self._lock:
            self._advance()
            self._obstructions.clear()

    def set_overtemperature(self, on: bool) -> None:
        """Overheat the motor (cutting off motion under way) or let it cool."""
        with self._lock:
            self._advance()
            if on and not self._overheated:
                moving = False
                for p in self._panels:
                    moving |= self._halt_panel(p)
                if self._shade.moving:
                    self._shade.halt()
                    moving = True
                if moving:
                    self.push_error(ErrorCode.MOTOR_OVERTEMPERATURE)
            elif not on and self._overheated:
                self._temperature = max(self._temperature, COOLED_TEMPERATURE)
            self._overheated = on

    def queue_errors(self, count: int, code: ErrorCode = ErrorCode.DATA_OUT_OF_RANGE) -> None:
        """Queue ``count`` errors at once, as a burst of refused commands would."""
        with self._lock:
            self._advance()
            for _ in range(count):
                self.push_error(code)

    # --- internals

    def _panel(self, panel: int) -> _Panel:
        if not 1 <= panel <= len(self._panels):
            raise InstrumentError(ErrorCode.HEADER_SUFFIX_OUT_OF_RANGE)
        return self._panels[panel - 1]

    @staticmethod
    def _require(present: bool) -> None:
        if not present:
            raise InstrumentError(ErrorCode.HARDWARE_MISSING)

    def _command_motion(
        self, travel: _Travel, value: int, interlocked_with: _Travel | None
    ) -> None:
        _check_range(value, OPENING_RANGE)
        if not travel.moving and travel.position == value:
            return
        if self._overheated:
            raise InstrumentError(ErrorCode.MOTOR_OVERTEMPERATURE)
        if interlocked_with is not None and interlocked_with.open_or_opening():
            raise InstrumentError(ErrorCode.SETTINGS_CONFLICT)
        travel.target = float(value)

    def _halt_panel(self, p: _Panel) -> bool:
        """Stop both axes of a panel; True if it was moving."""
        if not (p.slide.moving or p.tilt.moving):
            return False
        p.slide.halt()
        p.tilt.halt()
        if p.halted is None:
            p.halted = PanelState.STOPPED
        return True

    def _moving(self) -> Iterator[tuple[int, _Travel]]:
        """Every moving travel with its panel number (0 for the shade)."""
        for number, p in enumerate(self._panels, start=1):
            for travel in (p.slide, p.tilt):
                if travel.moving:
                    yield number, travel
        if self._shade.moving:
            yield 0, self._shade

    def _current(self) -> float:
        per_axis = 0.8 + 0.06 * self._speed
        return IDLE_CURRENT + per_axis * sum(1 for _ in self._moving())

    def _obstacle_ahead(self, panel: int, travel: _Travel) -> int | None:
        """The obstruction this travel will reach before (or at) its target."""
        found = self._obstructions.get(panel)
        if panel == 0 or found is None:
            return None
        if travel is not self._panels[panel - 1].travel(found.axis):
            return None
        p = found.position
        if travel.position < p <= travel.target or travel.target <= p < travel.position:
            return p
        return None

    def _advance(self) -> None:
        """Bring motion and temperature up to the clock, event by event."""
        self._advance_motion()
        if self._opc_pending and not any(True for _ in self._moving()):
            self._opc_pending = False
            self._esr |= 1

    def _advance_motion(self) -> None:
        now = self._clock()
        while now > self._time:
            span = now - self._time
            events: list[tuple[float, int, _Travel, int | None, int]] = []
            for panel, travel in self._moving():
                obstacle = self._obstacle_ahead(panel, travel)
                halt_at = travel.target if obstacle is None else obstacle
                seconds = abs(halt_at - travel.position) / self._speed
                events.append((seconds, panel, travel, obstacle, travel.direction))
            step = min([span, *(event[0] for event in events)])
            self._run_for(step)
            self._time = now if step == span else self._time + step
            for seconds, panel, travel, obstacle, direction in events:
                if seconds > step:
                    continue
                if obstacle is None:
                    travel.position = travel.target
                else:
                    self._meet_obstacle(self._panels[panel - 1], travel, obstacle, direction)

    def _run_for(self, seconds: float) -> None:
        current = self._current()
        distance = self._speed * seconds
        for _, travel in self._moving():
            if travel.direction > 0:
                travel.position = min(travel.position + distance, travel.target)
            else:
                travel.position = max(travel.position - distance, travel.target)
        settled = AMBIENT_TEMPERATURE + THERMAL_GAIN * current**2
        decay = math.exp(-seconds / THERMAL_TIME_CONSTANT)
        self._temperature = settled + (self._temperature - settled) * decay

    def _meet_obstacle(self, p: _Panel, travel: _Travel, obstacle: int, direction: int) -> None:
        travel.position = float(obstacle)
        if self._pinch_enabled:
            reversed_to = min(max(obstacle - direction * REVERSAL, 0), 100)
            travel.target = float(reversed_to)
            p.halted = PanelState.BLOCKED
            self._pinch_event = True
            self.push_error(ErrorCode.OBSTRUCTION_DETECTED)
        else:
            travel.target = travel.position
            p.halted = PanelState.STOPPED


def _check_range(value: int, bounds: tuple[int, int]) -> None:
    if not bounds[0] <= value <= bounds[1]:
        raise InstrumentError(ErrorCode.DATA_OUT_OF_RANGE)
