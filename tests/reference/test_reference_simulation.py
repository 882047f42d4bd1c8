"""The driver in simulation mode, for each of the six models: the whole API without I/O."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sksunroof import (
    MODELS,
    SUPPORTED_MODELS,
    ErrorQueryResult,
    EventStatus,
    FeatureNotSupportedError,
    InstrumentError,
    IoTimeoutError,
    IviDirectIo,
    IviUtility,
    ModelInfo,
    OutOfRangeError,
    PanelState,
    SessionClosedError,
    SkSunroof,
    UnknownPanelError,
)


@pytest.fixture(autouse=True)
def no_visa(monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulation must not even create a VISA resource manager."""
    import pyvisa

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulation touched VISA")

    monkeypatch.setattr(pyvisa, "ResourceManager", forbidden)


def simulate(model: str = "SR-PN200", **extra: object) -> SkSunroof:
    options: dict[str, object] = {"simulate": True, "simulated_model": model, **extra}
    return SkSunroof("TCPIP0::192.0.2.1::5025::SOCKET", options=options)  # type: ignore[arg-type]


@pytest.fixture(params=SUPPORTED_MODELS)
def roof(request: pytest.FixtureRequest) -> Iterator[SkSunroof]:
    driver = simulate(request.param)
    yield driver
    driver.close()


def test_defaults_after_construction() -> None:
    roof = SkSunroof("", options={"simulate": True})
    utility = roof.ivi_utility
    assert isinstance(utility, IviUtility)
    assert isinstance(roof.ivi_direct_io, IviDirectIo)
    assert utility.simulation_enabled is True
    assert utility.query_instrument_status_enabled is False
    assert utility.instrument_manufacturer == "Skylight Test Systems"
    assert utility.instrument_model == "SR-PN200"
    assert utility.driver_version == "1.0.0"
    assert utility.driver_vendor == "Skylight Test Systems"
    assert utility.supported_instrument_models == (
        "SR-IB100", "SR-PN200", "SR-SO300", "SR-TS400", "SR-TM500", "SR-FD600",
    )
    assert roof.ivi_direct_io.session is None
    assert roof.ivi_direct_io.io_timeout_ms == 2000
    assert roof.system.serial_number == "SN000000"
    assert roof.system.firmware_version == "1.0.0"


def test_positional_constructor_and_reset_in_simulation() -> None:
    roof = SkSunroof("", True, True, "Simulate=True, QueryInstrStatus=True")
    assert roof.ivi_utility.query_instrument_status_enabled is True
    assert roof.ivi_utility.simulation_enabled is True


def test_identity_and_model_table(roof: SkSunroof) -> None:
    model = roof.ivi_utility.instrument_model
    info = roof.system.model_info
    assert isinstance(info, ModelInfo)
    assert info == MODELS[model]
    assert len(roof.panels) == info.panels == roof.system.panel_count
    assert roof.panels["1"].can_slide is info.slide
    assert roof.panels["1"].can_tilt is info.tilt
    assert roof.shade.is_available is info.shade
    assert roof.solar.is_available is info.solar


def test_panels_collection(roof: SkSunroof) -> None:
    count = MODELS[roof.ivi_utility.instrument_model].panels
    names = [str(number) for number in range(1, count + 1)]
    assert list(roof.panels) == names
    assert [panel.name for panel in roof.panels.values()] == names
    for number, name in enumerate(names, start=1):
        assert roof.panels[name] is roof.panels[number] is roof.panels_item(name)
        assert roof.panels_item(number).name == name
        assert name in roof.panels and number in roof.panels
    missing = count + 1
    assert str(missing) not in roof.panels and 0 not in roof.panels
    for bad in (missing, str(missing), 0, "front", True):
        with pytest.raises(UnknownPanelError):
            roof.panels[bad]  # type: ignore[index]
        with pytest.raises(KeyError):
            roof.panels_item(bad)  # type: ignore[arg-type]


def test_slide_and_tilt_follow_the_model(roof: SkSunroof) -> None:
    info = roof.system.model_info
    for panel in roof.panels.values():
        assert panel.state is PanelState.CLOSED
        if info.slide:
            for value in (0, 1, 50, 99, 100):
                panel.position = value
                assert panel.position == value
            assert panel.state is PanelState.OPEN
            panel.position = 0
        else:
            with pytest.raises(FeatureNotSupportedError):
                panel.position = 10
            with pytest.raises(FeatureNotSupportedError):
                _ = panel.position
        if info.tilt:
            for value in (0, 30, 100):
                panel.tilt = value
                assert panel.tilt == value
            assert panel.state is PanelState.VENTED
            panel.tilt = 0
        else:
            with pytest.raises(FeatureNotSupportedError) as caught:
                panel.tilt = 10
            assert caught.value.feature == "tilt" and caught.value.model == info.model
        assert panel.state is PanelState.CLOSED
        panel.stop()
        panel.wait_for_motion()
        panel.wait_for_motion(timeout_ms=100)
    assert roof.ivi_utility.error_query() is None


