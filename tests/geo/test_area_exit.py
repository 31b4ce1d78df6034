"""``geo/area_exit.py``: where a route last leaves its home area, and ``geo/home_area.py``,
the shortcuts that let the search skip most of the way."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from fare_service.geo.embedded import SCALARS, haversine_m
from fare_service.geo.home_area import INSIDE, OUTSIDE
from fare_service.geo.places import PlaceIndex, Region

HOME = ("11", "41210", "28110147")  # Seoul's taxi area: Seoul, 광명시, 인천 중구 운서동
SEOUL_CITY_HALL = (37.5663, 126.9779)
SUWON_STATION = (37.2659, 127.0000)  # 경기 수원시 팔달구
GWANGMYEONG_STATION = (37.4163, 126.8848)  # 광명시: in the area
SIHEUNG_CITY_HALL = (37.3800, 126.8029)  # 시흥시


def every_sample(points: list[tuple[float, float]], places: PlaceIndex) -> float:
    """The rule of ``area_exit`` written out the long way: every sample of every line
    looked up by the array lookup (``outside_home``), no skipping, then the same halvings."""

    def outside(lat: float, lon: float) -> bool:
        return bool(places.outside_home(np.array([lat]), np.array([lon]), HOME)[0])

    if not outside(*points[-1]):
        return math.nan
    for line in reversed(range(len(points) - 1)):
        (a_lat, a_lon), (b_lat, b_lon) = points[line], points[line + 1]
        n = max(math.ceil(haversine_m(a_lat, a_lon, b_lat, b_lon, SCALARS) / 100.0), 1)
        fractions = np.arange(n) / n
        lat = a_lat + (b_lat - a_lat) * fractions
        lon = a_lon + (b_lon - a_lon) * fractions
        inside = np.flatnonzero(~places.outside_home(lat, lon, HOME))
        if len(inside):
            k = int(inside[-1])
            low, high = k / n, (k + 1) / n
            for _ in range(7):
                middle = (low + high) / 2
                if outside(a_lat + (b_lat - a_lat) * middle, a_lon + (b_lon - a_lon) * middle):
                    high = middle
                else:
                    low = middle
            return line + high
    return 0.0


@pytest.mark.slow
def test_the_walk_finds_every_exit_that_looking_at_every_sample_finds(
    places: PlaceIndex,
) -> None:
    """The walk skips the samples the grid proves outside; it must land where a search
    of every sample does, to the bit, on rides that end near and far from the area."""
    rng = np.random.default_rng(15)
    routes = []
    for _ in range(60):
        stops = int(rng.integers(2, 5))
        lat = rng.uniform(37.15, 37.85, stops)
        lon = rng.uniform(126.55, 127.45, stops)
        lat[0], lon[0] = rng.uniform(37.45, 37.65), rng.uniform(126.85, 127.10)  # Seoul
        routes.append(list(zip(lat.tolist(), lon.tolist(), strict=True)))
    routes.append([SEOUL_CITY_HALL, SUWON_STATION])
    routes.append([SEOUL_CITY_HALL, GWANGMYEONG_STATION, SIHEUNG_CITY_HALL])
    routes.append([SEOUL_CITY_HALL, (36.8101, 127.1464)])  # 천안, beyond the far boxes' reach
    found = [places.last_exit(route, HOME) for route in routes]
    expected = [every_sample(route, places) for route in routes]
    assert np.array_equal(found, expected, equal_nan=True)
    assert sum(position > 0 for position in found) >= 20, "most routes must leave the area"


def test_a_trace_of_fixes_a_few_metres_apart_leaves_where_its_straight_line_does(
    places: PlaceIndex,
) -> None:
    """A trace is many short lines: the walk crosses the far boxes line by line and finds
    the exit at the same point of the road as the one straight line from start to end."""
    start, end = np.array(SEOUL_CITY_HALL), np.array(SUWON_STATION)
    fixes = start + np.linspace(0, 1, 3_001)[:, None] * (end - start)
    trace = [(float(lat), float(lon)) for lat, lon in fixes]
    on_trace = places.last_exit(trace, HOME)
    on_line = places.last_exit([SEOUL_CITY_HALL, SUWON_STATION], HOME)
    assert 0 < on_trace < len(trace) - 1
    # the same fraction of the way, within a sample step of 100 m in ~35 km
    assert on_trace / (len(trace) - 1) == pytest.approx(on_line, abs=100 / 35_000)


def test_rides_that_end_inside_pay_nothing_and_rides_never_inside_pay_all(
    places: PlaceIndex,
) -> None:
    assert math.isnan(places.last_exit([SUWON_STATION, SEOUL_CITY_HALL], HOME))
    assert math.isnan(places.last_exit([SEOUL_CITY_HALL, GWANGMYEONG_STATION], HOME))
    assert places.last_exit([SUWON_STATION, SIHEUNG_CITY_HALL], HOME) == 0.0
    assert places.last_exit([SUWON_STATION], HOME) == 0.0  # one point: no line


@pytest.mark.slow
def test_what_the_home_area_proves_from_the_grid_alone_holds_by_the_exact_rule(
    places: PlaceIndex,
) -> None:
    """Sure verdicts of the grid, and every point of a far box, are what the exact rule
    (``regions_of``, the place names) says, over the capital region and its sea."""
    area = places._lookup.home_area(HOME)
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(36.9, 38.3, 40_000), rng.uniform(126.3, 127.9, 40_000)
    named = [_code(region) for region in places.regions_of(list(zip(lat, lon, strict=True)))]
    inside = np.array([code.startswith(HOME) for code in named])
    verdict = area.verdicts(lat, lon)
    assert not inside[verdict == OUTSIDE].any()
    assert inside[verdict == INSIDE].all()
    boxes = [box for box in map(area.far_box_at, lat[:2_000], lon[:2_000]) if box is not None]
    assert len(boxes) > 500
    in_boxes = [
        (rng.uniform(south, north), rng.uniform(west, east))
        for south, north, west, east in boxes
        for _ in range(5)
    ]
    codes = [_code(region) for region in places.regions_of(in_boxes)]
    assert not any(code.startswith(HOME) for code in codes)


def _code(region: Region | None) -> str:
    if region is None:
        return ""
    return region.emd_code or region.sigungu_code or region.sido_code or ""


def test_krgcs_sido_polygons_are_valid(places: PlaceIndex) -> None:
    """``home_area`` trusts them without the 0.3 s check (an invalid one would have to
    stand in as its bounding box there)."""
    assert shapely.is_valid(places.boundaries("sido").polygons).all()
