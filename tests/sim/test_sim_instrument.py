"""The instrument model on its own, driven by a fake clock: exact, instant, no I/O."""

from __future__ import annotations

import pytest

from ivi_conform.sim import MODELS, Axis, ErrorCode, PanelState, SunroofInstrument
from ivi_conform.sim.instrument import InstrumentError


@pytest.fixture
def roof(clock):
    return SunroofInstrument("SR-PN200", clock=clock)


def refused(code, action, *args):
    with pytest.raises(InstrumentError) as caught:
        action(*args)
    assert caught.value.code is code


def test_models_table_is_the_contract():
    assert {name: (m.panels, m.slide, m.tilt, m.shade, m.solar) for name, m in MODELS.items()} == {
        "SR-IB100": (1, True, True, True, False),
        "SR-PN200": (2, True, True, True, False),
        "SR-SO300": (1, True, True, False, True),
        "SR-TS400": (1, True, True, True, False),
        "SR-TM500": (1, False, True, False, False),
        "SR-FD600": (1, True, False, False, False),
    }
    assert MODELS["SR-FD600"].segment == "fabric, foldable"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"model": "SR-XX999"},
        {"serial": "SN12345"},
        {"serial": "XX123456"},
        {"firmware": "2.1"},
        {"firmware": "v2.1.0"},
        {"manufacturer": ""},
        {"manufacturer": "Acme, Inc."},
    ],
)
def test_identity_is_validated(kwargs):
    with pytest.raises(ValueError):
        SunroofInstrument(**kwargs)


def test_identity_can_name_another_manufacturer():
    roof = SunroofInstrument(
        "SR-SO300", manufacturer="Acme Roofs", serial="SN000001", firmware="3.0.1-beta"
    )
    assert roof.identity == "Acme Roofs,SR-SO300,SN000001,3.0.1-beta"


def test_motion_follows_the_clock(roof, clock):
    roof.set_speed(10)
    roof.set_position(1, 50)
    assert roof.state(1) is PanelState.MOVING
    assert roof.seconds_until_idle() == pytest.approx(5.0)
    clock.advance(2.55)
    assert roof.position(1) == 25
    assert not roof.is_idle()
    clock.advance(2.45)
    assert roof.position(1) == 50
    assert roof.state(1) is PanelState.OPEN
    assert roof.is_idle()


def test_reading_never_shows_the_target_before_arrival(roof, clock):
    roof.set_speed(50)
    roof.set_position(1, 50)
    clock.advance(0.9999)
    assert roof.position(1) == 49
    roof.set_position(1, 0)
    clock.advance(0.0002)
    assert roof.position(1) == 50
    assert roof.state(1) is PanelState.MOVING


def test_stop_halts_at_the_reading(roof, clock):
    roof.set_speed(20)
    roof.set_tilt(2, 100)
    clock.advance(1.23)
    roof.stop(2)
    assert (roof.tilt(2), roof.state(2)) == (24, PanelState.STOPPED)
    clock.advance(10)
    assert roof.tilt(2) == 24
    roof.stop(2)  # at rest: nothing changes
    assert roof.state(2) is PanelState.STOPPED
    roof.set_tilt(2, 0)
    clock.advance(2)
    assert roof.state(2) is PanelState.CLOSED


def test_speed_change_mid_travel(roof, clock):
    roof.set_speed(10)
    roof.set_position(1, 100)
    clock.advance(2)  # 20 %
    roof.set_speed(40)
    clock.advance(1)  # +40 %
    assert roof.position(1) == 60
    assert roof.seconds_until_idle() == pytest.approx(1.0)


def test_interlocks(roof, clock):
    roof.set_speed(50)
    roof.set_tilt(1, 10)
    refused(ErrorCode.SETTINGS_CONFLICT, roof.set_position, 1, 10)  # tilting, still at 0
    clock.advance(1)
    refused(ErrorCode.SETTINGS_CONFLICT, roof.set_position, 1, 10)
    roof.set_position(1, 0)  # not motion: accepted
    roof.set_position(2, 10)
    refused(ErrorCode.SETTINGS_CONFLICT, roof.set_tilt, 2, 10)
    assert roof.errors == ()  # raising queues nothing: the SCPI layer does


