"""SCPI parsing on its own: headers, suffixes, the path rule, parameters, replies."""

from __future__ import annotations

import pytest

from ivi_conform.sim import SunroofInstrument
from ivi_conform.sim.scpi import Call, Refusal, execute, parse_program


@pytest.fixture
def roof(clock):
    return SunroofInstrument("SR-PN200", clock=clock)


def send(roof, message):
    """Replies of one program message, and the errors it queued."""
    replies = [execute(roof, unit) for unit in parse_program(message, roof.panel_count)]
    errors = []
    while roof.error_count():
        errors.append(roof.next_error().value)
    return [r for r in replies if r is not None], errors


# Every keyword in short, long and mixed case, with and without suffix and colon.
SAME_COMMAND = [
    ["SYST:ERR?", "SYSTEM:ERROR?", "syst:err:next?", "System:Error:Next?", ":SYST:ERR?"],
    ["SYST:ERR:COUN?", "SYSTEM:ERROR:COUNT?", "sYsT:eRr:CoUnT?", ":system:error:coun?"],
    ["PAN:COUN?", "PANEL:COUNT?", "pan1:coun?", ":Panel2:Count?"],
    ["PAN1:POS?", "PAN:POS?", "PANEL1:POSITION?", "panel:position?", ":pan1:pos?", "PAN01:POS?"],
    ["PAN2:TILT?", "PANEL2:TILT?", "pan2:tilt?", ":Panel2:Tilt?"],
    ["PAN2:STAT?", "PANEL2:STATE?", "pan2:stat?", ":PANEL2:STAT?"],
    ["SHAD:POS?", "SHADE:POSITION?", "shad:position?", ":Shade:Pos?"],
    ["MOT:SPE?", "MOTOR:SPEED?", "mot:speed?", ":Motor:Spe?"],
    ["MOT:CURR?", "MOTOR:CURRENT?", "mot:curr?", ":motor:current?"],
    ["MOT:TEMP?", "MOTOR:TEMPERATURE?", "mot:temperature?", ":Mot:Temp?"],
    ["PINC:STAT?", "PINCH:STATE?", "pinc:state?", ":Pinch:Stat?"],
    ["PINC:THR?", "PINCH:THRESHOLD?", "pinc:threshold?", ":PINCH:THR?"],
    ["PINC:EVEN?", "PINCH:EVENT?", "pinch:even?", ":Pinc:Event?"],
    ["*IDN?", "*idn?", "*Idn?"],
    ["*ESR?", "*esr?"],
    ["*TST?", "*tst?"],
    ["*OPC?", "*opc?"],
]


@pytest.mark.parametrize("spellings", SAME_COMMAND, ids=lambda s: s[0])
def test_every_spelling_is_the_same_command(roof, spellings):
    replies = {tuple(send(roof, spelling)[0]) for spelling in spellings}
    assert len(replies) == 1
    assert len(next(iter(replies))) == 1
    assert send(roof, "SYST:ERR:COUN?") == (["0"], [])


@pytest.mark.parametrize(
    "word",
    [
        "PANE:COUN?",
        "PA:COUN?",
        "PANELS:COUNT?",
        "SYS:ERR?",
        "SYST:ERRO?",
        "MOT:SPEE?",
        "PINCHES:EVEN?",
    ],
)
def test_only_the_short_and_long_forms_match(roof, word):
    assert send(roof, word) == ([], [-113])


@pytest.mark.parametrize(
    ("message", "replies"),
    [
        ("PAN2:POS 5;TILT?", ["0"]),  # PAN2:TILT? below the path of PAN2:POS
        ("PAN2:POS?;TILT?;STAT?", ["0", "0", "CLOSED"]),
        ("MOT:SPE 30;SPE?", ["30"]),
        ("MOT:SPE 30;PAN1:STAT?", ["CLOSED"]),  # not under MOT: found from the root
        ("SYST:ERR:COUN?;NEXT?", ["0", '0,"No error"']),  # SYST:ERR:NEXT?
        ("PINC:THR 40;*IDN?;STAT?", ["Skylight Test Systems,SR-PN200,SN100042,2.1.0", "1"]),
        ("PAN1:POS?;:PAN2:POS?", ["0", "0"]),
        ("*TST?;;*TST?;", ["0", "0"]),
        ("", []),
        ("\tPAN:COUN?\t", ["2"]),
        ("MOT:SPE\t25;SPE?", ["25"]),
    ],
)
def test_compound_messages_and_the_path_rule(roof, message, replies):
    assert send(roof, message) == (replies, [])


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("PAN2:POS?;FOO?", -113),
        ("SYST:ERR?;COUN?", -113),  # SYST:COUN? does not exist
        ("PAN1:POS?;:TILT?", -113),  # a leading colon goes back to the root
    ],
)
def test_path_rule_errors(roof, message, code):
    assert send(roof, message)[1][-1] == code


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("50", 50),
        ("+50", 50),
        ("050", 50),
        ("5E1", 50),
        ("5e+1", 50),
        ("49.5", 50),
        ("49.49", 49),
        (".4", 0),
        ("1.", 1),
        ("100.4", 100),
    ],
)
def test_integers_accept_scpi_decimal_numbers(roof, clock, value, expected):
    assert send(roof, f"SHAD:POS {value}") == ([], [])
    clock.advance(10)
    assert send(roof, "SHAD:POS?") == ([str(expected)], [])


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("abc", -104),
        ("5V", -104),
        ("0x10", -104),
        ("1,2", -108),
        ("", -109),
        ("100.5", -222),
        ("-0.6", -222),
        ("1e999", -222),
        ("MAX", -104),
        ("ON", -104),
    ],
)
def test_integer_refusals(roof, value, code):
    assert send(roof, f"SHAD:POS {value}") == ([], [code])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ON", "1"),
        ("on", "1"),
        ("On", "1"),
        ("OFF", "0"),
        ("off", "0"),
        ("1", "1"),
        ("0", "0"),
        ("0.4", "0"),
        ("1.0", "1"),
    ],
)
def test_booleans(roof, value, expected):
    send(roof, "PINC:STAT " + ("0" if expected == "1" else "1"))
    assert send(roof, f"PINC:STAT {value};STAT?") == ([expected], [])


@pytest.mark.parametrize(
    ("value", "code"), [("2", -222), ("-1", -222), ("YES", -104), ("TRUE", -104)]
)
def test_boolean_refusals(roof, value, code):
    assert send(roof, f"PINC:STAT {value}") == ([], [code])


def test_opc_waits_and_others_do_not(roof):
    units = parse_program("*OPC?;*IDN?;PAN1:POS 5", roof.panel_count)
    assert [isinstance(u, Call) and u.command.waits_for_idle for u in units] == [
        True,
        False,
        False,
    ]


def test_parse_errors_are_kept_in_order(roof):
    units = parse_program("FOO;PAN3:POS?;PAN1:POS;PAN1:POS 1,2;*IDN?", roof.panel_count)
    assert [u.code.value if isinstance(u, Refusal) else "ok" for u in units] == [
        -113,
        -114,
        -109,
        -108,
        "ok",
    ]


def test_replies_format(roof):
    assert send(roof, "MOT:CURR?;TEMP?;:SYST:ERR?") == (["0.05", "25.0", '0,"No error"'], [])
    solar = SunroofInstrument("SR-SO300")
    assert send(solar, "SOL:POW?") == (["120.00"], [])


def test_non_ascii_is_an_undefined_header(roof):
    assert send(roof, "PAN1:PÖS?") == ([], [-113])
