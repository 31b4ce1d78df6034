"""The one road from a route request to a quote: stops or legs or a trace -> legs ->
the engine -> a :class:`QuoteResult`.

``POST /v1/quotes``, every item of ``POST /v1/quotes/batch``, the changed route of
``POST /v1/adjustments`` and ``fare-service quote`` all call :func:`quote_route`. The
batch command prices its files with the vectorized twin (``pricing.table``), held to the
same fares and errors by ``tests/test_entrances.py``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from fare_service import clock
from fare_service.errors import InvalidRoute
from fare_service.geo.places import PlaceIndex
from fare_service.geo.routing import LegPair, Point, RoutedLegs, Stop
from fare_service.geo.trace import TracePoint, trace_to_legs
from fare_service.pricing.engine import price_route, price_routes
from fare_service.pricing.routes import PricedRoute, Route, Routes
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
    at_field: str = "at"
    outside_area: bool | None = None
    """Whether the route leaves the tariff's home area; None: decided from the stops.
    Only a route given by its legs alone (``fare-service quote --leg``) has to say."""


@dataclass(frozen=True, slots=True)
class _Legs:
    routed: RoutedLegs
    points: list[Point]
    waypoints: int
    dropped_points: int | None = None
    started_at: datetime | None = None  # a trace's first fix kept
    point_s: list[float] | None = None  # a trace's fixes kept, in seconds after the first


@dataclass(frozen=True)
class RoutePlan:
    """A route checked, routed and placed: all a quote needs but the engine's numbers.

    ``variants`` are the distinct leg sets to price, the point estimate first (known legs
    have no band, so one); :meth:`result` turns their prices into the quote.
    """

    query: RouteQuery
    tariff: Tariff
    version: TariffVersion
    at: datetime
    legs: _Legs
    outside: bool
    outside_from: float = 0.0
    """Where the out-of-area surcharge starts, as a position in the legs (``Routes``)."""

    @property
    def variants(self) -> tuple[tuple[LegPair, ...], ...]:
        return self.legs.routed.variants

    def route(self, variant: tuple[LegPair, ...]) -> Route:
        return Route(
            variant,
            self.at,
            self.legs.waypoints,
            self.query.waiting_s,
            self.outside,
            outside_from=self.outside_from,
        )

    def result(self, priced: Sequence[PricedRoute]) -> QuoteResult:
        """The quote, from the prices of :attr:`variants`, in their order."""
        routed = self.legs.routed
        by_variant = dict(zip(self.variants, priced, strict=True))
        point, low, high = (by_variant[v] for v in (routed.point, routed.low, routed.high))
        return QuoteResult.of(
            self.tariff,
            self.version,
            point,
            self.at,
            route=RouteInfo(
                source=routed.source,  # type: ignore[arg-type]
                legs=tuple(Leg(round(d), round(t)) for d, t in routed.point),
                dropped_points=self.legs.dropped_points,
            ),
            range=FareRange.around(point.fare, low.fare, high.fare),
            warnings=(*routed.warnings, *tariff_warnings(self.tariff)),
            area_after_exit=self.outside and self.outside_from > 0,
        )


async def quote_route(query: RouteQuery, runtime: Runtime) -> QuoteResult:
    """Price one route with the tariff version in force at its start, with its band."""
    return _priced_alone(await plan_route(query, runtime))


def price_point(plan: RoutePlan) -> PricedRoute:
    """The plan's point estimate alone (no band): what a route is priced at."""
    return _price(plan, plan.route(plan.legs.routed.point))


async def plan_route(query: RouteQuery, runtime: Runtime) -> RoutePlan:
    """Everything before the engine: the tariff version, the legs, the out-of-area rule.

    A trace starts at its first fix kept, whatever ``at`` says: its legs run back to back
    from there, so the tariff version and the late-night windows see the ride's real clock.
    """
    if query.trace is not None:
        legs = _trace_legs(query, runtime)
        at = legs.started_at or query.at or clock.now()
        tariff, version = runtime.book.version_at(query.tariff_id, at, "trace[0].t")
    else:
        at = query.at or clock.now()
        tariff, version = runtime.book.version_at(query.tariff_id, at, query.at_field)
        legs = await _legs(query, at, runtime)
    outside, outside_from = _out_of_area(query, version, legs, runtime)
    return RoutePlan(query, tariff, version, at, legs, outside, outside_from)


def _out_of_area(
    query: RouteQuery, version: TariffVersion, legs: _Legs, runtime: Runtime
) -> tuple[bool, float]:
    """Whether the route pays the out-of-area surcharge (``tariff.OutOfArea``), and from
    where in its legs: with ``"whole"`` when any stop is outside the home area, from
    boarding (:func:`_any_stop_outside`); with ``"after_last_exit"`` when the destination
    is, from the route's last exit from the area (``geo/area_exit.py``)."""
    area = version.out_of_area
    if area is None:
        return False, 0.0
    if query.outside_area is not None:  # legs alone: no points to place
        return query.outside_area, 0.0
    places, home = runtime.places, area.home_regions
    if area.applies_to == "whole":
        return _any_stop_outside(legs, home, places), 0.0
    on_lines = places.last_exit(legs.points, home)
    if math.isnan(on_lines):  # the ride ends at home: most do
        return False, 0.0
    if legs.point_s is None:
        return True, on_lines
    return True, _on_the_clock(on_lines, legs.point_s, legs.routed.point)


