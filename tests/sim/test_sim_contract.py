"""The contract (sunroof-actuator-scpi.md), table by table, against the live simulator.

Every case runs twice, through a plain socket and through pyvisa-py
(``TCPIP0::127.0.0.1::<port>::SOCKET``), each against its own simulator.
The expected values are written out from the contract here, not taken from
the implementation's tables, so that a wrong table fails.
"""

from __future__ import annotations

import pytest

IDN = "Skylight Test Systems,SR-PN200,SN100042,2.1.0"
NO_ERROR = '0,"No error"'

# The contract's model table: panels, slide, tilt, shade, solar.
CONTRACT_MODELS = {
    "SR-IB100": (1, True, True, True, False),
    "SR-PN200": (2, True, True, True, False),
    "SR-SO300": (1, True, True, False, True),
    "SR-TS400": (1, True, True, True, False),
    "SR-TM500": (1, False, True, False, False),
    "SR-FD600": (1, True, False, False, False),
}

MESSAGES = {
    -104: "Data type error",
    -108: "Parameter not allowed",
    -109: "Missing parameter",
    -113: "Undefined header",
    -114: "Header suffix out of range",
    -221: "Settings conflict",
    -222: "Data out of range",
    -241: "Hardware missing",
    -350: "Queue overflow",
    201: "Obstruction detected",
    202: "Motor overtemperature",
}


def error(code: int) -> str:
    return f'{code},"{MESSAGES[code]}"'


def assert_no_reply(client, identity=IDN):
    """The previous message sent nothing: the next line is the *IDN? reply."""
    assert client.query("*IDN?") == identity


# --- replies at power-on, every header in short, long and odd-case form

POWER_ON = [
    ("*IDN?", IDN),
    ("*idn?", IDN),
    ("*TST?", "0"),
    ("*tst?", "0"),
    ("*OPC?", "1"),
    ("*ESR?", "0"),
    ("SYST:ERR?", NO_ERROR),
    ("SYSTEM:ERROR?", NO_ERROR),
    ("syst:err:next?", NO_ERROR),
    ("SyStEm:ErRoR:NeXt?", NO_ERROR),
    (":SYST:ERR?", NO_ERROR),
    ("SYST:ERR:COUN?", "0"),
    ("system:error:count?", "0"),
    ("PAN:COUN?", "2"),
    ("PANEL:COUNT?", "2"),
    ("Panel1:Count?", "2"),
    ("PAN1:POS?", "0"),
    ("PAN:POS?", "0"),
    ("panel2:position?", "0"),
    (":PAN2:POS?", "0"),
    ("PAN1:TILT?", "0"),
    ("panel:tilt?", "0"),
    ("PAN1:STAT?", "CLOSED"),
    ("PANEL2:STATE?", "CLOSED"),
    ("pan:stat?", "CLOSED"),
    ("SHAD:POS?", "0"),
    ("Shade:Position?", "0"),
    ("MOT:SPE?", "20"),
    ("motor:speed?", "20"),
    ("MOT:CURR?", "0.05"),
    ("MOTOR:CURRENT?", "0.05"),
    ("MOT:TEMP?", "25.0"),
    ("motor:temperature?", "25.0"),
    ("PINC:STAT?", "1"),
    ("PINCH:STATE?", "1"),
    ("PINC:THR?", "80"),
    ("pinch:threshold?", "80"),
    ("PINC:EVEN?", "0"),
    ("PINCH:EVENT?", "0"),
    ("PAN:COUN?;*IDN?", f"2;{IDN}"),
    ("PAN2:POS?;TILT?;STAT?", "0;0;CLOSED"),
    ("  PAN1:POS?  ", "0"),
]


@pytest.mark.parametrize(("message", "reply"), POWER_ON)
def test_power_on_reply(start_sim, connect, message, reply):
    client = connect(start_sim("SR-PN200"))
    assert client.query(message) == reply
    assert client.query("SYST:ERR?") == NO_ERROR


