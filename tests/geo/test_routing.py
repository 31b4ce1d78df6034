"""The facade: stops -> points -> legs, caller legs, fallback, and every bad input."""

from __future__ import annotations

import asyncio
from datetime import datetime
from itertools import pairwise

import numpy as np
import pytest
from geo_testing import FakeOsrm, great_circle_m

from fare_service.config import Settings
from fare_service.errors import InvalidRoute, PlaceNotFound
from fare_service.geo.embedded import EmbeddedRouter, RouteProfile
from fare_service.geo.osrm import CircuitBreaker, OsrmClient
from fare_service.geo.places import PlaceIndex
from fare_service.geo.routing import Routing, resolve_stops

CITY_HALL = (37.5663, 126.9779)
GANGNAM_STATION = (37.4979, 127.0276)
AT_22H = datetime.fromisoformat("2024-05-01T22:00:00+09:00")


def make_routing(osrm_url: str | None = None) -> Routing:
    embedded = EmbeddedRouter(RouteProfile.load())
    if osrm_url is None:
        return Routing(embedded)
    client = OsrmClient(osrm_url, timeout_s=0.2, retries=0, breaker=CircuitBreaker(3, 30))
    return Routing(embedded, client)


def legs_for(routing: Routing, points: list, **kwargs: object):  # type: ignore[no-untyped-def]
    async def run():  # type: ignore[no-untyped-def]
        try:
            return await routing.legs_for(points, AT_22H, **kwargs)  # type: ignore[arg-type]
        finally:
            await routing.aclose()

    return asyncio.run(run())


def test_embedded_legs_carry_the_band_and_the_source() -> None:
    routed = legs_for(make_routing(), [CITY_HALL, GANGNAM_STATION])
    profile = RouteProfile.load()
    straight_m = great_circle_m(*CITY_HALL, *GANGNAM_STATION)
    assert routed.source == "embedded" and routed.warnings == ()
    (distance_m, duration_s), (low_m, low_s), (high_m, _) = (
        routed.point[0],
        *routed.low,
        *routed.high,
    )
    assert distance_m == pytest.approx(straight_m * profile.circuity)
    assert low_m == pytest.approx(straight_m * profile.circuity_low)
    assert low_m < distance_m < high_m
    assert duration_s == pytest.approx(distance_m / (profile.speed_kmh[22] / 3.6))
    assert low_s == pytest.approx(low_m / (profile.speed_kmh[22] / 3.6))


def test_osrm_legs_are_used_when_the_server_answers(osrm_server: FakeOsrm) -> None:
    routed = legs_for(make_routing(osrm_server.url), [CITY_HALL, GANGNAM_STATION])
    assert routed.source == "osrm" and routed.point == ((1000.0, 100.0),)
    assert routed.high[0][1] >= routed.point[0][1]


def test_a_failing_osrm_falls_back_to_embedded_and_says_so(osrm_server: FakeOsrm) -> None:
    osrm_server.script = ["slow"]
    routed = legs_for(make_routing(osrm_server.url), [CITY_HALL, GANGNAM_STATION])
    assert routed.source == "osrm-fallback-embedded"
    assert len(routed.warnings) == 1 and "unavailable" in routed.warnings[0]
    assert routed.point[0][0] == pytest.approx(
        legs_for(make_routing(), [CITY_HALL, GANGNAM_STATION]).point[0][0]
    )


def test_caller_legs_bypass_routing_with_no_band() -> None:
    routed = legs_for(make_routing(), [CITY_HALL, GANGNAM_STATION], legs=[(11_200.0, 1_500.0)])
    assert routed.source == "caller"
    assert routed.point == routed.low == routed.high == ((11_200.0, 1_500.0),)


@pytest.mark.parametrize(
    ("legs", "field"),
    [
        ([], "legs"),
        ([(1.0, 1.0), (2.0, 2.0)], "legs"),
        ([(float("nan"), 1.0)], "legs[0].distance_m"),
        ([(100.0, -1.0)], "legs[0].duration_s"),
    ],
)
def test_caller_legs_must_match_the_stops(legs: list, field: str) -> None:
    with pytest.raises(InvalidRoute) as error:
        legs_for(make_routing(), [CITY_HALL, GANGNAM_STATION], legs=legs)
    assert error.value.field == field


def test_place_names_and_coordinates_resolve_to_points(places: PlaceIndex) -> None:
    points = resolve_stops(["강남구 역삼동", CITY_HALL], places, ["origin", "destination"])
    yeoksam = places.resolve("역삼동", field="origin.place")
    assert points == [(yeoksam.lat, yeoksam.lon), CITY_HALL]


@pytest.mark.parametrize(
    ("stops", "field"),
    [
        ([(91.0, 127.0), CITY_HALL], "stops[0].lat"),
        ([CITY_HALL, (37.5, float("nan"))], "stops[1].lon"),
        ([CITY_HALL, (37.5, -181.0)], "stops[1].lon"),
        ([CITY_HALL, (48.8566, 2.3522)], "stops[1]"),  # Paris: not in Korea
        ([CITY_HALL], "stops"),
        ([], "stops"),
        ([CITY_HALL] * 13, "waypoints"),  # 11 waypoints, 10 allowed
    ],
)
def test_bad_stops_are_refused_naming_the_field(
    places: PlaceIndex, stops: list, field: str
) -> None:
    with pytest.raises(InvalidRoute) as error:
        resolve_stops(stops, places)
    assert error.value.field == field


def test_ten_waypoints_are_allowed(places: PlaceIndex) -> None:
    assert len(resolve_stops([CITY_HALL] * 12, places)) == 12


def test_an_ambiguous_place_names_the_stop_field(places: PlaceIndex) -> None:
    with pytest.raises(PlaceNotFound) as error:
        resolve_stops([CITY_HALL, "신사동"], places, ["origin", "destination"])
    assert error.value.field == "destination.place"
    assert len(error.value.extra["candidates"]) == 2


def test_a_seoul_trip_to_pangyo_leaves_seoul(places: PlaceIndex) -> None:
    points = resolve_stops([CITY_HALL, "판교동"], places)
    assert places.stops_outside(points, ["11"])
    assert not places.stops_outside(points, ["11", "41"])


def test_routing_from_settings_picks_the_backend(osrm_server: FakeOsrm) -> None:
    assert Routing.from_settings(Settings(router="embedded")).osrm is None
    routing = Routing.from_settings(Settings(router="osrm", osrm_url=osrm_server.url))
    assert routing.osrm is not None
    asyncio.run(routing.aclose())
    with pytest.raises(ValueError, match="OSRM_URL"):
        Routing.from_settings(Settings(router="osrm", osrm_url=None))


def test_embedded_legs_follow_consecutive_points() -> None:
    points = [CITY_HALL, GANGNAM_STATION, (37.3947, 127.1112)]
    routed = legs_for(make_routing(), points)
    expected = [great_circle_m(*a, *b) * RouteProfile.load().circuity for a, b in pairwise(points)]
    assert np.allclose([distance_m for distance_m, _ in routed.point], expected)
