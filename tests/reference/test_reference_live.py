"""The reference driver against the live simulator, for each of the six models.

Every test starts its own simulator on a free loopback port (parallel-safe),
reaches it through pyvisa-py, and checks both what the driver returns and
what went over the wire (``sim.trace``).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sksunroof import (
    MODELS,
    SUPPORTED_MODELS,
    ErrorQueryResult,
    EventStatus,
    FeatureNotSupportedError,
    IdQueryError,
    InstrumentError,
    InstrumentIoError,
    IoTimeoutError,
    OutOfRangeError,
    PanelState,
    SkSunroof,
    UnexpectedResponseError,
)
from sksunroof.options import Options

from ivi_conform.sim import Axis, LiveSimulator

#: The simulator's clock runs this much faster than the wall clock.
TIME_SCALE = 50.0


def sent(sim: LiveSimulator, count: int = 0) -> list[str]:
    """The messages the simulator received, in order.

    A message that gets no reply may still be on its way when the driver's
    call returns: wait (up to 2 s) until at least ``count`` messages arrived,
    or for a short while when ``count`` is 0.
    """
    deadline = time.monotonic() + (2.0 if count else 0.05)
    while True:
        messages = [entry.message for entry in sim.trace if entry.direction == "in"]
        if (count and len(messages) >= count) or time.monotonic() >= deadline:
            return messages
        time.sleep(0.005)


def connect(sim: LiveSimulator, *, id_query: bool = True, reset: bool = False,
            **extra: object) -> SkSunroof:
    options: dict[str, object] = {"visa_library": "@py", "io_timeout_ms": 1000, **extra}
    return SkSunroof(sim.resource_name, id_query, reset, options)  # type: ignore[arg-type]


@pytest.fixture(params=SUPPORTED_MODELS)
def sim(request: pytest.FixtureRequest) -> Iterator[LiveSimulator]:
    with LiveSimulator(model=request.param, port=0, time_scale=TIME_SCALE) as simulator:
        yield simulator


@pytest.fixture
def roof(sim: LiveSimulator) -> Iterator[SkSunroof]:
    driver = connect(sim)
    sim.clear_trace()
    yield driver
    driver.close()


# -- construction, identity, reset ----------------------------------------------------------


def test_construction_reads_identity_and_sends_no_reset(sim: LiveSimulator) -> None:
    with connect(sim) as roof:
        model = sim.instrument.spec.name
        utility = roof.ivi_utility
        assert utility.instrument_manufacturer == "Skylight Test Systems"
        assert utility.instrument_model == model
        assert model in utility.supported_instrument_models
        assert utility.simulation_enabled is False
        assert utility.query_instrument_status_enabled is False
        assert roof.system.serial_number == "SN100042"
        assert roof.system.firmware_version == "2.1.0"
        assert roof.system.model_info == MODELS[model]
        assert len(roof.panels) == roof.system.panel_count == MODELS[model].panels
    assert sent(sim)[0] == "*IDN?"
    assert "*RST" not in sent(sim)


def test_reset_at_construction_and_through_ivi_utility(sim: LiveSimulator) -> None:
    sim.instrument.set_speed(45)
    with connect(sim, reset=True) as roof:
        assert sent(sim, 2) == ["*IDN?", "*RST"]
        assert sim.instrument.speed() == 20
        roof.motor.speed = 33
        roof.anti_pinch.threshold = 40
        assert roof.motor.speed == 33  # a round trip: every earlier message has arrived
        sim.clear_trace()
        roof.ivi_utility.reset()
        assert sent(sim, 1) == ["*RST"]
        assert roof.motor.speed == 20
        assert roof.anti_pinch.threshold == 80


def test_id_query_compares_the_model_not_the_manufacturer() -> None:
    with LiveSimulator(model="SR-SO300", manufacturer="Rebadged Roofs Ltd", port=0) as sim:
        with connect(sim) as roof:
            assert roof.ivi_utility.instrument_manufacturer == "Rebadged Roofs Ltd"
            assert roof.ivi_utility.instrument_model == "SR-SO300"
            assert roof.solar.power == pytest.approx(120.0)


class StubInstrument:
    """A tiny SCPI socket server that claims to be an instrument the driver does not support."""

    def __init__(self, identity: str) -> None:
        self.identity = identity
        self.received: list[str] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def resource_name(self) -> str:
        return f"TCPIP0::127.0.0.1::{self._server.getsockname()[1]}::SOCKET"

    def _serve(self) -> None:
        replies = {"*IDN?": self.identity, "PAN:COUN?": "3", "SYST:ERR?": '0,"No error"'}
        try:
            connection, _ = self._server.accept()
        except OSError:
            return
        with connection, connection.makefile("rwb") as stream:
            for raw in stream:
                line = raw.decode("ascii").strip()
                self.received.append(line)
                if line in replies:
                    stream.write(replies[line].encode("ascii") + b"\n")
                    stream.flush()

    def close(self) -> None:
        self._server.close()


@pytest.mark.parametrize(
    "identity",
    ["Skylight Test Systems,SR-XX999,SN000001,1.0.0", "Other Corp,DMM-1,SN1,2.0", "garbage"],
)
def test_id_query_rejects_an_unsupported_instrument(identity: str) -> None:
    stub = StubInstrument(identity)
    try:
        with pytest.raises(IdQueryError) as caught:
            SkSunroof(stub.resource_name, options={"visa_library": "@py"})
        assert caught.value.identity == identity
        assert stub.received == ["*IDN?"]
    finally:
        stub.close()


def test_without_id_query_an_unknown_model_is_accepted() -> None:
    stub = StubInstrument("Other Corp,XY-3,SN000001,1.0.0")
    try:
        roof = SkSunroof(stub.resource_name, id_query=False, options={"visa_library": "@py"})
        assert roof.ivi_utility.instrument_model == "XY-3"
        assert list(roof.panels) == ["1", "2", "3"]  # from PAN:COUN?
        roof.close()
        assert stub.received == ["*IDN?", "PAN:COUN?"]
    finally:
        stub.close()


def test_visa_library_from_the_environment(
    sim: LiveSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the visa_library option, pyvisa's default (PYVISA_LIBRARY) is used."""
    monkeypatch.setenv("PYVISA_LIBRARY", "@py")
    with SkSunroof(sim.resource_name) as roof:
        assert roof.ivi_utility.instrument_model == sim.instrument.spec.name
        session = roof.ivi_direct_io.session
        assert session is not None and session.visalib.library_path == "py"


