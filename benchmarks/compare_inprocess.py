"""Before and after without HTTP: this checkout's ASGI app against another commit's.

Checks ``--base`` out into a temporary git worktree and starts two worker processes, one
importing each commit's ``fare_service`` (the same interpreter and packages, this
checkout's seeded bodies from ``bodies.py``). Each worker loads its app, freezes the heap
as the server does, warms up, then runs the batches of requests it is sent through the
ASGI app in-process (``asgi_call.py``) and reports the CPU time they took. The driver
alternates the two workers batch by batch, one at a time, so the machine's noise falls on
both alike; it prints each endpoint's median CPU per request and its share of the same
app's ``/healthz``.

    python benchmarks/compare_inprocess.py --base 7eff519 [--rounds 15]
        [--this-env FARE_SERVICE_TARIFF_DIR=/tmp/like-for-like] [--base-env ...]

``--this-env`` and ``--base-env`` set a variable for one side's worker only: to run this
checkout on tariffs that ask for no more work than the base's did, say.

Without uvicorn's fixed cost per request these shares are lower than ``compare_api.py``'s,
and they move less from run to run: the one to read for what the service's own code
costs. The base commit must take the same request bodies.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api import add_env_arguments, env_pairs
from worktree import ROOT, checked_out

ENDPOINTS = {  # endpoint: (method, path, requests per batch)
    "healthz": ("GET", "/healthz", 400),
    "quotes": ("POST", "/v1/quotes", 200),
    "adjustments": ("POST", "/v1/adjustments", 120),
}


def worker() -> None:
    """Load the app ``fare_service`` resolves to, then answer ``<endpoint> <count>`` lines
    on stdin with the CPU microseconds per request, one line each."""
    from asgi_call import KEY, call
    from bodies import adjustment_body, quote_body

    from fare_service.api.app import create_app, load_state
    from fare_service.config import Settings

    logging.disable(logging.CRITICAL)
    settings = Settings(api_keys=[KEY])
    app = create_app(settings)
    load_state(app, settings)
    gc.collect()
    gc.freeze()  # as the server's lifespan does (``api.app.settle_heap``)
    rng = random.Random(7)
    bodies = {
        "healthz": [b""],
        "quotes": [json.dumps(quote_body(rng)).encode() for _ in range(500)],
        "adjustments": [json.dumps(adjustment_body(rng)).encode() for _ in range(500)],
    }
    sent = dict.fromkeys(ENDPOINTS, 0)

    async def run(endpoint: str, count: int) -> None:
        method, path, _ = ENDPOINTS[endpoint]
        for _ in range(count):
            body = bodies[endpoint][sent[endpoint] % len(bodies[endpoint])]
            sent[endpoint] += 1
            status = await call(app, method, path, body)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")

    loop = asyncio.new_event_loop()
    for endpoint in ENDPOINTS:
        loop.run_until_complete(run(endpoint, 300))
    print("ready", flush=True)
    for line in sys.stdin:
        endpoint, count = line.split()
        started = time.process_time()
        loop.run_until_complete(run(endpoint, int(count)))
        print((time.process_time() - started) / int(count) * 1e6, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the commit to compare against")
    parser.add_argument("--rounds", type=int, default=15)
    add_env_arguments(parser, "worker")
    args = parser.parse_args()
    spent: dict[tuple[str, str], list[float]] = {}
    with checked_out(args.base) as base:
        workers: dict[str, subprocess.Popen[str]] = {}
        try:
            workers["base"] = _start({**env_pairs(args.base_env), "PYTHONPATH": str(base)})
            workers["this"] = _start({**env_pairs(args.this_env), "PYTHONPATH": str(ROOT)})
            for r in range(args.rounds):
                order = list(workers) if r % 2 == 0 else list(workers)[::-1]
                for endpoint, (_, _, count) in ENDPOINTS.items():
                    for name in order:
                        process = workers[name]
                        assert process.stdin is not None and process.stdout is not None
                        process.stdin.write(f"{endpoint} {count}\n")
                        process.stdin.flush()
                        spent.setdefault((name, endpoint), []).append(
                            float(process.stdout.readline())
                        )
        finally:
            for process in workers.values():
                process.kill()
                process.wait()
    median = {key: statistics.median(values) for key, values in spent.items()}
    for name in ("base", "this"):
        for endpoint in ENDPOINTS:
            us = median[(name, endpoint)]
            share = median[(name, "healthz")] / us
            print(f"{name:5s} {endpoint:12s} CPU {us:6.0f} us/req, {share:.1%} of healthz")
    for endpoint in list(ENDPOINTS)[1:]:
        kept = (median[("this", "healthz")] / median[("this", endpoint)]) / (
            median[("base", "healthz")] / median[("base", endpoint)]
        )
        print(f"{endpoint}: this keeps {kept:.0%} of the base's share of healthz")


def _start(env: dict[str, str]) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        raise SystemExit("a worker failed to start")
    return process


if __name__ == "__main__":
    if sys.argv[1:] == ["--worker"]:
        worker()
    else:
        main()
