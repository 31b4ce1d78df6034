"""Before and after on a noisy machine: this checkout's server against another commit's.

Checks ``--base`` (a commit, branch or tag) out into a temporary git worktree, starts both
servers on 127.0.0.1 (1 worker each, the same fresh API key), and drives them in turns
with wrk over the same seeded bodies as ``bench_api.py``: every round measures each
endpoint on both servers, in alternating order, so the machine's noise falls on both
alike. Prints each server's CPU time per request per round, the medians, and each
endpoint's throughput as a share of ``/healthz`` on the same server.

    python benchmarks/compare_api.py --base 9ef5e3c [--rounds 5] [--seconds 5]
        [--endpoints healthz adjustments] [--this-env NAME=VALUE] [--base-env NAME=VALUE]

``--this-env`` and ``--base-env`` set a variable for one side's server only: to run this
checkout on tariffs that ask for no more work than the base's did, say
(``FARE_SERVICE_TARIFF_DIR``).

The base commit must serve the same endpoints with the same request bodies.
"""

from __future__ import annotations

import argparse
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api import (
    add_env_arguments,
    cpu_seconds,
    env_pairs,
    run_wrk,
    start_server,
    stop_server,
    write_script,
)
from bodies import adjustment_body, quote_body
from worktree import checked_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the commit to compare against")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument(
        "--endpoints", nargs="+", default=["healthz", "adjustments"],
        choices=["healthz", "quotes", "adjustments"],
    )  # fmt: skip
    add_env_arguments(parser, "server")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    rng = random.Random(7)
    targets = {
        "healthz": ("GET", "/healthz", []),
        "quotes": ("POST", "/v1/quotes", [quote_body(rng) for _ in range(500)]),
        "adjustments": ("POST", "/v1/adjustments", [adjustment_body(rng) for _ in range(500)]),
    }
    endpoints = ["healthz", *(e for e in args.endpoints if e != "healthz")]
    key = secrets.token_urlsafe(16)
    cpu: dict[tuple[str, str], list[float]] = {}
    rate: dict[tuple[str, str], list[float]] = {}
    servers: dict[str, tuple[subprocess.Popen, int]] = {}
    with checked_out(args.base) as base, tempfile.TemporaryDirectory() as folder:
        try:
            base_env, this_env = env_pairs(args.base_env), env_pairs(args.this_env)
            servers["base"] = (start_server(8771, 1, key, base, base_env), 8771)
            servers["this"] = (start_server(8772, 1, key, extra_env=this_env), 8772)
            measure(servers, endpoints, targets, key, Path(folder), args, cpu, rate)
        finally:
            for server, _ in servers.values():
                stop_server(server)
    for name in servers:
        healthz = statistics.median(rate[(name, "healthz")])
        for e in endpoints:
            rounds = " ".join(f"{value:.0f}" for value in cpu[(name, e)])
            rps = statistics.median(rate[(name, e)])
            share = "" if e == "healthz" else f", {rps / healthz:.1%} of healthz"
            print(
                f"{name:5s} {e:12s} CPU us/req {rounds} (median "
                f"{statistics.median(cpu[(name, e)]):.0f}); {rps:,.0f} req/s{share}"
            )


def measure(
    servers: dict[str, tuple[subprocess.Popen, int]],
    endpoints: list[str],
    targets: dict[str, tuple[str, str, list[dict]]],
    key: str,
    folder: Path,
    args: argparse.Namespace,
    cpu: dict[tuple[str, str], list[float]],
    rate: dict[tuple[str, str], list[float]],
) -> None:
    """Rounds of every endpoint on both servers, the servers' order alternating."""
    scripts = {e: write_script(folder, e, targets[e][0], key, targets[e][2]) for e in endpoints}
    for _, port in servers.values():  # warm-up
        for e in endpoints:
            run_wrk(f"http://127.0.0.1:{port}{targets[e][1]}", scripts[e], 2, 32)
    order = list(servers)
    for r in range(args.rounds):
        for name in order if r % 2 == 0 else order[::-1]:
            server, port = servers[name]
            for e in endpoints:
                before = cpu_seconds(server.pid)
                url = f"http://127.0.0.1:{port}{targets[e][1]}"
                rps, total = run_wrk(url, scripts[e], args.seconds, 32)
                cpu.setdefault((name, e), []).append(
                    (cpu_seconds(server.pid) - before) / total * 1e6
                )
                rate.setdefault((name, e), []).append(rps)


if __name__ == "__main__":
    main()