def test_unreachable_resource_raises_instrument_io_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        port = placeholder.getsockname()[1]
    with pytest.raises(InstrumentIoError):
        SkSunroof(f"TCPIP0::127.0.0.1::{port}::SOCKET", options={"visa_library": "@py"})
    with pytest.raises(InstrumentIoError):
        SkSunroof("NOT-A-RESOURCE", options={"visa_library": "@py"})


# -- every feature, the model differences --------------------------------------------------


def test_panels_slide_tilt_state_stop_and_wait(sim: LiveSimulator, roof: SkSunroof) -> None:
    info = roof.system.model_info
    roof.motor.speed = 50
    for panel in roof.panels.values():
        number = panel.number
        assert panel.state is PanelState.CLOSED
        if info.slide:
            panel.position = 60
            panel.wait_for_motion()
            assert panel.position == 60 == sim.instrument.position(number)
            assert panel.state is PanelState.OPEN
            panel.position = 0
            panel.wait_for_motion()
        if info.tilt:
            panel.tilt = 35
            panel.wait_for_motion(timeout_ms=10_000)
            assert panel.tilt == 35 == sim.instrument.tilt(number)
            assert panel.state is PanelState.VENTED
            panel.tilt = 0
            roof.system.wait_for_operation_complete()
        assert panel.state is PanelState.CLOSED
    assert roof.ivi_utility.error_query() is None


