"""From a quote request to a priced quote: stops -> legs -> the engine, with the fare band.

The point estimate and the low/high band are three routes through the engine's one-route
path (``pricing.price_route``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fare_service.errors import InvalidRoute
from fare_service.geo.routing import RoutedLegs
from fare_service.geo.trace import trace_to_legs
from fare_service.pricing import Route, price_route
from fare_service.quote import QuoteData, fare_range, quote_data
from fare_service.runtime import Runtime
from fare_service.tariff import SEOUL, Tariff, TariffVersion

LegPair = tuple[float, float]


@dataclass(frozen=True)
class RouteQuery:
    """What a quote needs, already validated by the caller (the API schema or the CLI).

    ``stops`` are ``(lat, lon)`` pairs or place names; ``legs`` bypass routing;
    ``trace`` is ``(t, lat, lon)`` points and replaces stops and legs.
    """

    stops: Sequence[tuple[float, float] | str]
    tariff_id: str | None = None
    at: datetime | None = None
    legs: Sequence[LegPair] | None = None
    trace: Sequence[tuple[datetime, float, float]] | None = None
    waiting_s: float = 0.0
    stops_field: Sequence[str] | None = None


def ride_time(at: datetime | None) -> datetime:
    """Aware time of the ride: now when absent, Asia/Seoul when naive."""
    if at is None:
        return datetime.now(SEOUL)
    return at if at.tzinfo else at.replace(tzinfo=SEOUL)


async def quote_route(query: RouteQuery, runtime: Runtime) -> QuoteData:
    """The quote as plain data (:func:`~fare_service.quote.quote_data`)."""
    at = ride_time(query.at)
    tariff, version = runtime.book.version_at(query.tariff_id, at)
    if query.trace is not None:
        legs, points, dropped = trace_route(query.trace)
        routed = RoutedLegs.fixed(legs, source="trace")
    else:
        points = runtime.resolve_stops(query.stops, query.stops_field)
        routed = await runtime.routing.legs_for(points, at, legs=query.legs)
        dropped = None
    return _price(tariff, version, at, routed, points, query, runtime, dropped)


def trace_route(
    trace: Sequence[tuple[datetime, float, float]],
) -> tuple[list[LegPair], list[tuple[float, float]], int]:
    """Legs between the kept fixes, those fixes' points, and how many were dropped.

    ``trace_to_legs`` refuses a trace with fewer than two usable fixes, so legs exist.
    """
    result = trace_to_legs([(ride_time(t), lat, lon) for t, lat, lon in trace])
    legs = list(zip(result.distance_m.tolist(), result.duration_s.tolist(), strict=True))
    points = [(trace[i][1], trace[i][2]) for i in result.kept_index.tolist()]
    return legs, points, result.dropped


def _price(
    tariff: Tariff,
    version: TariffVersion,
    at: datetime,
    routed: RoutedLegs,
    points: Sequence[tuple[float, float]],
    query: RouteQuery,
    runtime: Runtime,
    dropped: int | None,
) -> QuoteData:
    home = version.out_of_area.home_regions if version.out_of_area else None
    outside = bool(home) and runtime.places.stops_outside(points, home or [])
    waypoints = 0 if query.trace is not None else max(len(points) - 2, 0)
    variants = (routed.point, routed.low, routed.high)
    priced: dict[tuple[LegPair, ...], dict[str, int]] = {}  # known legs have no band
    for legs in variants:
        if legs not in priced:
            route = Route(legs, at, waypoints, query.waiting_s, outside)
            priced[legs] = _price_route(version, route, query)
    point, low, high = (priced[legs] for legs in variants)
    return quote_data(
        tariff,
        version,
        point,
        at,
        route={
            "source": routed.source,
            "legs": [{"distance_m": round(d), "duration_s": round(t)} for d, t in variants[0]],
            "dropped_points": dropped,
        },
        band=fare_range(point["fare"], low["fare"], high["fare"]),
        warnings=[*routed.warnings, *_tariff_warnings(tariff)],
    )


def _price_route(version: TariffVersion, route: Route, query: RouteQuery) -> dict[str, int]:
    """The engine names its own arrays when it refuses a route (legs adding up past its
    limit); the caller needs the part of the request that made them."""
    try:
        return price_route(version, route)
    except InvalidRoute as error:
        field = "trace" if query.trace else "legs" if query.legs else "waypoints"
        raise InvalidRoute(error.detail, field=field) from error


def _tariff_warnings(tariff: Tariff) -> list[str]:
    if tariff.example_values:
        return [f"{tariff.name}({tariff.id}): 일부 요율은 실제 요금표로 바꿔야 할 예시 값입니다"]
    return []
