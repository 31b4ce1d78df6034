"""The batch endpoint's CPU per item, this checkout against another's, in one run.

Starts one child process per checkout (each loads its own app in-process, no HTTP
server) and asks them in turns, alternating which goes first, to time the same seeded
bodies (``bodies.batch_body``: 100 items each, as the load test sends them):

- ``endpoint``: ``POST /v1/quotes/batch`` through the ASGI app, CPU per item;
- ``core``: ``api.batch_quotes.quote_items`` alone (planning and pricing), CPU per item;
- ``healthz``: ``GET /healthz`` through the same app, CPU per request: the fixed
  reference each round's figures are divided by, so a busy machine falls on both alike.

    python benchmarks/compare_batch.py --base-dir /tmp/base --base-python /tmp/basevenv/bin/python
        [--rounds 60] [--bodies 2]

The base checkout must serve ``POST /v1/quotes/batch`` and have ``quote_items(items,
runtime)`` in ``fare_service.api.batch_quotes``. Prints each round, then the medians, and
the ratio of this checkout's figures to the base's.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MEASURES = ("endpoint", "core", "healthz")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-dir", type=Path, required=True, help="the base's checkout")
    parser.add_argument("--base-python", required=True, help="a Python with the base installed")
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--bodies", type=int, default=2, help="100-item bodies per round")
    parser.add_argument("--verbose", action="store_true", help="print every round")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(child(args.bodies))
        return
    children = {
        "base": _start(args.base_python, args.base_dir, args.bodies),
        "this": _start(sys.executable, HERE.parent, args.bodies),
    }
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in children}
    for r in range(args.rounds):
        order = list(children) if r % 2 == 0 else list(reversed(children))
        for name in order:
            child_process = children[name]
            assert child_process.stdin is not None and child_process.stdout is not None
            child_process.stdin.write("round\n")
            child_process.stdin.flush()
            figures = json.loads(child_process.stdout.readline())
            rounds[name].append(figures)
            if args.verbose:
                shown = ", ".join(f"{k} {v:.1f} us" for k, v in figures.items())
                print(f"round {r} {name}: {shown}")
    for process in children.values():
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=60)
    _report(rounds)


def _start(python: str, checkout: Path, bodies: int) -> subprocess.Popen[str]:
    """A child that loads ``checkout``'s app (its own package, found from its folder)."""
    process = subprocess.Popen(
        [python, str(Path(__file__).resolve()), "--child", "--bodies", str(bodies),
         "--base-dir", ".", "--base-python", "-"],
        cwd=checkout, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    ready = process.stdout.readline().strip()
    if ready != "ready":
        sys.exit(f"{checkout}: the child did not start ({ready!r})")
    return process


def _report(rounds: dict[str, list[dict[str, float]]]) -> None:
    median = {
        (name, m): statistics.median(r[m] for r in figures)
        for name, figures in rounds.items()
        for m in MEASURES
    }
    for name, figures in rounds.items():
        print(
            f"{name}: endpoint {median[(name, 'endpoint')]:.1f} us/item, core "
            f"{median[(name, 'core')]:.1f} us/item, healthz {median[(name, 'healthz')]:.1f} "
            f"us; endpoint per item / healthz "
            f"{statistics.median(r['endpoint'] / r['healthz'] for r in figures):.2f}"
        )
    for m in ("endpoint", "core"):
        ratios = [t[m] / b[m] for t, b in zip(rounds["this"], rounds["base"], strict=True)]
        q1, median, q3 = statistics.quantiles(ratios, n=4)
        print(f"this / base, {m} per item: median {median:.2f} (quartiles {q1:.2f}-{q3:.2f})")


async def child(n_bodies: int) -> None:
    """Load this folder's app, then time one round per line read from stdin."""
    sys.path[:0] = [str(Path.cwd()), str(HERE)]
    import logging

    from asgi_call import KEY, call
    from bodies import batch_body

    from fare_service.api.app import create_app, load_state
    from fare_service.api.batch_quotes import quote_items
    from fare_service.config import Settings

    logging.disable(logging.WARNING)
    settings = Settings(api_keys=[KEY])
    app = create_app(settings)
    load_state(app, settings)
    gc.collect()  # as the server does after loading (api.app.settle_heap)
    gc.freeze()
    runtime = app.state.runtime
    rng = random.Random(11)
    bodies = [batch_body(rng) for _ in range(n_bodies)]
    raw = [json.dumps(body).encode() for body in bodies]
    items = sum(len(body["items"]) for body in bodies)
    for body in raw[:3]:  # warm-up; every body must be answered
        assert await call(app, "POST", "/v1/quotes/batch", body) == 200
    print("ready", flush=True)
    for _ in sys.stdin:
        started = time.process_time()
        for body in raw:
            await call(app, "POST", "/v1/quotes/batch", body)
        endpoint = (time.process_time() - started) / items
        started = time.process_time()
        for body in bodies:
            await quote_items(body["items"], runtime)
        core = (time.process_time() - started) / items
        started = time.process_time()
        for _ in range(items):
            await call(app, "GET", "/healthz")
        healthz = (time.process_time() - started) / items
        figures = {"endpoint": endpoint * 1e6, "core": core * 1e6, "healthz": healthz * 1e6}
        print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