def _any_stop_outside(legs: _Legs, home: Sequence[str], places: PlaceIndex) -> bool:
    """A stop outside the home area. A trace's first and last fix are its stops; a fix
    between them counts when it lies in an area outside (a detour the call would have
    named as a waypoint), not when it lies in none: the fixes over the sea on 인천대교,
    between two points of Incheon."""
    if legs.point_s is None:
        return places.stops_outside(legs.points, home)
    ends = [legs.points[0], legs.points[-1]]
    return places.stops_outside(ends, home) or places.fixes_on_land_outside(legs.points, home)


def _on_the_clock(position: float, point_s: list[float], legs: Sequence[LegPair]) -> float:
    """A position on a trace's lines between fixes as a position in its legs: the moment
    the trace reached it, placed on the legs' running durations."""
    line = min(int(position), len(point_s) - 2)
    moment = point_s[line] + (position - line) * (point_s[line + 1] - point_s[line])
    ended = 0.0
    for i, (_, duration) in enumerate(legs):
        if moment < ended + duration:
            return i + (moment - ended) / duration
        ended += duration
    return float(len(legs))


def price_plans(plans: Sequence[RoutePlan]) -> Iterator[QuoteResult | InvalidRoute]:
    """Many plans priced with one engine call per tariff version: the engine's array path,
    which a property test holds equal to the one-route path :func:`quote_route` takes.
    A group the engine refuses is priced plan by plan, so each refusal is its own.

    Each plan's quote, in order, is made when it is asked for (the engine runs at the
    first), so a caller can give the event loop back between quotes."""
    priced: list[list[PricedRoute] | None] = [None] * len(plans)
    groups: dict[int, list[int]] = {}
    for i, plan in enumerate(plans):
        groups.setdefault(id(plan.version), []).append(i)
    for members in groups.values():
        routes = [plans[i].route(v) for i in members for v in plans[i].variants]
        try:
            rows = iter(price_routes(plans[members[0]].version, Routes.of(routes)).rows())
        except InvalidRoute:
            continue  # None: priced alone
        for i in members:
            priced[i] = [next(rows) for _ in plans[i].variants]
    for plan, variants in zip(plans, priced, strict=True):
        yield plan.result(variants) if variants is not None else _result_or_error(plan)


def _result_or_error(plan: RoutePlan) -> QuoteResult | InvalidRoute:
    try:
        return _priced_alone(plan)
    except InvalidRoute as error:
        return error


def _priced_alone(plan: RoutePlan) -> QuoteResult:
    """The plan priced by the one-route engine, each variant in turn."""
    return plan.result([_price(plan, plan.route(variant)) for variant in plan.variants])


async def _legs(query: RouteQuery, at: datetime, runtime: Runtime) -> _Legs:
    if not query.stops and query.legs:  # legs alone: the waypoints are between them
        return _Legs(RoutedLegs.fixed(query.legs), [], waypoints=len(query.legs) - 1)
    points = runtime.resolve_stops(query.stops, query.stop_fields)
    routed = await runtime.routing.legs_for(points, at, query.legs, query.legs_field)
    return _Legs(routed, points, waypoints=len(points) - 2)


def _trace_legs(query: RouteQuery, runtime: Runtime) -> _Legs:
    """One leg per window of the trace, in whole metres and seconds rounded on the whole
    trace (``geo.trace``), so both engine paths price the distance and time the trace
    measured. Every fix must be in Korea, as every stop must; the fixes kept (not the
    dropped ones) decide whether, and where, the route leaves the home area."""
    assert query.trace is not None
    result = trace_to_legs(query.trace)
    runtime.check_in_korea(
        [(lat, lon) for _, lat, lon in query.trace],
        [f"trace[{i}]" for i in range(len(query.trace))],
    )
    legs = list(zip(result.distance_m.tolist(), result.duration_s.tolist(), strict=True))
    kept = result.kept_index.tolist()
    points = [(query.trace[i][1], query.trace[i][2]) for i in kept]
    started = query.trace[kept[0]][0]
    seconds = [(query.trace[i][0] - started).total_seconds() for i in kept]
    routed = RoutedLegs.fixed(legs, "trace")
    return _Legs(routed, points, 0, result.dropped, started, seconds)


def _price(plan: RoutePlan, route: Route) -> PricedRoute:
    """The engine names its own arrays when it refuses a route (legs adding up past its
    limit); the caller needs the part of the request that made them."""
    try:
        return price_route(plan.version, route)
    except InvalidRoute as error:
        query = plan.query
        where = "trace" if query.trace else query.legs_field if query.legs else "waypoints"
        raise InvalidRoute(error.detail, field=where) from error


def tariff_warnings(tariff: Tariff) -> tuple[str, ...]:
    if tariff.example_values:
        return (f"{tariff.name}({tariff.id}): 일부 요율은 실제 요금표로 바꿔야 할 예시 값입니다",)
    return ()
