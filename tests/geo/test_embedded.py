"""The embedded router: known distances, the band, vectorized == one by one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from geo_testing import great_circle_m
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fare_service.geo.embedded import EmbeddedRouter, RouteProfile, haversine_m

CITY_HALL = (37.5663, 126.9779)
GANGNAM_STATION = (37.4979, 127.0276)


def make_router(**overrides: object) -> EmbeddedRouter:
    profile = RouteProfile.load()
    return EmbeddedRouter(RouteProfile(**{**vars(profile), **overrides}))


def test_city_hall_to_gangnam_station_is_about_8_7_km_as_the_crow_flies() -> None:
    expected_m = great_circle_m(*CITY_HALL, *GANGNAM_STATION)
    assert 8_600 < expected_m < 8_800
    assert haversine_m(*CITY_HALL, *GANGNAM_STATION) == pytest.approx(expected_m, rel=1e-9)


def test_road_distance_is_great_circle_times_circuity_with_a_10_to_12_km_point() -> None:
    router = make_router(circuity=1.26, circuity_low=1.2, circuity_high=1.44)
    route = router.route_arrays(*CITY_HALL, *GANGNAM_STATION, 22)
    straight_m = great_circle_m(*CITY_HALL, *GANGNAM_STATION)
    assert route.distance_m == pytest.approx(straight_m * 1.26)
    assert route.distance_low_m == pytest.approx(straight_m * 1.2)
    assert route.distance_high_m == pytest.approx(straight_m * 1.44)
    assert 10_000 <= route.distance_m <= 12_000  # the road is 10-12 km on a map


def test_duration_uses_the_speed_of_the_hour() -> None:
    speeds = tuple(20.0 + hour for hour in range(24))
    router = make_router(speed_kmh=speeds, circuity=1.3)
    for hour in (0, 8, 17, 23):
        route = router.route_arrays(*CITY_HALL, *GANGNAM_STATION, hour)
        speed_ms = (20.0 + hour) * 1000 / 3600
        assert route.duration_s == pytest.approx(route.distance_m / speed_ms)
        assert route.duration_low_s <= route.duration_s <= route.duration_high_s


latitude, longitude = st.floats(33.0, 38.6), st.floats(124.6, 131.9)
route = st.tuples(latitude, longitude, latitude, longitude, st.integers(0, 23))


@settings(max_examples=50, deadline=None)
@given(st.lists(route, min_size=1, max_size=20))
@example([(37.83298952106896, 127.0, 37.83298952106896, 127.0, 3)])  # zero length
def test_vectorized_routes_equal_routes_one_by_one(routes: list) -> None:
    router = make_router()
    lat1, lon1, lat2, lon2, hour = (np.array(column) for column in zip(*routes, strict=True))
    batch = router.route_arrays(lat1, lon1, lat2, lon2, hour)
    for i, (a, b, c, d, h) in enumerate(routes):
        one = router.route_arrays(a, b, c, d, h)
        assert batch.distance_m[i] == pytest.approx(float(one.distance_m), rel=1e-12)
        assert batch.duration_high_s[i] == pytest.approx(float(one.duration_high_s), rel=1e-12)
        by_hand_m = great_circle_m(a, b, c, d) * router.profile.circuity
        assert batch.distance_m[i] == pytest.approx(by_hand_m, abs=1e-3)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(latitude, longitude), min_size=2, max_size=7), st.integers(0, 23))
@example([(37.5, 127.0), (37.5, 127.0)], 0)  # zero length
def test_one_route_in_python_floats_equals_the_vectorized_router(points: list, hour: int) -> None:
    """A single quote's legs (``legs_of``) and a batch's (``route_arrays``) agree far
    below a metre."""
    router = make_router()
    one = router.legs_of(points, hour)
    lat, lon = np.array(points).T
    many = router.route_arrays(lat[:-1], lon[:-1], lat[1:], lon[1:], hour)
    bands = {
        "point": (many.distance_m, many.duration_s),
        "low": (many.distance_low_m, many.duration_low_s),
        "high": (many.distance_high_m, many.duration_high_s),
    }
    for name, (distance_m, duration_s) in bands.items():
        legs = getattr(one, name)
        assert len(legs) == len(points) - 1
        assert all(type(value) is float for leg in legs for value in leg)
        assert np.allclose([d for d, _ in legs], distance_m, rtol=1e-12, atol=1e-9), name
        assert np.allclose([t for _, t in legs], duration_s, rtol=1e-12, atol=1e-9), name


def test_profile_file_with_wrong_values_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "profile.toml"
    path.write_text("[circuity]\nfactor = 1.1\nlow = 1.2\nhigh = 1.4\n[speed]\nkmh = [25.0]\n")
    with pytest.raises(ValueError, match="circuity"):
        RouteProfile.load(path)
    path.write_text("[circuity]\nfactor = 1.3\nlow = 1.2\nhigh = 1.4\n[speed]\nkmh = [25.0]\n")
    with pytest.raises(ValueError, match="24 speeds"):
        RouteProfile.load(path)