def test_crlf_terminated_messages_are_accepted(start_sim, socket_client):
    client = socket_client(start_sim())
    client.write_raw(b"PAN:COUN?\r\n*TST?\r\n")
    assert [client.read(), client.read()] == ["2", "0"]


# --- settings: (messages, query, expected reply); *OPC? is asked between them

SETTINGS = [
    (["MOT:SPE 35"], "MOT:SPE?", "35"),
    (["motor:speed 1"], "MOT:SPE?", "1"),
    (["MOT:SPE 50"], "MOTOR:SPEED?", "50"),
    (["MOT:SPE 5E1"], "MOT:SPE?", "50"),
    (["MOT:SPE 49.6"], "MOT:SPE?", "50"),
    (["MOT:SPE +7"], "MOT:SPE?", "7"),
    (["PINC:STAT OFF"], "PINC:STAT?", "0"),
    (["PINC:STAT 0", "pinch:state on"], "PINC:STAT?", "1"),
    (["PINC:STAT off", "PINCH:STATE 1"], "PINC:STAT?", "1"),
    (["PINC:STAT 0"], "PINC:STAT?", "0"),
    (["PINC:THR 20"], "PINC:THR?", "20"),
    (["PINCH:THRESHOLD 100"], "PINC:THR?", "100"),
    (["MOT:SPE 50", "PAN1:POS 30"], "PAN1:POS?", "30"),
    (["MOT:SPE 50", "PAN:POS 30"], "PAN1:POS?", "30"),
    (["MOT:SPE 50", "panel2:position 100"], "PAN2:POS?", "100"),
    (["MOT:SPE 50", "PAN2:POS 100"], "PAN1:POS?", "0"),
    (["MOT:SPE 50", "PAN1:POS 30"], "PAN1:STAT?", "OPEN"),
    (["MOT:SPE 50", "PAN1:TILT 25"], "PAN1:TILT?", "25"),
    (["MOT:SPE 50", "Panel1:Tilt 25"], "PAN1:STAT?", "VENTED"),
    (["MOT:SPE 50", "PAN1:POS 30", "PAN1:POS 0"], "PAN1:STAT?", "CLOSED"),
    (["MOT:SPE 50", "SHAD:POS 100"], "SHAD:POS?", "100"),
    (["MOT:SPE 50", "SHADE:POSITION 40"], "SHAD:POS?", "40"),
    (["MOT:SPE 50;PAN1:POS 20;PAN2:POS 10"], "PAN1:POS?;:PAN2:POS?", "20;10"),
    (["MOT:SPE 50;:PAN2:TILT 15"], "PAN2:TILT?", "15"),
    (["MOT:SPE 50", "PAN1:POS 10", "PAN1:STOP"], "PAN1:POS?", "10"),
    (
        ["MOT:SPE 33", "PINC:THR 55", "PAN1:POS 40", "*RST"],
        "MOT:SPE?;:PINC:THR?;:PAN1:POS?",
        "20;80;0",
    ),
    (["PINC:STAT 0", "*RST"], "PINC:STAT?", "1"),
    (["MOT:SPE 50", "PAN1:TILT 40", "*RST"], "PAN1:STAT?", "CLOSED"),
]


@pytest.mark.parametrize(("messages", "query", "reply"), SETTINGS)
def test_setting(start_sim, connect, messages, query, reply):
    client = connect(start_sim("SR-PN200"))
    for message in messages:
        client.write(message)
        assert client.query("*OPC?") == "1"
    assert client.query(query) == reply
    assert client.query("SYST:ERR?") == NO_ERROR


# --- refused messages: (model, setup, message, error code)