@pytest.mark.parametrize(
    ("model", "method", "args", "code"),
    [
        ("SR-FD600", "set_tilt", (1, 10), ErrorCode.HARDWARE_MISSING),
        ("SR-TM500", "set_position", (1, 10), ErrorCode.HARDWARE_MISSING),
        ("SR-SO300", "shade", (), ErrorCode.HARDWARE_MISSING),
        ("SR-IB100", "solar_power", (), ErrorCode.HARDWARE_MISSING),
        ("SR-IB100", "position", (2,), ErrorCode.HEADER_SUFFIX_OUT_OF_RANGE),
        ("SR-PN200", "state", (3,), ErrorCode.HEADER_SUFFIX_OUT_OF_RANGE),
        ("SR-PN200", "stop", (0,), ErrorCode.HEADER_SUFFIX_OUT_OF_RANGE),
        ("SR-PN200", "set_position", (1, 101), ErrorCode.DATA_OUT_OF_RANGE),
        ("SR-PN200", "set_shade", (-1,), ErrorCode.DATA_OUT_OF_RANGE),
        ("SR-PN200", "set_speed", (51,), ErrorCode.DATA_OUT_OF_RANGE),
        ("SR-PN200", "set_pinch_threshold", (101,), ErrorCode.DATA_OUT_OF_RANGE),
        ("SR-FD600", "set_tilt", (1, 500), ErrorCode.HARDWARE_MISSING),
        ("SR-IB100", "set_tilt", (2, 500), ErrorCode.HEADER_SUFFIX_OUT_OF_RANGE),
    ],
)
def test_refusals_and_their_order(clock, model, method, args, code):
    roof = SunroofInstrument(model, clock=clock)
    refused(code, getattr(roof, method), *args)


def test_solar_power_on_the_solar_model_only(clock):
    assert SunroofInstrument("SR-SO300", clock=clock).solar_power() == 120.0


def test_overflow_rule(roof):
    for code in [ErrorCode.UNDEFINED_HEADER] * 10:
        roof.push_error(code)
    assert roof.errors[-1] is ErrorCode.UNDEFINED_HEADER
    roof.push_error(ErrorCode.DATA_OUT_OF_RANGE)
    roof.push_error(ErrorCode.DATA_TYPE_ERROR)
    assert roof.errors == (ErrorCode.UNDEFINED_HEADER,) * 9 + (ErrorCode.QUEUE_OVERFLOW,)
    assert roof.read_event_status() == 32 | 16 | 8
    assert roof.next_error() is ErrorCode.UNDEFINED_HEADER
    roof.push_error(ErrorCode.SETTINGS_CONFLICT)  # room again: appended after -350
    assert roof.errors[-2:] == (ErrorCode.QUEUE_OVERFLOW, ErrorCode.SETTINGS_CONFLICT)
    assert roof.error_count() == 10


def test_error_codes_and_messages():
    assert [(c.value, c.message, c.esr_bit) for c in ErrorCode] == [
        (0, "No error", 0),
        (-104, "Data type error", 32),
        (-108, "Parameter not allowed", 32),
        (-109, "Missing parameter", 32),
        (-113, "Undefined header", 32),
        (-114, "Header suffix out of range", 32),
        (-221, "Settings conflict", 16),
        (-222, "Data out of range", 16),
        (-241, "Hardware missing", 16),
        (-350, "Queue overflow", 8),
        (201, "Obstruction detected", 8),
        (202, "Motor overtemperature", 8),
    ]


def test_reset_keeps_queue_status_and_pinch_event(roof, clock):
    roof.set_obstruction(1, 10)
    roof.set_speed(50)
    roof.set_position(1, 50)
    roof.set_position(2, 50)
    roof.set_shade(70)
    roof.set_pinch_enabled(False)
    roof.set_pinch_enabled(True)
    roof.set_pinch_threshold(40)
    clock.advance(0.5)
    roof.reset()
    assert roof.is_idle()
    assert [roof.position(1), roof.position(2), roof.tilt(1), roof.shade()] == [0, 0, 0, 0]
    assert [roof.state(1), roof.state(2)] == [PanelState.CLOSED] * 2
    assert (roof.speed(), roof.pinch_enabled(), roof.pinch_threshold()) == (20, True, 80)
    assert roof.errors == (ErrorCode.OBSTRUCTION_DETECTED,)
    assert roof.pinch_event()
    assert roof.read_event_status() == 8
    roof.clear_status()
    assert (roof.errors, roof.pinch_event(), roof.read_event_status()) == ((), False, 0)


def test_obstruction_reached_exactly_at_the_same_time_on_both_panels(roof, clock):
    roof.set_obstruction(1, 30)
    roof.set_obstruction(2, 30)
    roof.set_speed(10)
    roof.set_position(1, 60)
    roof.set_position(2, 60)
    clock.advance(10)
    assert [roof.position(1), roof.position(2)] == [20, 20]
    assert [roof.state(1), roof.state(2)] == [PanelState.BLOCKED] * 2
    assert roof.errors == (ErrorCode.OBSTRUCTION_DETECTED,) * 2