def test_range_limits(roof: SkSunroof) -> None:
    info = roof.system.model_info
    panel = roof.panels[1]
    if info.slide:
        for bad in (-1, 101):
            with pytest.raises(OutOfRangeError):
                panel.position = bad
    if info.tilt:
        for bad in (-1, 101):
            with pytest.raises(OutOfRangeError):
                panel.tilt = bad
    for bad in (0, 51):
        with pytest.raises(OutOfRangeError):
            roof.motor.speed = bad
    for good in (1, 50, 20):
        roof.motor.speed = good
        assert roof.motor.speed == good
    for bad in (19, 101):
        with pytest.raises(OutOfRangeError):
            roof.anti_pinch.threshold = bad
    for good in (20, 100, 80):
        roof.anti_pinch.threshold = good
        assert roof.anti_pinch.threshold == good
    with pytest.raises(TypeError):
        roof.motor.speed = 10.5  # type: ignore[assignment]
    with pytest.raises(TypeError):
        roof.motor.speed = True
    with pytest.raises(TypeError):
        roof.anti_pinch.enabled = 1  # type: ignore[assignment]
    assert roof.ivi_utility.error_query() is None


def test_shade_solar_motor_anti_pinch(roof: SkSunroof) -> None:
    info = roof.system.model_info
    if info.shade:
        for value in (0, 100, 40):
            roof.shade.position = value
            assert roof.shade.position == value
        with pytest.raises(OutOfRangeError):
            roof.shade.position = 101
    else:
        with pytest.raises(FeatureNotSupportedError):
            roof.shade.position = 10
        with pytest.raises(FeatureNotSupportedError):
            _ = roof.shade.position
    if info.solar:
        assert roof.solar.power > 0.0
    else:
        with pytest.raises(FeatureNotSupportedError):
            _ = roof.solar.power
    assert roof.motor.current >= 0.0
    assert 0.0 < roof.motor.temperature < 85.0
    assert roof.anti_pinch.enabled is True
    roof.anti_pinch.enabled = False
    assert roof.anti_pinch.enabled is False
    roof.anti_pinch.enabled = True
    assert roof.anti_pinch.event_occurred is False
    assert roof.ivi_utility.error_query() is None


def test_reset_restores_the_known_state(roof: SkSunroof) -> None:
    info = roof.system.model_info
    roof.motor.speed = 33
    roof.anti_pinch.enabled = False
    roof.anti_pinch.threshold = 50
    if info.slide:
        roof.panels[1].position = 70
    roof.ivi_utility.reset()
    assert roof.motor.speed == 20
    assert roof.anti_pinch.enabled is True
    assert roof.anti_pinch.threshold == 80
    assert roof.panels[1].state is PanelState.CLOSED


SLIDE_AND_TILT = [name for name in SUPPORTED_MODELS if MODELS[name].slide and MODELS[name].tilt]


@pytest.mark.parametrize("model", SLIDE_AND_TILT)
def test_interlock_with_and_without_status_checking(model: str) -> None:
    roof = simulate(model)
    panel = roof.panels[1]
    panel.tilt = 20
    panel.position = 50  # refused by the (simulated) instrument, queued, not raised
    assert panel.position == 0
    assert roof.ivi_utility.error_query() == ErrorQueryResult(-221, "Settings conflict")
    assert roof.ivi_utility.error_query() is None
    roof.ivi_utility.query_instrument_status_enabled = True
    with pytest.raises(InstrumentError) as caught:
        panel.position = 50
    assert (caught.value.code, caught.value.message) == (-221, "Settings conflict")
    assert roof.ivi_utility.error_query() is None  # the status check drained the queue
    panel.tilt = 0
    panel.position = 50
    with pytest.raises(InstrumentError) as caught:
        panel.tilt = 5
    assert caught.value.code == -221


def test_range_check_off_lets_the_instrument_refuse() -> None:
    roof = simulate("SR-PN200", range_check=False, query_instrument_status=True)
    with pytest.raises(InstrumentError) as caught:
        roof.panels[2].position = 150
    assert caught.value.code == -222
    with pytest.raises(InstrumentError) as caught:
        roof.anti_pinch.threshold = 120
    assert caught.value.code == -222


def test_error_queue_methods() -> None:
    roof = simulate("SR-IB100")
    utility = roof.ivi_utility
    assert utility.error_query() is None
    assert tuple(utility.error_query_all()) == ()
    utility.raise_on_device_error()
    for _ in range(12):
        roof.ivi_direct_io.write_string("BOGus:COMMand")
    assert roof.system.error_count == 10
    errors = utility.error_query_all()
    assert len(errors) == 10
    assert errors[0] == ErrorQueryResult(-113, "Undefined header")
    assert errors[-1] == ErrorQueryResult(-350, "Queue overflow")
    assert utility.error_query() is None
    roof.ivi_direct_io.write_string("PAN1:POS abc")
    roof.ivi_direct_io.write_string("PAN2:POS 10")
    with pytest.raises(InstrumentError) as caught:
        utility.raise_on_device_error()
    assert [e.code for e in caught.value.errors] == [-104, -114]
    assert caught.value.code == -104
    assert utility.error_query_all() == ()