ERRORS = [
    ("SR-PN200", [], "FOO", -113),
    ("SR-PN200", [], "FOO?", -113),
    ("SR-PN200", [], "PAN1:FOO?", -113),
    ("SR-PN200", [], "*FOO?", -113),
    ("SR-PN200", [], "*WAI?", -113),
    ("SR-PN200", [], "*STB", -113),
    ("SR-PN200", [], "*ESE", -109),
    ("SR-PN200", [], "*SRE 256", -222),
    ("SR-PN200", [], "*RST?", -113),
    ("SR-PN200", [], "*IDN", -113),
    ("SR-PN200", [], "PAN1:STOP?", -113),
    ("SR-PN200", [], "PAN1:STAT", -113),
    ("SR-PN200", [], "PAN1:STAT CLOSED", -113),
    ("SR-PN200", [], "MOT1:SPE?", -113),
    ("SR-PN200", [], "PANE:COUN?", -113),
    ("SR-PN200", [], "PAN1:POSI?", -113),
    ("SR-PN200", [], "SYST:ERR:NEXT:FOO?", -113),
    ("SR-PN200", [], "::PAN1:POS?", -113),
    ("SR-PN200", [], "PAN1?", -113),
    ("SR-PN200", [], "PAN1:STOP;SPE?", -113),
    ("SR-PN200", [], "PAN3:POS?", -114),
    ("SR-PN200", [], "PAN0:POS?", -114),
    ("SR-PN200", [], "PANEL3:STOP", -114),
    ("SR-PN200", [], "PAN3:POS abc", -114),
    ("SR-IB100", [], "PAN2:POS 5", -114),
    ("SR-IB100", [], "PAN2:COUN?", -114),
    ("SR-FD600", [], "PAN2:TILT 5", -114),
    ("SR-PN200", [], "PAN1:POS abc", -104),
    ("SR-PN200", [], "MOT:SPE fast", -104),
    ("SR-PN200", [], "MOT:SPE MAX", -104),
    ("SR-PN200", [], "PINC:STAT maybe", -104),
    ("SR-PN200", [], "PINC:THR 80N", -104),
    ("SR-PN200", [], "SHAD:POS #H10", -104),
    ("SR-PN200", [], "PAN1:POS 5,6", -108),
    ("SR-PN200", [], "PAN1:POS? 5", -108),
    ("SR-PN200", [], "*IDN? 1", -108),
    ("SR-PN200", [], "PAN1:STOP 1", -108),
    ("SR-PN200", [], "PAN1:POS", -109),
    ("SR-PN200", [], "MOT:SPE", -109),
    ("SR-PN200", [], "PINC:STAT", -109),
    ("SR-PN200", [], "PAN1:POS 101", -222),
    ("SR-PN200", [], "PAN1:POS -1", -222),
    ("SR-PN200", [], "PAN2:TILT 101", -222),
    ("SR-PN200", [], "SHAD:POS 101", -222),
    ("SR-PN200", [], "MOT:SPE 0", -222),
    ("SR-PN200", [], "MOT:SPE 51", -222),
    ("SR-PN200", [], "MOT:SPE 1e400", -222),
    ("SR-PN200", [], "PINC:THR 19", -222),
    ("SR-PN200", [], "PINC:THR 101", -222),
    ("SR-PN200", [], "PINC:STAT 2", -222),
    ("SR-FD600", [], "PAN1:TILT 5", -241),
    ("SR-SO300", [], "SHAD:POS 5", -241),
    ("SR-SO300", [], "SHAD:POS?", -241),
    ("SR-TM500", [], "PAN1:POS 5", -241),
    ("SR-TM500", [], "SHAD:POS?", -241),
    ("SR-FD600", [], "SHAD:POS 0", -241),
    ("SR-IB100", [], "SOL:POW?", -241),
    ("SR-PN200", [], "SOL:POW?", -241),
    ("SR-TS400", [], "SOLAR:POWER?", -241),
    ("SR-TM500", [], "SOL:POW?", -241),
    ("SR-FD600", [], "SOL:POW?", -241),
    ("SR-PN200", ["MOT:SPE 50", "PAN1:TILT 30"], "PAN1:POS 10", -221),
    ("SR-PN200", ["MOT:SPE 50", "PAN1:POS 30"], "PAN1:TILT 10", -221),
    ("SR-PN200", ["MOT:SPE 50", "PAN2:POS 1"], "PANEL2:TILT 100", -221),
    ("SR-IB100", ["MOT:SPE 50", "PAN1:TILT 5"], "PAN:POS 100", -221),
]


