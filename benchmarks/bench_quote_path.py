"""Where a quote's CPU goes: the ASGI app in-process, and each step of the quote alone.

1. ``GET /healthz``, a POST that only validates a quote body (a route added to this
   benchmark's own copy of the app), ``POST /v1/quotes`` and ``POST /v1/adjustments``,
   called through the ASGI app with no HTTP server, interleaved in rounds of 50 so that
   the machine's noise falls on all of them alike; reported as CPU time per request and
   as a multiple of healthz (bench_api.py measures the same over HTTP).
2. The steps of ``quote_route`` timed one at a time over the same seeded bodies.

    python benchmarks/bench_quote_path.py [--rounds 60]

The "validate only" floor says how much of the gap to healthz is the framework's cost
of a POST with a JSON body, before any fare work.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from fastapi.responses import Response

sys.path.insert(0, str(Path(__file__).resolve().parent))
from asgi_call import KEY, call
from bodies import adjustment_body, quote_body

from fare_service import clock
from fare_service.api.app import create_app, load_state
from fare_service.api.schemas import QuoteRequest
from fare_service.config import Settings
from fare_service.pricing.engine import price_route, price_routes
from fare_service.pricing.routes import PricedRoute, Route, Routes
from fare_service.service.quoting import quote_route
from fare_service.service.results import QuoteResult


def make_app() -> Any:
    settings = Settings(api_keys=[KEY])
    app = create_app(settings)
    load_state(app, settings)

    @app.post("/v1/validate-only", include_in_schema=False)
    async def validate_only(body: QuoteRequest) -> Response:
        return Response(b'{"fare": 0}', media_type="application/json")

    return app


async def endpoints(rounds: int) -> dict[str, float]:
    app = make_app()
    rng = random.Random(7)
    quotes = [json.dumps(quote_body(rng)).encode() for _ in range(500)]
    adjustments = [json.dumps(adjustment_body(rng)).encode() for _ in range(500)]
    targets = {
        "healthz": ("GET", "/healthz", [b""]),
        "validate only": ("POST", "/v1/validate-only", quotes),
        "quotes": ("POST", "/v1/quotes", quotes),
        "adjustments": ("POST", "/v1/adjustments", adjustments),
    }
    for method, path, bodies in targets.values():  # warm-up, and every body must succeed
        for body in bodies[:200]:
            status = await call(app, method, path, body)
            assert status == 200, (path, status)
    spent: dict[str, list[float]] = {name: [] for name in targets}
    for r in range(rounds):
        for name, (method, path, bodies) in targets.items():
            started = time.process_time()
            for i in range(50):
                await call(app, method, path, bodies[(r * 50 + i) % len(bodies)])
            spent[name].append((time.process_time() - started) / 50)
    return {name: statistics.median(values) for name, values in spent.items()}


def steps() -> dict[str, float]:
    app = make_app()
    runtime = app.state.runtime
    rng = random.Random(7)
    raw = [json.dumps(quote_body(rng)).encode() for _ in range(300)]
    queries = [QuoteRequest.model_validate_json(body).route_query() for body in raw]
    queries = [q for q in queries if q.trace is None][:300]
    raw = raw[: len(queries)]
    ats = [query.at or clock.now() for query in queries]
    points = [runtime.resolve_stops(q.stops, q.stop_fields) for q in queries]
    versions = [
        runtime.book.version_at(q.tariff_id, at) for q, at in zip(queries, ats, strict=True)
    ]

    def legs(i: int) -> Any:
        return _run(runtime.routing.legs_for(points[i], ats[i], legs=queries[i].legs))

    n = len(queries)
    routed = [legs(i) for i in range(n)]

    def routes(i: int) -> Routes:
        variants = [routed[i].point, routed[i].low, routed[i].high]
        return Routes.many(variants, [ats[i]] * 3, [0] * 3, [0.0] * 3, [False] * 3)

    def one_by_one(i: int) -> list[PricedRoute]:
        variants = [routed[i].point, routed[i].low, routed[i].high]
        return [price_route(versions[i][1], Route(legs, ats[i])) for legs in variants]

    priced = [one_by_one(i)[0] for i in range(n)]
    quotes = [_run(quote_route(query, runtime)) for query in queries]
    measured: dict[str, Callable[[int], object]] = {
        "body validation": lambda i: QuoteRequest.model_validate_json(raw[i]),
        "stops (places, in Korea)": lambda i: runtime.resolve_stops(
            queries[i].stops, queries[i].stop_fields
        ),
        "legs (router)": legs,
        "out-of-area lookup": lambda i: runtime.places.stops_outside(points[i], ["11"]),
        "price_route x 3 (a quote)": one_by_one,
        "price_routes, N = 3 (arrays)": lambda i: price_routes(versions[i][1], routes(i)),
        "QuoteResult.of": lambda i: QuoteResult.of(*versions[i], priced[i], ats[i]),
        "quote_route, all of it": lambda i: _run(quote_route(queries[i], runtime)),
        "response JSON (orjson)": lambda i: orjson.dumps(quotes[i]),
    }
    return {name: _best_per_call(fn, n) for name, fn in measured.items()}


def _run(coroutine: Any) -> Any:
    """Drive a coroutine that never suspends (no OSRM configured) without an event loop."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    raise RuntimeError("the coroutine suspended")


def _best_per_call(
    fn: Callable[[int], object], n: int, calls: int = 600, repeats: int = 5
) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        for i in range(calls):
            fn(i % n)
        best = min(best, (time.process_time() - started) / calls)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # the access log would be most of the output
    costs = asyncio.run(endpoints(args.rounds))
    print("ASGI app in-process, CPU per request (median of rounds of 50):")
    for name, seconds in costs.items():
        ratio = seconds / costs["healthz"]
        print(f"  {name:14s} {seconds * 1e6:7.0f} us  {ratio:4.1f}x healthz")
    print("quote steps alone, CPU per call (best of 5):")
    for name, seconds in steps().items():
        print(f"  {name:26s} {seconds * 1e6:6.0f} us")


if __name__ == "__main__":
    main()