def test_stop_leaves_the_panel_stopped(sim: LiveSimulator, roof: SkSunroof) -> None:
    panel = roof.panels[1]
    roof.motor.speed = 1  # 1 %/s, 50 %/s on the simulator's fast clock
    if panel.can_slide:
        panel.position = 100
    else:
        panel.tilt = 100
    assert panel.state is PanelState.MOVING
    panel.stop()
    assert panel.state is PanelState.STOPPED
    reached = panel.position if panel.can_slide else panel.tilt
    assert 0 <= reached < 100
    panel.wait_for_motion(timeout_ms=2000)


def test_model_differences_raise_before_sending(sim: LiveSimulator, roof: SkSunroof) -> None:
    info = roof.system.model_info
    panel = roof.panels[1]
    checks = [
        (info.slide, lambda: setattr(panel, "position", 10)),
        (info.slide, lambda: panel.position),
        (info.tilt, lambda: setattr(panel, "tilt", 10)),
        (info.tilt, lambda: panel.tilt),
        (info.shade, lambda: setattr(roof.shade, "position", 10)),
        (info.shade, lambda: roof.shade.position),
        (info.solar, lambda: roof.solar.power),
    ]
    for present, call in checks:
        if not present:
            with pytest.raises(FeatureNotSupportedError):
                call()
    assert sent(sim) == []  # nothing reached the instrument
    assert sim.instrument.error_count() == 0


def test_shade_motor_anti_pinch_solar(sim: LiveSimulator, roof: SkSunroof) -> None:
    info = roof.system.model_info
    roof.motor.speed = 50
    if info.shade:
        roof.shade.position = 75
        roof.system.wait_for_operation_complete()
        assert roof.shade.position == 75 == sim.instrument.shade()
    if info.solar:
        assert roof.solar.power == pytest.approx(120.0)
    assert roof.motor.speed == 50 == sim.instrument.speed()
    assert roof.motor.current == pytest.approx(0.05)
    assert 20.0 <= roof.motor.temperature < 85.0
    roof.anti_pinch.enabled = False
    assert roof.anti_pinch.enabled is False and sim.instrument.pinch_enabled() is False
    roof.anti_pinch.enabled = True
    roof.anti_pinch.threshold = 100
    assert roof.anti_pinch.threshold == 100 == sim.instrument.pinch_threshold()
    roof.anti_pinch.threshold = 20
    assert roof.anti_pinch.threshold == 20
    assert roof.anti_pinch.event_occurred is False
    roof.system.self_test()
    assert roof.system.read_event_status() == EventStatus(0)
    assert roof.ivi_utility.error_query_all() == ()


def test_commands_are_the_canonical_short_forms(sim: LiveSimulator, roof: SkSunroof) -> None:
    info = roof.system.model_info
    expected: list[str] = []

    def expect(*messages: str) -> None:
        expected.extend(messages)

    roof.motor.speed = 25
    expect("MOT:SPE 25")
    _ = roof.motor.speed, roof.motor.current, roof.motor.temperature
    expect("MOT:SPE?", "MOT:CURR?", "MOT:TEMP?")
    roof.anti_pinch.enabled = True
    roof.anti_pinch.threshold = 70
    _ = roof.anti_pinch.enabled, roof.anti_pinch.threshold, roof.anti_pinch.event_occurred
    expect("PINC:STAT 1", "PINC:THR 70", "PINC:STAT?", "PINC:THR?", "PINC:EVEN?")
    for panel in roof.panels.values():
        n = panel.number
        if info.slide:
            panel.position = 0
            _ = panel.position
            expect(f"PAN{n}:POS 0", f"PAN{n}:POS?")
        if info.tilt:
            panel.tilt = 0
            _ = panel.tilt
            expect(f"PAN{n}:TILT 0", f"PAN{n}:TILT?")
        _ = panel.state
        panel.stop()
        panel.wait_for_motion(timeout_ms=1000)
        expect(f"PAN{n}:STAT?", f"PAN{n}:STOP", "*OPC?")
    if info.shade:
        roof.shade.position = 0
        _ = roof.shade.position
        expect("SHAD:POS 0", "SHAD:POS?")
    if info.solar:
        _ = roof.solar.power
        expect("SOL:POW?")
    roof.system.clear_status()
    roof.system.read_event_status()
    roof.system.self_test()
    _ = roof.system.panel_count, roof.system.error_count
    roof.system.wait_for_operation_complete()
    roof.ivi_utility.error_query()
    roof.ivi_utility.reset()
    expect("*CLS", "*ESR?", "*TST?", "PAN:COUN?", "SYST:ERR:COUN?", "MOT:SPE?", "*OPC?",
           "SYST:ERR?", "*RST")
    assert sent(sim, len(expected)) == expected