def _settings(sim):
    """Everything a refused command must leave as it was."""
    inst = sim.instrument
    panels = [
        (
            inst.position(n) if inst.spec.slide else None,
            inst.tilt(n) if inst.spec.tilt else None,
            inst.state(n),
        )
        for n in range(1, inst.panel_count + 1)
    ]
    shade = inst.shade() if inst.spec.shade else None
    return (panels, shade, inst.speed(), inst.pinch_enabled(), inst.pinch_threshold())


@pytest.mark.parametrize(("model", "setup", "message", "code"), ERRORS)
def test_refused_message(start_sim, connect, model, setup, message, code):
    sim = start_sim(model)
    client = connect(sim)
    identity = sim.instrument.identity
    for step in setup:
        client.write(step)
        assert client.query("*OPC?") == "1"
    before = _settings(sim)
    client.write(message)
    assert_no_reply(client, identity)
    assert _settings(sim) == before
    assert client.query("SYST:ERR:COUN?") == "1"
    assert client.query("SYST:ERR?") == error(code)
    assert client.query("SYST:ERR?") == NO_ERROR


def test_failing_unit_does_not_stop_the_others(start_sim, connect):
    client = connect(start_sim())
    assert client.query("PAN1:POS?;FOO?;PAN3:POS?;PAN:COUN?") == "0;2"
    assert client.query("SYST:ERR?;SYST:ERR?;SYST:ERR?") == (
        f"{error(-113)};{error(-114)};{NO_ERROR}"
    )


# --- the event status register

ESR_BITS = [
    ("FOO", 32),
    ("PAN3:POS?", 32),
    ("PAN1:POS abc", 32),
    ("PAN1:POS 101", 16),
    ("SOL:POW?", 16),
    ("PAN1:POS 5;FOO;MOT:SPE 99", 48),
]


@pytest.mark.parametrize(("message", "esr"), ESR_BITS)
def test_event_status_bits(start_sim, connect, message, esr):
    client = connect(start_sim())
    client.write(message)
    assert client.query("*ESR?") == str(esr)
    assert client.query("*ESR?") == "0"


def test_device_errors_set_esr_bit_3(start_sim, connect):
    sim = start_sim()
    client = connect(sim)
    sim.faults.obstruction(panel=1, position=10)
    client.write("MOT:SPE 50;PAN1:POS 50")
    assert client.query("*OPC?") == "1"
    assert client.query("*ESR?") == "8"


def test_cls_clears_queue_esr_and_pinch_event(start_sim, connect):
    sim = start_sim()
    client = connect(sim)
    sim.faults.obstruction(panel=1, position=10)
    client.write("MOT:SPE 50;PAN1:POS 50;FOO")
    assert client.query("*OPC?;PINC:EVEN?") == "1;1"
    client.write("*CLS")
    assert client.query("SYST:ERR:COUN?;*ESR?;:PINC:EVEN?") == "0;0;0"
    assert client.query("PAN1:STAT?") == "BLOCKED"


def test_rst_keeps_the_error_queue_and_restores_settings(start_sim, connect):
    client = connect(start_sim())
    client.write("FOO;MOT:SPE 45;PINC:STAT OFF;PINC:THR 30;MOT:SPE 99")
    client.write("*RST")
    assert client.query("SYST:ERR:COUN?") == "2"
    assert client.query("MOT:SPE?;:PINC:STAT?;THR?") == "20;1;80"
    assert client.query("SYST:ERR?;SYST:ERR?") == f"{error(-113)};{error(-222)}"


# --- the error queue


