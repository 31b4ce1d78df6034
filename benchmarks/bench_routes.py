"""Throughput of the geo layer on one core: embedded routes/s, place searches/s, load time.

Measures (best of 5 runs each):
- ``EmbeddedRouter.route_arrays`` on 1,000,000 random routes inside Korea (target >= 1,000,000
  routes/s);
- ``PlaceIndex.search`` over a mix of exact, qualified, short-form and partial queries (target
  >= 10,000 lookups/s);
- on 1,000,000 points around Seoul (Seoul, Gyeonggi, Incheon and some sea): the 시도
  of ``PlaceIndex.sido_codes`` and the out-of-area rule's ``PlaceIndex.outside_home``
  (both ``regions.py``: the region grid, the trees where it cannot tell), and for
  comparison the 시도 grid alone (``SidoGrid.codes``, what the rule read before issue 16);
  then the out-of-area rule on 1,000,000 points of central Seoul, where bench_batch.py's
  rides are;
- ``PlaceIndex.load`` once, in this process (start-up must stay under 2 s in total).

Run: ``OMP_NUM_THREADS=1 python benchmarks/bench_routes.py``. Figures depend on the machine;
nothing gates on them.
"""

from __future__ import annotations

import time

import numpy as np

from fare_service.geo.boundaries import load_level
from fare_service.geo.embedded import EmbeddedRouter, RouteProfile
from fare_service.geo.places import PlaceIndex
from fare_service.geo.sido_grid import SidoGrid

ROUTES = 1_000_000
QUERIES = ["역삼동", "강남구 역삼동", "판교", "서울 중구", "정자", "신사동", "분당구 정자동"]


def best_of(runs: int, work) -> float:  # type: ignore[no-untyped-def]
    """Fastest wall time of ``runs`` calls, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    start = time.perf_counter()
    places = PlaceIndex.load()
    print(f"PlaceIndex.load: {time.perf_counter() - start:.3f} s")

    rng = np.random.default_rng(0)
    lat1, lat2 = rng.uniform(34.0, 38.0, (2, ROUTES))
    lon1, lon2 = rng.uniform(126.0, 129.0, (2, ROUTES))
    hour = rng.integers(0, 24, ROUTES)
    router = EmbeddedRouter(RouteProfile.load())
    seconds = best_of(5, lambda: router.route_arrays(lat1, lon1, lat2, lon2, hour))
    print(f"embedded router: {ROUTES / seconds:,.0f} routes/s ({ROUTES:,} routes)")

    lookups = len(QUERIES) * 2_000
    seconds = best_of(5, lambda: [places.search(q) for q in QUERIES * 2_000])
    each_us = seconds / lookups * 1e6
    print(f"place search: {lookups / seconds:,.0f} lookups/s ({each_us:.1f} µs each)")

    lat, lon = rng.uniform(37.2, 37.8, ROUTES), rng.uniform(126.6, 127.4, ROUTES)
    seconds = best_of(3, lambda: places.sido_codes(lat, lon))
    print(f"sido codes: {ROUTES / seconds:,.0f} points/s around Seoul ({ROUTES:,} points)")
    home = ["11", "28", "41"]  # daeri-standard's
    seconds = best_of(3, lambda: places.outside_home(lat, lon, home))
    print(f"out of area (11, 28, 41): {ROUTES / seconds:,.0f} points/s, same points")
    sido_grid = SidoGrid.load(load_level("sido"))
    seconds = best_of(3, lambda: sido_grid.codes(lat, lon))
    print(f"sido grid alone (before issue 16): {ROUTES / seconds:,.0f} points/s, same points")
    lat, lon = rng.uniform(37.48, 37.60, ROUTES), rng.uniform(126.90, 127.08, ROUTES)
    seconds = best_of(3, lambda: places.outside_home(lat, lon, home))
    print(f"out of area, central Seoul (bench_batch's stops): {ROUTES / seconds:,.0f} points/s")


if __name__ == "__main__":
    main()
