"""``geo/area_exit.py``: where a route last leaves its home area, on arrays or one by one."""

from __future__ import annotations

import numpy as np

from fare_service.geo import area_exit
from fare_service.geo.places import PlaceIndex

HOME = ("11", "41210", "28110147")  # Seoul's taxi area: Seoul, 광명시, 인천 중구 운서동


def test_the_python_halvings_place_every_exit_where_the_array_halvings_do(
    places: PlaceIndex,
) -> None:
    """A quote narrows its exit down one point at a time (``outside_one``), a batch of
    many on arrays: the same arithmetic in float64, so the same positions, to the bit."""
    rng = np.random.default_rng(15)
    n = 40
    lat = np.column_stack([rng.uniform(37.45, 37.65, n), rng.uniform(37.20, 37.80, n)]).ravel()
    lon = np.column_stack([rng.uniform(126.85, 127.10, n), rng.uniform(126.60, 127.40, n)]).ravel()
    route = np.repeat(np.arange(n), 2)
    lookup = places._lookup

    def outside(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return lookup.outside(a, b, HOME)

    on_arrays = area_exit.last_exits(outside, lat, lon, route, n)
    one_by_one = [
        area_exit.last_exits(
            outside,
            lat[2 * i : 2 * i + 2],
            lon[2 * i : 2 * i + 2],
            np.zeros(2, dtype=np.int64),
            1,
            outside_one=lambda a, b: lookup.outside_one(a, b, HOME),
        )[0]
        for i in range(n)
    ]
    assert np.array_equal(on_arrays, np.array(one_by_one), equal_nan=True)
    assert (on_arrays > 0).sum() >= 10, "the sample must hold routes that leave the area"