def test_repeated_capability_instances(sim: LiveSimulator, roof: SkSunroof) -> None:
    """Every panel of the model, by name and by number, and one that does not exist."""
    count = roof.system.panel_count
    for number in range(1, count + 1):
        panel = roof.panels_item(str(number))
        assert panel is roof.panels[number]
        assert panel.state is PanelState.CLOSED
    with pytest.raises(KeyError):
        roof.panels[count + 1]
    assert sim.instrument.error_count() == 0


# -- range checks, interlocks, device errors, status checking ------------------------------


def test_range_limits_are_checked_before_sending(sim: LiveSimulator, roof: SkSunroof) -> None:
    for setter, bad in [
        (lambda v: setattr(roof.motor, "speed", v), (0, 51)),
        (lambda v: setattr(roof.anti_pinch, "threshold", v), (19, 101)),
    ]:
        for value in bad:
            with pytest.raises(OutOfRangeError):
                setter(value)
    panel = roof.panels[1]
    for value in (-1, 101):
        with pytest.raises((OutOfRangeError, FeatureNotSupportedError)):
            if panel.can_slide:
                panel.position = value
            else:
                panel.tilt = value
    assert sent(sim) == []


@pytest.mark.parametrize("status_checking", [True, False])
def test_instrument_refusal_surfaces(sim: LiveSimulator, status_checking: bool) -> None:
    """With range checking off the instrument judges; its refusal is never lost."""
    with connect(sim, range_check=False, query_instrument_status=status_checking) as roof:
        sim.clear_trace()
        if status_checking:
            with pytest.raises(InstrumentError) as caught:
                roof.anti_pinch.threshold = 120
            assert (caught.value.code, caught.value.message) == (-222, "Data out of range")
            assert sent(sim, 3) == ["PINC:THR 120", "SYST:ERR?", "SYST:ERR?"]
        else:
            roof.anti_pinch.threshold = 120
            assert sent(sim, 1) == ["PINC:THR 120"]
            assert roof.ivi_utility.error_query() == ErrorQueryResult(-222, "Data out of range")
        assert sim.instrument.pinch_threshold() == 80


@pytest.mark.parametrize("model", ["SR-IB100", "SR-PN200", "SR-SO300", "SR-TS400"])
def test_interlock_errors(model: str) -> None:
    with LiveSimulator(model=model, port=0, time_scale=TIME_SCALE) as sim:
        roof = connect(sim)
        panel = roof.panels[1]
        panel.tilt = 20
        panel.wait_for_motion()
        panel.position = 40  # status checking off: queued, not raised
        assert roof.ivi_utility.error_query() == ErrorQueryResult(-221, "Settings conflict")
        roof.ivi_utility.query_instrument_status_enabled = True
        with pytest.raises(InstrumentError) as caught:
            panel.position = 40
        assert caught.value.code == -221
        panel.tilt = 0
        panel.wait_for_motion()
        panel.position = 40
        panel.wait_for_motion()
        with pytest.raises(InstrumentError) as caught:
            panel.tilt = 10
        assert caught.value.code == -221
        assert sim.instrument.tilt(1) == 0 and sim.instrument.position(1) == 40
        roof.close()


