"""Fare engine throughput: one vectorized call on 1,000,000 routes vs. one route at a time.

Prices 1,000,000 random routes (1-4 legs, any start time, waiting, waypoints) with the
``seoul-taxi`` tariff (its late-night surcharge charged as the ride runs: about one route
in eight crosses a window's boundary and is priced again per window) in one
``price_routes`` call, then a 20,000-route sample one by one,
two ways: through the array engine with N = 1 (``Routes.one`` + ``price_routes``) and
through the one-route path a single quote takes (``price_route``, the same rules on Python
ints). Prints routes/s for each and the ratios. Targets: >= 1,000,000 routes/s vectorized
on one core, >= 100x the one-by-one path.

    python benchmarks/bench_engine.py [--routes 1000000] [--sample 20000] [--tariff seoul-taxi]
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from pathlib import Path

import numpy as np

from fare_service.pricing.engine import price_route, price_routes
from fare_service.pricing.routes import Route, Routes
from fare_service.tariff_book import load_tariff_book

ROOT = Path(__file__).resolve().parent.parent


def random_routes(n: int, seed: int = 7) -> Routes:
    rng = np.random.default_rng(seed)
    legs_per_route = rng.integers(1, 5, n)
    legs = int(legs_per_route.sum())
    distance_m = rng.gamma(2.0, 3000.0, legs)
    speed_ms = rng.uniform(1.0, 16.0, legs)
    start = np.datetime64("2026-01-01T00:00:00") + rng.integers(0, 365 * 86400, n).astype(
        "timedelta64[s]"
    )
    return Routes(
        leg_distance_m=distance_m,
        leg_duration_s=distance_m / speed_ms,
        leg_route=np.repeat(np.arange(n, dtype=np.int64), legs_per_route),
        start=start,
        waypoints=legs_per_route - 1,
        waiting_s=rng.exponential(300.0, n),
        outside_area=rng.random(n) < 0.1,
    )


def one_by_one(version, routes: Routes, sample: int, *, ints: bool) -> float:
    bounds = np.searchsorted(routes.leg_route, np.arange(sample + 1))
    begin = time.perf_counter()
    for i in range(sample):
        legs = list(
            zip(
                routes.leg_distance_m[bounds[i] : bounds[i + 1]].tolist(),
                routes.leg_duration_s[bounds[i] : bounds[i + 1]].tolist(),
                strict=True,
            )
        )
        route = Route(
            legs,
            routes.start[i].astype(datetime),
            waypoints=int(routes.waypoints[i]),
            waiting_s=float(routes.waiting_s[i]),
            outside_area=bool(routes.outside_area[i]),
        )
        if ints:
            price_route(version, route)
        else:
            price_routes(version, Routes.one(**vars(route)))
    return sample / (time.perf_counter() - begin)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routes", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--tariff", default="seoul-taxi")
    args = parser.parse_args()
    book = load_tariff_book(ROOT / "tariffs", "daeri-standard")
    version = book.version_at(args.tariff, datetime(2026, 6, 1))[1]
    routes = random_routes(args.routes)
    price_routes(version, random_routes(1000, seed=1))  # warm caches (holiday calendar)
    begin = time.perf_counter()
    priced = price_routes(version, routes)
    vector_rate = args.routes / (time.perf_counter() - begin)
    arrays_rate = one_by_one(version, routes, args.sample, ints=False)
    ints_rate = one_by_one(version, routes, args.sample, ints=True)
    crossing = np.count_nonzero(priced.window_crossings) / args.routes
    print(
        f"tariff {args.tariff} {version.version}; mean fare {priced.fare.mean():,.0f} won; "
        f"{crossing:.1%} of the routes cross a window boundary"
    )
    print(f"vectorized                    : {vector_rate:12,.0f} routes/s ({args.routes:,} routes)")
    for name, rate in (("arrays, N = 1", arrays_rate), ("ints (price_route)", ints_rate)):
        ratio = vector_rate / rate
        print(f"one by one, {name:18s}: {rate:12,.0f} routes/s, vectorized is {ratio:,.0f}x")


if __name__ == "__main__":
    main()
