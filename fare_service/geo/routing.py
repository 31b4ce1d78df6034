"""The facade the API and the batch command call: stops -> points -> legs.

A stop is ``(lat, lon)`` or a Korean place name. Legs come from the caller (the admin UI
already has a map route), from OSRM when configured, or from the embedded router, which
is also where a failing OSRM falls back to: the quote then says so in ``source`` and a
warning instead of failing, because an estimate is what the agent on the phone needs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from fare_service.clock import seoul_clock
from fare_service.config import Settings
from fare_service.errors import BadInput, InvalidRoute, RouterUnavailable, raise_all
from fare_service.geo.embedded import (
    EmbeddedRouter,
    LegPair,
    RouteLegs,
    RouteProfile,
    check_point,
)
from fare_service.geo.osrm import OsrmClient
from fare_service.geo.places import PlaceIndex

Point = tuple[float, float]  # (lat, lon) WGS84 degrees
Stop = Point | str  # coordinates or a place name ("강남구 역삼동")


@dataclass(frozen=True)
class RoutedLegs(RouteLegs):
    """Per leg ``(distance_m, duration_s)``: the point estimate and its low/high band, and
    where they came from. Known legs (the caller's, a trace's) have no band: the three are
    one tuple."""

    source: str  # "caller" | "trace" | "embedded" | "osrm" | "osrm-fallback-embedded"
    warnings: tuple[str, ...] = ()

    @classmethod
    def fixed(cls, legs: Sequence[LegPair], source: str = "caller") -> RoutedLegs:
        """Legs known exactly (given by the caller, measured by a trace): no band."""
        pairs = tuple((float(d), float(t)) for d, t in legs)
        return cls(pairs, pairs, pairs, source)

    @classmethod
    def estimated(cls, legs: RouteLegs, source: str, warnings: tuple[str, ...] = ()) -> RoutedLegs:
        """A router's legs, with its band."""
        return cls(legs.point, legs.low, legs.high, source, warnings)

    variants: tuple[tuple[LegPair, ...], ...] = field(init=False, repr=False, compare=False)
    """The distinct leg sets among the point estimate and its band, the point first: the
    routes to price (one for known legs)."""

    def __post_init__(self) -> None:
        distinct = tuple(dict.fromkeys((self.point, self.low, self.high)))
        object.__setattr__(self, "variants", distinct)  # frozen: derived once, here


def resolve_stops(
    stops: Sequence[Stop],
    places: PlaceIndex,
    fields: str | Sequence[str] = "stops",
    *,
    max_waypoints: int = 10,
) -> list[Point]:
    """Stops as checked points; ``fields`` is a prefix ("stops" -> "stops[1].lat") or
    one path per stop ("origin", "waypoints[0]", "destination").

    Every stop that cannot be used is reported at once (``errors.raise_all``), so the
    agent fixes them all in one go; an ambiguous name lists its candidates nearest the
    first stop resolved before it (the origin, once it is known) first.
    """
    names = [f"{fields}[{i}]" for i in range(len(stops))] if isinstance(fields, str) else fields
    if len(stops) < 2:
        raise InvalidRoute("a route needs at least an origin and a destination", field="stops")
    if len(stops) - 2 > max_waypoints:
        detail = f"{len(stops) - 2} waypoints; at most {max_waypoints} are allowed"
        raise InvalidRoute(detail, field="waypoints")
    points: list[Point] = []
    errors: list[BadInput] = []
    for stop, name in zip(stops, names, strict=True):
        try:
            point = _resolve_stop(stop, places, name, near=points[0] if points else None)
        except BadInput as error:
            errors.append(error)
            continue
        points.append(point)
        if not isinstance(stop, str) and not places.point_in_korea(*point):
            errors.append(_not_in_korea(point, name))
    raise_all(errors)
    return points


def _resolve_stop(stop: Stop, places: PlaceIndex, field: str, near: Point | None) -> Point:
    if isinstance(stop, str):
        place = places.resolve(stop, field=f"{field}.place", near=near)
        return (place.lat, place.lon)
    lat, lon = (float(value) for value in stop)
    check_point(lat, lon, field)
    return (lat, lon)


