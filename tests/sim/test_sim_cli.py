"""``ivi-conform sim``: the live server as a process, the profile path, the two entry points."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ivi_conform.sim import shipped_profile
from ivi_conform.sim.cli import add_arguments, main, run

REPO = Path(__file__).resolve().parents[2]


def sim_process(*args: str) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return subprocess.Popen(
        [sys.executable, "-m", "ivi_conform.sim.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_live_prints_the_resource_name_first_and_stops_on_a_signal(stop_signal):
    process = sim_process("--live", "--model", "SR-PN200", "--port", "0")
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        board, host, port, kind = first.split("::")
        assert (board, host, kind) == ("TCPIP0", "127.0.0.1", "SOCKET")
        with socket.create_connection((host, int(port)), timeout=5) as client:
            client.sendall(b"*IDN?\n")
            assert client.makefile("rb").readline() == (
                b"Skylight Test Systems,SR-PN200,SN100042,2.1.0\n"
            )
        process.send_signal(stop_signal)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_live_with_another_identity_through_pyvisa(visa_rm):
    process = sim_process(
        "--live", "--model", "SR-SO300", "--port", "0", "--manufacturer", "Acme Roofs",
        "--serial", "SN000007", "--firmware", "4.0.0",
    )  # fmt: skip
    try:
        assert process.stdout is not None
        resource = visa_rm.open_resource(
            process.stdout.readline().strip(), read_termination="\n", write_termination="\n"
        )
        assert resource.query("*IDN?") == "Acme Roofs,SR-SO300,SN000007,4.0.0"
        assert resource.query("SOL:POW?") == "120.00"
        resource.close()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_profile_prints_the_absolute_path_of_the_yaml():
    process = sim_process("--profile")
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    path = Path(out.strip())
    assert out.count("\n") == 1
    assert path.is_absolute()
    assert path.samefile(shipped_profile())


def test_run_through_the_main_clis_hooks(capsys):
    parser = argparse.ArgumentParser(prog="ivi-conform")
    sub = parser.add_subparsers(dest="command", required=True)
    add_arguments(sub.add_parser("sim"))
    assert run(parser.parse_args(["sim", "--profile"])) == 0
    assert capsys.readouterr().out == f"{shipped_profile()}\n"


@pytest.mark.parametrize(
    "argv",
    [[], ["--live", "--profile"], ["--live", "--model", "SR-XX999"], ["--live", "--port", "x"]],
)
def test_bad_usage_exits_2(argv):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2


def test_invalid_identity_exits_2(capsys):
    assert main(["--live", "--port", "0", "--serial", "12345"]) == 2
    assert "serial" in capsys.readouterr().err


def test_port_in_use_exits_1(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--live", "--port", str(port)]) == 1
    assert "ivi-conform sim:" in capsys.readouterr().err
