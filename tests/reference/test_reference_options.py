"""The ``options`` argument: the dictionary form, the IVI option string, and their errors."""

from __future__ import annotations

from typing import Any

import pytest
from sksunroof import (
    InvalidOptionValueError,
    OptionError,
    OptionStringError,
    SkSunroof,
    UnknownOptionError,
)
from sksunroof.options import DriverOptions, parse_option_string, resolve_options


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", DriverOptions()),
        ("   ", DriverOptions()),
        ("Simulate=True", DriverOptions(simulate=True)),
        ("simulate=1", DriverOptions(simulate=True)),
        ("SIMULATE=VI_TRUE", DriverOptions(simulate=True)),
        ("Simulate = false", DriverOptions()),
        ("Simulate=vi_false", DriverOptions()),
        ("Simulate=0,", DriverOptions()),
        ("QueryInstrStatus=1", DriverOptions(query_instrument_status=True)),
        ("QueryInstrumentStatus=TRUE", DriverOptions(query_instrument_status=True)),
        ("RangeCheck=0", DriverOptions(range_check=False)),
        (
            "Simulate=1; QueryInstrStatus=1, RangeCheck=False",
            DriverOptions(simulate=True, query_instrument_status=True, range_check=False),
        ),
        (
            "Simulate=1, DriverSetup=Model=SR-SO300",
            DriverOptions(simulate=True, simulated_model="SR-SO300"),
        ),
        (
            "Simulate=1,DriverSetup= model=sr-fd600; IoTimeoutMs=500",
            DriverOptions(simulate=True, simulated_model="SR-FD600", io_timeout_ms=500),
        ),
        ("DriverSetup=Model:SR-TM500", DriverOptions(simulated_model="SR-TM500")),
        ("DriverSetup=VisaLibrary=/Path/To/Profile.yaml@sim",
         DriverOptions(visa_library="/Path/To/Profile.yaml@sim")),
        ("DriverSetup=VisaLibrary=C:\\VISA\\x.yaml@sim, Model=SR-IB100",
         DriverOptions(visa_library="C:\\VISA\\x.yaml@sim", simulated_model="SR-IB100")),
        ("DriverSetup=", DriverOptions()),
    ],
)
def test_option_string_grammar(text: str, expected: DriverOptions) -> None:
    assert parse_option_string(text) == expected
    assert resolve_options(text) == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("Simulate", OptionStringError),
        ("=True", OptionStringError),
        ("Simulate=", OptionStringError),
        ("Simulate=1,,RangeCheck=1", OptionStringError),
        (",Simulate=1", OptionStringError),
        ("Simulate=1,Simulate=0", OptionStringError),
        ("QueryInstrStatus=1;QueryInstrumentStatus=0", OptionStringError),
        (", DriverSetup=Model=SR-PN200", OptionStringError),
        ("Simulate:1", OptionStringError),
        ("Cache=1", UnknownOptionError),
        ("Simulation=1", UnknownOptionError),
        ("Simulate=yes", InvalidOptionValueError),
        ("Simulate=2", InvalidOptionValueError),
        ("Simulate=tr ue", InvalidOptionValueError),
        ("DriverSetup=Model=SR-XX999", InvalidOptionValueError),
        ("DriverSetup=IoTimeoutMs=fast", InvalidOptionValueError),
        ("DriverSetup=IoTimeoutMs=0", InvalidOptionValueError),
        ("DriverSetup=Trace=1", UnknownOptionError),
        ("DriverSetup=Model", OptionStringError),
        ("DriverSetup=Model=SR-IB100;Model=SR-PN200", OptionStringError),
    ],
)
def test_bad_option_strings_raise(text: str, error: type[OptionError]) -> None:
    with pytest.raises(error):
        parse_option_string(text)
    with pytest.raises(OptionError):  # and a ValueError, for generic callers
        SkSunroof("", options=text)
    assert issubclass(error, ValueError)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (None, DriverOptions()),
        ({}, DriverOptions()),
        ({"simulate": True}, DriverOptions(simulate=True)),
        ({"query_instrument_status": True}, DriverOptions(query_instrument_status=True)),
        ({"query_instr_status": True}, DriverOptions(query_instrument_status=True)),
        ({"range_check": False}, DriverOptions(range_check=False)),
        ({"simulated_model": "sr-so300"}, DriverOptions(simulated_model="SR-SO300")),
        ({"visa_library": "@py"}, DriverOptions(visa_library="@py")),
        ({"io_timeout_ms": 250}, DriverOptions(io_timeout_ms=250)),
        ({"driver_setup": "Model=SR-TS400"}, DriverOptions(simulated_model="SR-TS400")),
        (
            {"driver_setup": "Model=SR-TS400", "simulated_model": "SR-IB100"},
            DriverOptions(simulated_model="SR-IB100"),
        ),
    ],
)
def test_option_dictionary(options: Any, expected: DriverOptions) -> None:
    assert resolve_options(options) == expected


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"simulation": True}, UnknownOptionError),
        ({"Simulate": True}, UnknownOptionError),
        ({"simulate": 1}, InvalidOptionValueError),
        ({"simulate": "True"}, InvalidOptionValueError),
        ({"simulated_model": "SR-XX999"}, InvalidOptionValueError),
        ({"simulated_model": 200}, InvalidOptionValueError),
        ({"io_timeout_ms": 1.5}, InvalidOptionValueError),
        ({"io_timeout_ms": True}, InvalidOptionValueError),
        ({"io_timeout_ms": -1}, InvalidOptionValueError),
        ({"visa_library": None}, InvalidOptionValueError),
        ({"driver_setup": {"Model": "SR-PN200"}}, InvalidOptionValueError),
        ({"query_instrument_status": True, "query_instr_status": True}, InvalidOptionValueError),
        (["simulate"], InvalidOptionValueError),
    ],
)
def test_bad_option_dictionaries_raise(options: Any, error: type[OptionError]) -> None:
    with pytest.raises(error):
        resolve_options(options)


def test_bad_options_raise_before_any_io(monkeypatch: pytest.MonkeyPatch) -> None:
    """An invalid option is reported before the driver touches VISA."""
    import pyvisa

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the driver opened VISA before validating its options")

    monkeypatch.setattr(pyvisa, "ResourceManager", forbidden)
    with pytest.raises(UnknownOptionError):
        SkSunroof("TCPIP0::127.0.0.1::1::SOCKET", options="Bogus=1")


def test_option_string_and_dictionary_agree() -> None:
    text = "Simulate=1, QueryInstrStatus=1, RangeCheck=0, DriverSetup=Model=SR-SO300"
    from_dict = resolve_options(
        {
            "simulate": True,
            "query_instrument_status": True,
            "range_check": False,
            "simulated_model": "SR-SO300",
        }
    )
    assert resolve_options(text) == from_dict