def check_in_korea(points: Sequence[Point], fields: Sequence[str], places: PlaceIndex) -> None:
    """Every point on or near Korean land (``PlaceIndex.point_in_korea``), else the
    first one that is not, named by its field (a trace off the map has thousands)."""
    for point, name in zip(points, fields, strict=True):
        if not places.point_in_korea(*point):
            raise _not_in_korea(point, name)


def _not_in_korea(point: Point, field: str) -> InvalidRoute:
    return InvalidRoute(f"{point} is not in South Korea", field=field)


class Routing:
    def __init__(self, embedded: EmbeddedRouter, osrm: OsrmClient | None = None) -> None:
        self.embedded = embedded
        self.osrm = osrm

    @classmethod
    def from_settings(cls, settings: Settings) -> Routing:
        embedded = EmbeddedRouter(RouteProfile.load(settings.route_profile))
        if settings.router != "osrm":
            return cls(embedded)
        if not settings.osrm_url:
            raise ValueError("FARE_SERVICE_ROUTER=osrm needs FARE_SERVICE_OSRM_URL")
        osrm = OsrmClient(
            settings.osrm_url, timeout_s=settings.osrm_timeout_s, retries=settings.osrm_retries
        )
        return cls(embedded, osrm)

    async def legs_for(
        self,
        points: Sequence[Point],
        at: datetime,
        legs: Sequence[LegPair] | None = None,
        legs_field: str = "legs",
    ) -> RoutedLegs:
        """Legs between consecutive points, starting at ``at`` (naive means Seoul time);
        ``legs`` given by the caller (``legs_field`` in the request) are checked, not routed."""
        if len(points) < 2:
            raise InvalidRoute("a route needs at least two stops", field="stops")
        if legs is not None:
            return RoutedLegs.fixed(_checked_legs(legs, len(points) - 1, legs_field))
        if self.osrm is None:
            return self._embedded(points, at, "embedded")
        try:
            routed = await self.osrm.route(points)
        except RouterUnavailable as error:
            warning = f"road router unavailable ({error.detail}); distances are estimated"
            return self._embedded(points, at, "osrm-fallback-embedded", (warning,))
        return self._from_osrm(routed.distance_m, routed.duration_s, at)

    def _embedded(
        self, points: Sequence[Point], at: datetime, source: str, warnings: tuple[str, ...] = ()
    ) -> RoutedLegs:
        legs = self.embedded.legs_of(points, _local_hour(at))
        return RoutedLegs.estimated(legs, source, warnings)

    def _from_osrm(
        self, distance_m: np.ndarray, duration_s: np.ndarray, at: datetime
    ) -> RoutedLegs:
        """A road route has no circuity band; the band is in time. OSRM's car profile
        assumes free flow, so the high duration is the hour's average speed if slower."""
        speed_ms = self.embedded.profile.speed_kmh[_local_hour(at)] / 3.6
        slow_s = np.maximum(duration_s, distance_m / speed_ms)
        metres = distance_m.tolist()
        point = tuple(zip(metres, duration_s.tolist(), strict=True))
        slow = tuple(zip(metres, slow_s.tolist(), strict=True))
        return RoutedLegs(point, point, slow, source="osrm")

    async def aclose(self) -> None:
        if self.osrm is not None:
            await self.osrm.aclose()


def _checked_legs(legs: Sequence[LegPair], expected: int, field: str) -> list[LegPair]:
    if len(legs) != expected:
        raise InvalidRoute(
            f"{len(legs)} legs given for {expected + 1} stops; need {expected}", field=field
        )
    for i, (distance_m, duration_s) in enumerate(legs):
        for value, name in ((distance_m, "distance_m"), (duration_s, "duration_s")):
            if not (math.isfinite(value) and value >= 0):
                detail = f"{value} must be a finite number >= 0"
                raise InvalidRoute(detail, field=f"{field}[{i}].{name}")
    return list(legs)


def _local_hour(at: datetime) -> int:
    """The speed profile's hours are Seoul's."""
    return seoul_clock(at).hour