def test_queue_holds_ten_and_newest_becomes_overflow(start_sim, connect):
    client = connect(start_sim())
    for n in range(12):
        client.write(f"PAN1:POS {200 + n}" if n % 2 else "FOO")
    assert client.query("SYST:ERR:COUN?") == "10"
    replies = [client.query("SYST:ERR?") for _ in range(11)]
    assert replies[:9] == [error(-113), error(-222)] * 4 + [error(-113)]
    assert replies[9] == error(-350)
    assert replies[10] == NO_ERROR


def test_exactly_ten_errors_do_not_overflow(start_sim, connect):
    client = connect(start_sim())
    for _ in range(10):
        client.write("FOO")
    replies = [client.query("SYST:ERR?") for _ in range(10)]
    assert replies == [error(-113)] * 10


# --- model differences


@pytest.mark.parametrize("model", list(CONTRACT_MODELS))
def test_model_features(start_sim, connect, model):
    panels, slide, tilt, shade, solar = CONTRACT_MODELS[model]
    sim = start_sim(model)
    client = connect(sim)
    identity = f"Skylight Test Systems,{model},SN100042,2.1.0"
    assert client.query("*IDN?") == identity
    assert client.query("PAN:COUN?") == str(panels)
    # a motion the model lacks still reads 0 (the contract); only setting it is refused
    for query in ("PAN1:POS?", "PAN1:TILT?"):
        assert client.query(query) == "0", query
        assert client.query("SYST:ERR?") == NO_ERROR
    features = [
        (shade, "SHAD:POS?", "0"),
        (solar, "SOL:POW?", "120.00"),
    ]
    for present, query, reply in features:
        if present:
            assert client.query(query) == reply, query
            assert client.query("SYST:ERR?") == NO_ERROR
        else:
            client.write(query)
            assert_no_reply(client, identity)
            assert client.query("SYST:ERR?") == error(-241), query
    for n in range(1, panels + 1):
        assert client.query(f"PAN{n}:STAT?") == "CLOSED"
    client.write(f"PAN{panels + 1}:STAT?")
    assert_no_reply(client, identity)
    assert client.query("SYST:ERR?") == error(-114)


@pytest.mark.parametrize("model", list(CONTRACT_MODELS))
def test_model_moves_what_it_has(start_sim, connect, model):
    panels, slide, tilt, _, _ = CONTRACT_MODELS[model]
    client = connect(start_sim(model))
    axis = "POS" if slide else "TILT"
    for n in range(1, panels + 1):
        client.write(f"MOT:SPE 50;PAN{n}:{axis} 60")
    assert client.query("*OPC?") == "1"
    for n in range(1, panels + 1):
        assert client.query(f"PAN{n}:{axis}?;STAT?") == f"60;{'OPEN' if slide else 'VENTED'}"
    assert client.query("SYST:ERR?") == NO_ERROR


# --- IEEE 488.2 mandatory common commands, as a real SCPI instrument answers them


def test_common_commands_answer_as_ieee_488_2_says(start_sim, connect):
    client = connect(start_sim("SR-PN200"))
    assert client.query("*STB?") == "0"
    assert client.query("*OPT?") == "0"
    assert client.query("*ESE?") == "0" and client.query("*SRE?") == "0"
    client.write("*ESE 60;*SRE 32")
    assert client.query("*ESE?;*SRE?") == "60;32"
    client.write("FOO")  # -113: error queue (bit 2) and command error in the ESR (bit 5)
    assert client.query("*STB?") == str(4 | 32 | 64)
    client.write("*CLS")
    assert client.query("*STB?") == "0"
    assert client.query("*ESE?") == "60"  # *CLS keeps the masks
    client.write("MOT:SPE 50;PAN1:POS 100;*OPC")
    client.write("*WAI")
    assert client.query("PAN1:POS?") == "100"  # *WAI held it until the motion ended
    assert client.query("*ESR?") == "1"  # operation complete
    client.write("*RST")
    assert client.query("*ESE?;*SRE?") == "60;32"
    assert client.query("SYST:ERR?") == NO_ERROR