def test_status_checking_traffic(sim: LiveSimulator, roof: SkSunroof) -> None:
    roof.motor.speed = 30
    _ = roof.motor.speed
    assert sent(sim, 2) == ["MOT:SPE 30", "MOT:SPE?"]
    sim.clear_trace()
    roof.ivi_utility.query_instrument_status_enabled = True
    roof.motor.speed = 31
    _ = roof.motor.speed
    assert sent(sim, 4) == ["MOT:SPE 31", "SYST:ERR?", "MOT:SPE?", "SYST:ERR?"]
    sim.clear_trace()
    roof.ivi_direct_io.write_string("MOT:SPE?")
    assert roof.ivi_direct_io.read_string() == "31"
    assert roof.ivi_utility.error_query() is None
    assert sent(sim, 2) == ["MOT:SPE?", "SYST:ERR?"]  # no status check after either


def test_error_queue_methods(sim: LiveSimulator, roof: SkSunroof) -> None:
    utility = roof.ivi_utility
    assert utility.error_query() is None
    assert utility.error_query_all() == ()
    utility.raise_on_device_error()
    sim.faults.error_burst(3)
    first = utility.error_query()
    assert first == ErrorQueryResult(-222, "Data out of range")
    assert [e.code for e in utility.error_query_all()] == [-222, -222]
    sim.faults.error_burst(12)
    assert roof.system.error_count == 10
    errors = utility.error_query_all()
    assert len(errors) == 10 and errors[-1] == ErrorQueryResult(-350, "Queue overflow")
    sim.faults.error_burst(2)
    with pytest.raises(InstrumentError) as caught:
        utility.raise_on_device_error()
    assert len(caught.value.errors) == 2
    assert utility.error_query() is None
    assert sim.instrument.error_count() == 0


def test_overtemperature(sim: LiveSimulator, roof: SkSunroof) -> None:
    sim.faults.overtemperature(True)
    assert roof.motor.temperature > 85.0
    roof.ivi_utility.query_instrument_status_enabled = True
    panel = roof.panels[1]
    with pytest.raises(InstrumentError) as caught:
        if panel.can_slide:
            panel.position = 50
        else:
            panel.tilt = 50
    assert (caught.value.code, caught.value.message) == (202, "Motor overtemperature")
    sim.faults.overtemperature(False)
    if panel.can_slide:
        panel.position = 50
    else:
        panel.tilt = 50
    panel.wait_for_motion()


def test_obstruction_trips_the_anti_pinch(sim: LiveSimulator, roof: SkSunroof) -> None:
    panel = roof.panels[1]
    axis = Axis.SLIDE if panel.can_slide else Axis.TILT
    sim.faults.obstruction(panel=1, position=40, axis=axis)
    roof.motor.speed = 50
    roof.ivi_utility.query_instrument_status_enabled = True
    if panel.can_slide:
        panel.position = 80
    else:
        panel.tilt = 80
    with pytest.raises(InstrumentError) as caught:
        panel.wait_for_motion()
    assert (caught.value.code, caught.value.message) == (201, "Obstruction detected")
    assert panel.state is PanelState.BLOCKED
    assert roof.anti_pinch.event_occurred is True
    roof.system.clear_status()
    assert roof.anti_pinch.event_occurred is False


# -- faults of the transport ---------------------------------------------------------------


def test_no_reply_raises_a_timeout(sim: LiveSimulator) -> None:
    with connect(sim, io_timeout_ms=150) as roof:
        sim.faults.no_reply(True)
        with pytest.raises(IoTimeoutError):
            _ = roof.motor.speed
        with pytest.raises(TimeoutError):
            roof.ivi_utility.error_query()
        sim.faults.no_reply(False)
        assert roof.motor.speed == 20  # recovers once the instrument answers again


