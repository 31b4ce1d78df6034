"""The one road from a route request to a quote: stops or legs or a trace -> legs ->
the engine -> a :class:`QuoteResult`.

``POST /v1/quotes``, every item of ``POST /v1/quotes/batch``, the changed route of
``POST /v1/adjustments`` and ``fare-service quote`` all call :func:`quote_route`. The
batch command prices its files with the vectorized twin (``pricing.table``), held to the
same fares and errors by ``tests/test_entrances.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from fare_service import clock
from fare_service.errors import InvalidRoute
from fare_service.geo.routing import LegPair, Point, RoutedLegs, Stop
from fare_service.geo.trace import TracePoint, trace_to_legs
from fare_service.pricing.engine import PricedRoute, Route, price_route
from fare_service.service.results import FareRange, Leg, QuoteResult, RouteInfo
from fare_service.service.runtime import Runtime
from fare_service.tariff import Tariff, TariffVersion


@dataclass(frozen=True, slots=True)
class RouteQuery:
    """A route to price, already checked field by field by the surface that read it.

    ``stops`` are ``(lat, lon)`` or place names, in route order, and ``stop_fields`` the
    request's name for each (for errors); ``legs`` replace routing; a ``trace`` replaces
    stops and legs. ``at`` is the ride's start on Seoul's clock (None: now).
    """

    stops: Sequence[Stop] = ()
    stop_fields: Sequence[str] = ()
    at: datetime | None = None
    tariff_id: str | None = None
    legs: Sequence[LegPair] | None = None
    trace: Sequence[TracePoint] | None = None
    waiting_s: float = 0.0
    legs_field: str = field(default="legs")
    outside_area: bool | None = None
    """Whether the route leaves the tariff's home area; None: decided from the stops.
    Only a route given by its legs alone (``fare-service quote --leg``) has to say."""


@dataclass(frozen=True, slots=True)
class _Legs:
    routed: RoutedLegs
    points: list[Point]
    waypoints: int
    dropped_points: int | None = None


async def quote_route(query: RouteQuery, runtime: Runtime) -> QuoteResult:
    """Price one route with the tariff version in force at its start, with its band."""
    at = query.at or clock.now()
    tariff, version = runtime.book.version_at(query.tariff_id, at)
    if query.trace is not None:
        legs = _trace_legs(query, runtime)
    else:
        legs = await _legs(query, at, runtime)
    home = version.out_of_area.home_regions if version.out_of_area else None
    outside = bool(home) and runtime.places.stops_outside(legs.points, home or ())
    if query.outside_area is not None:
        outside = query.outside_area
    variants = (legs.routed.point, legs.routed.low, legs.routed.high)
    priced: dict[tuple[LegPair, ...], PricedRoute] = {}  # known legs have no band
    for variant in variants:
        if variant not in priced:
            route = Route(variant, at, legs.waypoints, query.waiting_s, outside)
            priced[variant] = _price(version, route, query)
    point, low, high = (priced[variant] for variant in variants)
    return QuoteResult.of(
        tariff,
        version,
        point,
        at,
        route=RouteInfo(
            source=legs.routed.source,  # type: ignore[arg-type]
            legs=tuple(Leg(round(d), round(t)) for d, t in legs.routed.point),
            dropped_points=legs.dropped_points,
        ),
        range=FareRange.around(point.fare, low.fare, high.fare),
        warnings=(*legs.routed.warnings, *tariff_warnings(tariff)),
    )


async def _legs(query: RouteQuery, at: datetime, runtime: Runtime) -> _Legs:
    if not query.stops and query.legs:  # legs alone: the waypoints are between them
        return _Legs(RoutedLegs.fixed(query.legs), [], waypoints=len(query.legs) - 1)
    points = runtime.resolve_stops(query.stops, query.stop_fields)
    routed = await runtime.routing.legs_for(points, at, query.legs, query.legs_field)
    return _Legs(routed, points, waypoints=len(points) - 2)


def _trace_legs(query: RouteQuery, runtime: Runtime) -> _Legs:
    """Legs between the kept fixes; every fix must be in Korea, as every stop must."""
    assert query.trace is not None
    result = trace_to_legs(query.trace)
    runtime.check_in_korea(
        [(lat, lon) for _, lat, lon in query.trace],
        [f"trace[{i}]" for i in range(len(query.trace))],
    )
    legs = list(zip(result.distance_m.tolist(), result.duration_s.tolist(), strict=True))
    points = [(query.trace[i][1], query.trace[i][2]) for i in result.kept_index.tolist()]
    return _Legs(RoutedLegs.fixed(legs, "trace"), points, 0, result.dropped)


def _price(version: TariffVersion, route: Route, query: RouteQuery) -> PricedRoute:
    """The engine names its own arrays when it refuses a route (legs adding up past its
    limit); the caller needs the part of the request that made them."""
    try:
        return price_route(version, route)
    except InvalidRoute as error:
        where = "trace" if query.trace else query.legs_field if query.legs else "waypoints"
        raise InvalidRoute(error.detail, field=where) from error


def tariff_warnings(tariff: Tariff) -> tuple[str, ...]:
    if tariff.example_values:
        return (f"{tariff.name}({tariff.id}): 일부 요율은 실제 요금표로 바꿔야 할 예시 값입니다",)
    return ()
