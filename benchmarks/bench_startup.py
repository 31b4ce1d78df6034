"""Start-up time: from launching ``fare-service serve`` to its first ``/healthz`` answer.

Loading covers tariffs, the places index, the 시도 and region grids, routers and templates.
Target: under 2 s, so replicas come up fast. Runs the server five times and prints each time and
the median; the in-process load alone is printed too.

    python benchmarks/bench_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def time_to_healthy() -> float:
    port = free_port()
    cmd = [sys.executable, "-m", "fare_service.cli", "serve", "--port", str(port)]
    started = time.perf_counter()
    server = subprocess.Popen(cmd, stderr=subprocess.DEVNULL, env=os.environ.copy())
    try:
        while time.perf_counter() - started < 30:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                return time.perf_counter() - started
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("no answer within 30 s")
    finally:
        server.terminate()
        server.wait(timeout=10)


def in_process_load() -> float:
    from fare_service.config import Settings
    from fare_service.service.runtime import load_runtime

    started = time.perf_counter()
    load_runtime(Settings())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times = [time_to_healthy() for _ in range(args.runs)]
    print("launch to first /healthz:", ", ".join(f"{t:.2f} s" for t in times))
    print(f"median {statistics.median(times):.2f} s (target < 2 s)")
    print(f"in-process load (tariffs, places, grid, routers, templates): {in_process_load():.2f} s")


if __name__ == "__main__":
    main()
