"""The reference driver against the embedded pyvisa-sim profile of the reference instrument.

The profile matches only the canonical spellings and refuses everything else
with ``-100,"Command error"`` and no reply, so a driver that sends anything but
the canonical short forms fails here. Each test takes a private copy of the
profile (pyvisa-sim keeps device state per file path).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sksunroof import (
    MODELS,
    SUPPORTED_MODELS,
    ErrorQueryResult,
    InstrumentError,
    PanelState,
    SkSunroof,
)

from ivi_conform.sim import profile_path, profile_resource_name


def open_profile(model: str, **extra: object) -> SkSunroof:
    options: dict[str, object] = {
        "visa_library": f"{profile_path()}@sim",
        "io_timeout_ms": 100,
        **extra,
    }
    return SkSunroof(profile_resource_name(model), options=options)  # type: ignore[arg-type]


@pytest.fixture(params=SUPPORTED_MODELS)
def roof(request: pytest.FixtureRequest) -> Iterator[SkSunroof]:
    driver = open_profile(request.param, query_instrument_status=True)
    yield driver
    driver.close()


@pytest.mark.parametrize("model", SUPPORTED_MODELS)
def test_construction_and_identity(model: str) -> None:
    with open_profile(model) as roof:
        utility = roof.ivi_utility
        assert utility.instrument_manufacturer == "Skylight Test Systems"
        assert utility.instrument_model == model
        assert utility.simulation_enabled is False
        assert roof.system.serial_number.startswith("SN")
        assert roof.system.firmware_version == "2.1.0"
        assert len(roof.panels) == MODELS[model].panels


@pytest.mark.parametrize("model", SUPPORTED_MODELS)
def test_profile_through_pyvisa_library_variable(
    model: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The driver builds its own ``pyvisa.ResourceManager()``, which honours PYVISA_LIBRARY."""
    monkeypatch.setenv("PYVISA_LIBRARY", f"{profile_path()}@sim")
    with SkSunroof(profile_resource_name(model), id_query=True, reset=True) as roof:
        assert roof.ivi_utility.instrument_model == model
        assert roof.ivi_utility.error_query() is None


def test_every_member_uses_canonical_commands(roof: SkSunroof) -> None:
    """With status checking on, any message the profile does not know would raise -100."""
    info = roof.system.model_info
    roof.ivi_utility.reset()
    roof.motor.speed = 35
    assert roof.motor.speed == 35
    assert roof.motor.current == pytest.approx(0.05)
    assert roof.motor.temperature == pytest.approx(25.0)
    roof.anti_pinch.enabled = False
    assert roof.anti_pinch.enabled is False
    roof.anti_pinch.enabled = True
    roof.anti_pinch.threshold = 65
    assert roof.anti_pinch.threshold == 65
    assert roof.anti_pinch.event_occurred is False
    for panel in roof.panels.values():
        if info.slide:
            panel.position = 45
            assert panel.position == 45
        if info.tilt:
            panel.tilt = 0
            assert panel.tilt == 0
        assert panel.state is PanelState.CLOSED  # nothing moves in pyvisa-sim
        panel.stop()
        panel.wait_for_motion()
    if info.shade:
        roof.shade.position = 15
        assert roof.shade.position == 15
    if info.solar:
        assert roof.solar.power == pytest.approx(120.0)
    roof.system.clear_status()
    roof.system.read_event_status()
    roof.system.self_test()
    roof.system.wait_for_operation_complete()
    assert roof.system.panel_count == len(roof.panels)
    assert roof.system.error_count == 0
    assert roof.ivi_utility.error_query_all() == ()


@pytest.mark.parametrize("model", ["SR-IB100", "SR-PN200"])
def test_refusals_of_the_profile(model: str) -> None:
    with open_profile(model, range_check=False) as roof:
        roof.motor.speed = 99  # refused: queued, no status checking
        assert roof.ivi_utility.error_query() == ErrorQueryResult(-100, "Command error")
        roof.ivi_utility.query_instrument_status_enabled = True
        with pytest.raises(InstrumentError) as caught:
            roof.anti_pinch.threshold = 150
        assert caught.value.code == -100
        # A refused query gets no reply: the driver raises the queued error.
        with pytest.raises(InstrumentError) as caught:
            roof._session.ask_str("PAN3:POS?")  # noqa: SLF001 - no public way to send it
        assert caught.value.code == -100
        assert roof.motor.speed == 20
