"""``ivi-conform sim``: run the live simulator, or show where the embedded profile is.

``--live`` serves one model on a TCP port until SIGINT or SIGTERM and exits 0.
Its first line of output is the VISA resource name, flushed at once, so that a
script or a test can start it with ``--port 0`` and read where to connect.
``--profile`` prints the absolute path of the shipped pyvisa-sim YAML, for
``PYVISA_LIBRARY=<path>@sim`` or ``ResourceManager("<path>@sim")``.

The default port is 5025, the customary raw-SCPI socket port of instruments.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from ivi_conform.sim.instrument import (
    DEFAULT_FIRMWARE,
    DEFAULT_MANUFACTURER,
    DEFAULT_SERIAL,
    MODELS,
)
from ivi_conform.sim.live import LiveSimulator
from ivi_conform.sim.profile import shipped_profile

__all__ = ["add_arguments", "main", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``sim`` options to ``parser`` (the main CLI's subcommand parser)."""
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--live",
        action="store_true",
        help="serve the live simulator; prints the VISA resource name first",
    )
    mode.add_argument(
        "--profile",
        action="store_true",
        help="print the absolute path of the embedded pyvisa-sim profile",
    )
    parser.add_argument("--model", choices=list(MODELS), default="SR-PN200")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=int, default=5025, help="TCP port; 0 lets the system choose"
    )
    parser.add_argument("--manufacturer", default=DEFAULT_MANUFACTURER)
    parser.add_argument("--serial", default=DEFAULT_SERIAL, help="SN and six digits")
    parser.add_argument("--firmware", default=DEFAULT_FIRMWARE, help="a semantic version")


def run(args: argparse.Namespace) -> int:
    """Carry out ``ivi-conform sim``; returns the exit status.

    ``--live`` must run in the main thread, which receives the signals.
    """
    if args.profile:
        print(shipped_profile())
        return 0
    try:
        sim = LiveSimulator(
            model=args.model,
            manufacturer=args.manufacturer,
            serial=args.serial,
            firmware=args.firmware,
            host=args.host,
            port=args.port,
            trace_limit=0,  # nobody reads the trace of a stand-alone server
        )
        sim.start()
    except (ValueError, OSError) as error:
        print(f"ivi-conform sim: {error}", file=sys.stderr)
        return 2 if isinstance(error, ValueError) else 1
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(sim.resource_name, flush=True)
        print(
            f"serving {args.model} as {sim.instrument.identity}; stop with Ctrl+C",
            file=sys.stderr,
            flush=True,
        )
        stopping.wait()
    finally:
        sim.stop()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry point, same options as ``ivi-conform sim``."""
    parser = argparse.ArgumentParser(
        prog="ivi-conform sim",
        description="Run the sunroof actuator simulator or locate its pyvisa-sim profile.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