def test_error_query_is_not_affected_by_status_checking() -> None:
    roof = simulate(query_instrument_status=True)
    roof.ivi_direct_io.write_string("PAN1:POS 500")
    result = roof.ivi_utility.error_query()
    assert result is not None and result.code == -222 and result.message == "Data out of range"
    assert str(result) == '-222,"Data out of range"'
    with pytest.raises(AttributeError):
        result.code = 0  # type: ignore[misc]


def test_failed_query_raises_the_queued_error_not_a_made_up_value() -> None:
    roof = simulate("SR-IB100")  # status checking off
    roof.ivi_direct_io.write_string("PAN1:POS?")
    assert roof.ivi_direct_io.read_string() == "0"
    # A query the instrument refuses gets no reply; the driver explains it.
    from sksunroof._io import InstrumentSession

    session: InstrumentSession = roof._session  # noqa: SLF001 - white-box check
    with pytest.raises(InstrumentError) as caught:
        session.ask_str("PAN2:POS?")
    assert caught.value.code == -114


@pytest.mark.parametrize("model", SUPPORTED_MODELS)
def test_event_status_self_test_clear_status(model: str) -> None:
    roof = simulate(model)
    assert roof.system.read_event_status() == EventStatus(0)
    roof.ivi_direct_io.write_string("NOPE")
    roof.ivi_direct_io.write_string("MOT:SPE 99")
    status = roof.system.read_event_status()
    assert EventStatus.COMMAND_ERROR in status and EventStatus.EXECUTION_ERROR in status
    assert roof.system.read_event_status() == EventStatus(0)
    roof.system.self_test()
    roof.system.wait_for_operation_complete()
    assert roof.system.error_count == 2
    roof.system.clear_status()
    assert roof.system.error_count == 0


@pytest.mark.parametrize("model", SUPPORTED_MODELS)
def test_direct_io_in_simulation(model: str) -> None:
    roof = simulate(model)
    io = roof.ivi_direct_io
    io.write_string("*IDN?")
    assert io.read_string() == f"Skylight Test Systems,{model},SN000000,1.0.0"
    io.write_bytes(b"MOT:TEMP?")
    assert io.read_bytes() == b"25.0"
    io.write_string("PINCh:THReshold 40")  # long forms too
    io.write_string("pinc:thr?")
    assert io.read_string() == "40"
    with pytest.raises(IoTimeoutError):
        io.read_string()
    with pytest.raises(TimeoutError):
        io.read_bytes()
    io.io_timeout_ms = 750
    assert io.io_timeout_ms == 750
    for bad in (0, -5, 3_600_001):
        with pytest.raises(OutOfRangeError):
            io.io_timeout_ms = bad
    with pytest.raises(TypeError):
        io.write_string(b"*IDN?")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        io.write_bytes("*IDN?")  # type: ignore[arg-type]
    with roof.locked():
        io.write_string("MOT:SPE?")
        assert io.read_string() == "20"


def test_close_and_context_manager() -> None:
    with simulate() as roof:
        assert roof.motor.speed == 20
    with pytest.raises(SessionClosedError):
        _ = roof.motor.speed
    with pytest.raises(SessionClosedError):
        roof.ivi_direct_io.write_string("*IDN?")
    with pytest.raises(SessionClosedError):
        roof.ivi_direct_io.read_bytes()
    with pytest.raises(SessionClosedError):
        roof.ivi_utility.error_query()
    roof.close()  # twice is fine
    assert "closed" in repr(roof)
    # What is known without the instrument still answers.
    assert roof.ivi_utility.instrument_model == "SR-PN200"


def test_query_instrument_status_setter_type() -> None:
    roof = simulate()
    with pytest.raises(TypeError):
        roof.ivi_utility.query_instrument_status_enabled = 1  # type: ignore[assignment]
    roof.ivi_utility.query_instrument_status_enabled = True
    assert roof.ivi_utility.query_instrument_status_enabled is True
    roof.ivi_utility.query_instrument_status_enabled = False
    assert roof.ivi_utility.query_instrument_status_enabled is False


def test_threads_share_one_simulated_driver() -> None:
    roof = simulate("SR-PN200", query_instrument_status=True)
    failures: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            panel = roof.panels[1 + index % 2]
            for step in range(200):
                value = (index * 7 + step) % 101
                if index % 3 == 0:
                    with roof.locked():
                        roof.ivi_direct_io.write_string("MOT:SPE?")
                        assert roof.ivi_direct_io.read_string() == "20"
                elif index % 3 == 1:
                    roof.shade.position = value
                    assert 0 <= roof.shade.position <= 100
                else:
                    panel.position = value
                    assert 0 <= panel.position <= 100
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert roof.ivi_utility.error_query_all() == ()


def test_example_runs_in_simulation(capsys: pytest.CaptureFixture[str]) -> None:
    from sksunroof.examples.quick_start import main

    for model in SUPPORTED_MODELS:
        assert main(["--simulate", "--model", model]) == 0
        out = capsys.readouterr().out
        assert f"Skylight Test Systems {model}" in out
