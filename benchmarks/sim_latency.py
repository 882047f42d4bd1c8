"""Latency of the live simulator through pyvisa-py, beside a bare loopback echo server.

Usage: ``python benchmarks/sim_latency.py [--count N] [--rounds R] [--model MODEL]``

Both servers use the same transport (an asyncio TCP server on 127.0.0.1 in a
background thread, Nagle off on the server side) and the same client (a
pyvisa-py ``TCPIP0::127.0.0.1::<port>::SOCKET`` resource with ``\\n``
terminations), so the difference between the two rows is what the SCPI
parsing, the instrument model and the trace cost per ``*IDN?`` round trip. The
rounds alternate between the two servers so that drift in machine load hits
both. The aim is a simulator p50 within twice the echo server's.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyvisa  # noqa: E402

from ivi_conform.sim import MODELS, LiveSimulator  # noqa: E402


@contextmanager
def echo_server() -> Iterator[str]:
    """A line echo server on the simulator's transport; yields its resource name."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    port: list[int] = []

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                writer.write(line)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        server = loop.run_until_complete(asyncio.start_server(echo, "127.0.0.1", 0))
        port.append(server.sockets[0].getsockname()[1])
        ready.set()
        loop.run_forever()
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait()
    try:
        yield f"TCPIP0::127.0.0.1::{port[0]}::SOCKET"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()


def measure(resource: Any, count: int) -> list[float]:
    """Seconds per ``*IDN?`` query, one entry per round trip."""
    samples = []
    clock = time.perf_counter
    for _ in range(count):
        start = clock()
        resource.query("*IDN?")
        samples.append(clock() - start)
    return samples


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="queries per round and server")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", choices=list(MODELS), default="SR-PN200")
    args = parser.parse_args()

    rm = pyvisa.ResourceManager("@py")
    results: dict[str, list[float]] = {"echo server": [], "live simulator": []}
    with echo_server() as echo_name, LiveSimulator(model=args.model) as sim:
        resources = {
            "echo server": rm.open_resource(
                echo_name, read_termination="\n", write_termination="\n"
            ),
            "live simulator": rm.open_resource(
                sim.resource_name, read_termination="\n", write_termination="\n"
            ),
        }
        for resource in resources.values():
            measure(resource, 200)  # warm up
        for _ in range(args.rounds):
            for name, resource in resources.items():
                results[name] += measure(resource, args.count)
        for resource in resources.values():
            resource.close()
        traced = len(sim.trace)
    rm.close()

    print(f"*IDN? through pyvisa-py, {args.rounds} x {args.count} round trips per server")
    print(f"{'server':<16}{'round trips/s':>15}{'p50 ms':>10}{'p99 ms':>10}")
    for name, samples in results.items():
        rate = len(samples) / sum(samples)
        p50, p99 = statistics.median(samples), percentile(samples, 0.99)
        print(f"{name:<16}{rate:>15.0f}{p50 * 1e3:>10.3f}{p99 * 1e3:>10.3f}")
    ratio = statistics.median(results["live simulator"]) / statistics.median(
        results["echo server"]
    )
    print(f"p50 ratio simulator / echo: {ratio:.2f} (aim: at most 2); trace lines: {traced}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