@pytest.mark.parametrize(
    "read",
    [
        lambda roof: roof.motor.speed,
        lambda roof: roof.motor.temperature,
        lambda roof: roof.anti_pinch.enabled,
        lambda roof: roof.panels[1].state,
        lambda roof: roof.ivi_utility.error_query(),
    ],
    ids=["int", "float", "bool", "state", "error_query"],
)
def test_garbled_reply_is_never_returned_as_data(
    sim: LiveSimulator, roof: SkSunroof, read: Callable[[SkSunroof], object]
) -> None:
    sim.faults.garbled_reply(True)
    with pytest.raises(UnexpectedResponseError):
        read(roof)
    # While replies stay garbled the driver cannot get back in step with the
    # instrument: it says so instead of reading on.
    with pytest.raises((UnexpectedResponseError, IoTimeoutError)):
        read(roof)
    sim.faults.garbled_reply(False)
    assert roof.motor.speed == 20
    assert roof.anti_pinch.threshold == 80


def test_slow_reply(sim: LiveSimulator) -> None:
    with connect(sim, io_timeout_ms=2000) as roof:
        sim.faults.slow_reply(0.2)
        started = time.monotonic()
        assert roof.motor.speed == 20
        assert time.monotonic() - started >= 0.2
        roof.ivi_direct_io.io_timeout_ms = 100
        with pytest.raises(IoTimeoutError):
            _ = roof.motor.speed
        sim.faults.slow_reply(0)
        roof.ivi_direct_io.io_timeout_ms = 2000
        # The late reply was dropped: the next reply is not mistaken for it.
        roof.anti_pinch.threshold = 55
        assert roof.anti_pinch.threshold == 55


def test_dropped_connection_raises(sim: LiveSimulator) -> None:
    with connect(sim, io_timeout_ms=200) as roof:
        sim.faults.drop_connection()
        with pytest.raises(InstrumentIoError):
            _ = roof.motor.speed
        with pytest.raises(InstrumentIoError):
            roof.motor.speed = 10


# -- simulation mode, direct I/O, threads --------------------------------------------------


def test_simulation_does_no_io(sim: LiveSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyvisa

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulation opened a VISA resource manager")

    monkeypatch.setattr(pyvisa, "ResourceManager", forbidden)
    model = sim.instrument.spec.name
    options: Options = {"simulate": True, "simulated_model": model}
    with SkSunroof(sim.resource_name, reset=True, options=options) as roof:
        assert roof.ivi_utility.simulation_enabled is True
        assert roof.ivi_utility.instrument_model == model
        assert roof.ivi_direct_io.session is None
        roof.motor.speed = 40
        roof.ivi_utility.error_query_all()
        roof.ivi_utility.reset()
    assert sim.trace == []


def test_direct_io_round_trip(sim: LiveSimulator, roof: SkSunroof) -> None:
    import pyvisa.resources

    io = roof.ivi_direct_io
    assert isinstance(io.session, pyvisa.resources.MessageBasedResource)
    io.write_string("*IDN?")
    assert io.read_string() == sim.instrument.identity
    io.write_bytes(b"PANel:COUNt?")
    assert io.read_bytes() == str(sim.instrument.spec.panels).encode("ascii")
    io.write_string("MOT:SPE 12")
    io.write_string("MOT:SPE?;:PINC:THR?")
    assert io.read_string() == "12;80"
    io.io_timeout_ms = 150
    assert io.io_timeout_ms == 150 and io.session is not None and io.session.timeout == 150
    with pytest.raises(IoTimeoutError):
        io.read_string()
    assert sent(sim, 4) == ["*IDN?", "PANel:COUNt?", "MOT:SPE 12", "MOT:SPE?;:PINC:THR?"]


def test_threads_share_one_driver(sim: LiveSimulator) -> None:
    roof = connect(sim, query_instrument_status=True)
    roof.anti_pinch.threshold = 55
    identity = sim.instrument.identity
    failures: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            for _ in range(25):
                kind = index % 4
                if kind == 0:
                    assert roof.anti_pinch.threshold == 55
                elif kind == 1:
                    assert roof.motor.speed == 20
                elif kind == 2:
                    assert roof.panels[1].state is PanelState.CLOSED
                else:
                    with roof.locked():
                        roof.ivi_direct_io.write_string("*IDN?")
                        assert roof.ivi_direct_io.read_string() == identity
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    roof.close()
    assert failures == []
    assert sim.instrument.error_count() == 0