def test_events_are_handled_in_time_order(roof, clock):
    roof.set_obstruction(2, 10)
    roof.set_speed(10)
    roof.set_position(1, 20)  # arrives at t=2
    roof.set_position(2, 40)  # meets the object at t=1, reverses to 0 by t=2
    clock.advance(1.5)
    assert (roof.position(1), roof.position(2)) == (15, 5)
    assert roof.state(2) is PanelState.MOVING
    assert roof.pinch_event()
    clock.advance(100)
    assert (roof.position(1), roof.position(2)) == (20, 0)
    assert roof.state(2) is PanelState.BLOCKED


def test_obstruction_defaults_to_tilt_without_slide(clock):
    roof = SunroofInstrument("SR-TM500", clock=clock)
    roof.set_obstruction(1, 20)
    roof.set_speed(50)
    roof.set_tilt(1, 100)
    clock.advance(10)
    assert (roof.tilt(1), roof.state(1)) == (10, PanelState.BLOCKED)


def test_obstruction_on_the_other_axis_is_not_met(roof, clock):
    roof.set_obstruction(1, 20, Axis.TILT)
    roof.set_speed(50)
    roof.set_position(1, 100)
    clock.advance(10)
    assert (roof.position(1), roof.state(1)) == (100, PanelState.OPEN)
    roof.set_position(1, 0)
    clock.advance(10)
    roof.set_tilt(1, 100)
    clock.advance(10)
    assert (roof.tilt(1), roof.state(1)) == (10, PanelState.BLOCKED)


def test_stop_during_reversal_stays_blocked(roof, clock):
    roof.set_obstruction(1, 10)
    roof.set_speed(10)
    roof.set_position(1, 50)
    clock.advance(1.5)
    roof.stop(1)
    assert (roof.position(1), roof.state(1)) == (5, PanelState.BLOCKED)


def test_current_and_temperature(roof, clock):
    assert roof.motor_current() == pytest.approx(0.05)
    assert roof.motor_temperature() == 25.0
    roof.set_speed(50)
    roof.set_position(1, 100)
    roof.set_tilt(2, 100)
    assert roof.motor_current() == pytest.approx(0.05 + 2 * 3.8)
    clock.advance(2)
    warm = roof.motor_temperature()
    assert 25.0 < warm < 30.0
    clock.advance(600)
    assert roof.motor_temperature() == pytest.approx(25.0, abs=0.01)


def test_temperature_never_reaches_the_limit_in_normal_use(roof, clock):
    roof.set_speed(50)
    for _ in range(200):
        roof.set_position(1, 100)
        roof.set_position(2, 100)
        roof.set_shade(100)
        clock.advance(2)
        roof.set_position(1, 0)
        roof.set_position(2, 0)
        roof.set_shade(0)
        clock.advance(2)
    assert roof.motor_temperature() < 85.0


def test_overtemperature_fault(roof, clock):
    roof.set_speed(10)
    roof.set_position(1, 100)
    clock.advance(1)
    roof.set_overtemperature(True)
    assert roof.motor_temperature() > 85.0
    assert (roof.position(1), roof.state(1), roof.errors) == (
        10,
        PanelState.STOPPED,
        (ErrorCode.MOTOR_OVERTEMPERATURE,),
    )
    refused(ErrorCode.MOTOR_OVERTEMPERATURE, roof.set_position, 1, 20)
    refused(ErrorCode.MOTOR_OVERTEMPERATURE, roof.set_shade, 20)
    roof.set_position(1, 10)  # not motion
    roof.set_overtemperature(True)  # already hot: no second error
    assert roof.error_count() == 1
    roof.set_overtemperature(False)
    assert roof.motor_temperature() == 80.0
    clock.advance(60)
    assert roof.motor_temperature() < 50.0
    roof.set_position(1, 20)


def test_overtemperature_at_rest_queues_nothing(roof):
    roof.set_overtemperature(True)
    assert roof.errors == ()
    roof.set_overtemperature(False)


def test_error_burst(roof):
    roof.queue_errors(3)
    assert roof.errors == (ErrorCode.DATA_OUT_OF_RANGE,) * 3
    roof.queue_errors(20, ErrorCode.UNDEFINED_HEADER)
    assert roof.error_count() == 10
    assert roof.errors[-1] is ErrorCode.QUEUE_OVERFLOW


@pytest.mark.parametrize(("model", "method"), [("SR-TM500", "position"), ("SR-FD600", "tilt")])
def test_a_motion_the_model_lacks_reads_zero(clock, model, method):
    assert getattr(SunroofInstrument(model, clock=clock), method)(1) == 0
