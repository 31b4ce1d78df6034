"""The fare engine: integer won out, for one route or for millions.

The fare rules are written once, in :func:`_lines`, on per-route totals, with nothing but
arithmetic operators and a ``maximum``/``minimum`` pair that the caller passes. They run
on Python ints for one route (:func:`price_route`: a single quote, where numpy's fixed
cost per call on three-element arrays was most of the engine's time) and on int64 arrays
for many (:func:`price_routes`: the API's batch and the batch command). Only counting the
legs into those totals is written twice, and a property test holds the two paths equal
for random tariffs and routes (``tests/test_pricing_properties.py``).

The order of the steps is the tariff format's contract (``tariffs/README.md``):

1. legs are counted in whole metres and seconds (rounded to the nearest), as a meter does;
2. meter = base + distance + time + waypoints + waiting, each a whole number of steps;
3. each surcharge = meter x percent, rounded by ``rounding.surcharge``;
   the time-of-day window is chosen by the ride's *start* time;
4. the sum is rounded by ``rounding.fare`` (its own breakdown line);
5. a fare under ``minimum_fare`` is raised to it (its own line).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from fare_service.clock import seoul_clock, wall_time
from fare_service.errors import InvalidRoute
from fare_service.money import round_to_unit
from fare_service.public_holidays import is_korean_holiday, korean_holiday_dates
from fare_service.tariff import Distance, Rounding, TariffVersion, Waiting

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
_NO_END = np.iinfo(np.int64).max // 4
MAX_QUANTITY = 10_000_000
"""The most metres, seconds or waypoints the engine prices, for a leg and for a route's
legs together: 10,000 km or 115 days, past any ride. With the tariff model's bounds (at
most 10,000,000 won and 1,000,000 m or s a step, surcharges up to 300% counted in
hundredths) it keeps every product the engine forms inside int64, where a larger float
would wrap when cast."""
OUT_OF_RANGE = f"must be finite, not negative and at most {MAX_QUANTITY:,}"
TOO_LONG = f"a route's legs must add up to at most {MAX_QUANTITY:,}"


@dataclass(frozen=True)
class Routes:
    """N routes priced together; legs are flattened, one entry per stop-to-stop leg.

    ``leg_distance_m``, ``leg_duration_s``: float64[L]; ``leg_route``: int64[L], the route
    (0..N-1) each leg belongs to; ``start``: datetime64[s][N], local (Asia/Seoul) wall time
    of the ride's start; ``waypoints``: int64[N]; ``waiting_s``: float64[N];
    ``outside_area``: bool[N], some stop lies outside the tariff's home regions.
    """

    leg_distance_m: FloatArray
    leg_duration_s: FloatArray
    leg_route: IntArray
    start: np.ndarray
    waypoints: IntArray
    waiting_s: FloatArray
    outside_area: npt.NDArray[np.bool_]

    @property
    def n(self) -> int:
        return len(self.start)

    @classmethod
    def one(
        cls,
        legs: Sequence[tuple[float, float]],
        start: datetime,
        *,
        waypoints: int = 0,
        waiting_s: float = 0.0,
        outside_area: bool = False,
    ) -> Routes:
        """A single route from ``(distance_m, duration_s)`` legs; naive ``start`` is Seoul."""
        return cls.many([legs], [start], [waypoints], [waiting_s], [outside_area])

    @classmethod
    def of(cls, routes: Sequence[Route]) -> Routes:
        """The engine's arrays for these one-route values, in order."""
        return cls.many(
            [route.legs for route in routes],
            [route.start for route in routes],
            [route.waypoints for route in routes],
            [route.waiting_s for route in routes],
            [route.outside_area for route in routes],
        )

    @classmethod
    def many(
        cls,
        legs: Sequence[Sequence[tuple[float, float]]],
        starts: Sequence[datetime],
        waypoints: Sequence[int],
        waiting_s: Sequence[float],
        outside_area: Sequence[bool],
    ) -> Routes:
        flat = np.array([leg for route in legs for leg in route], dtype=np.float64).reshape(-1, 2)
        counts = [len(route) for route in legs]
        return cls(
            leg_distance_m=flat[:, 0],
            leg_duration_s=flat[:, 1],
            leg_route=np.repeat(np.arange(len(legs), dtype=np.int64), counts),
            start=np.array([wall_time(s) for s in starts], dtype="datetime64[s]"),
            waypoints=np.asarray(waypoints, dtype=np.int64),
            waiting_s=np.asarray(waiting_s, dtype=np.float64),
            outside_area=np.asarray(outside_area, dtype=bool),
        )


@dataclass(frozen=True)
class Route:
    """One route: ``(distance_m, duration_s)`` legs and its start (naive is Seoul time)."""

    legs: Sequence[tuple[float, float]]
    start: datetime
    waypoints: int = 0
    waiting_s: float = 0.0
    outside_area: bool = False


@dataclass(frozen=True)
class PricedRoutes:
    """Per-route integer won for each breakdown line; the lines add up to ``fare``.

    ``window`` is the index of the time-of-day surcharge applied (-1 for none).
    """

    fare: IntArray
    base: IntArray
    distance: IntArray
    time: IntArray
    waypoint: IntArray
    waiting: IntArray
    time_surcharge: IntArray
    holiday: IntArray
    out_of_area: IntArray
    rounding: IntArray
    minimum: IntArray
    window: IntArray
    distance_m: IntArray
    duration_s: IntArray

    def row(self, i: int) -> PricedRoute:
        """Route ``i`` as :func:`price_route` gives one route."""
        return PricedRoute(*(int(getattr(self, name)[i]) for name in _PRICED_FIELDS))

    def rows(self) -> list[PricedRoute]:
        """Every route as :func:`price_route` gives one (each column read out once)."""
        columns = [getattr(self, name).tolist() for name in _PRICED_FIELDS]
        return [PricedRoute._make(values) for values in zip(*columns, strict=True)]


class PricedRoute(NamedTuple):
    """One priced route: :class:`PricedRoutes`' fields as ints, in the same order.

    A NamedTuple, not a frozen dataclass: a quote makes three of these, and a frozen
    dataclass sets each of its 14 fields through ``object.__setattr__``."""

    fare: int
    base: int
    distance: int
    time: int
    waypoint: int
    waiting: int
    time_surcharge: int
    holiday: int
    out_of_area: int
    rounding: int
    minimum: int
    window: int
    distance_m: int
    duration_s: int

    def line(self, name: str) -> int:
        """The amount of the breakdown line ``name`` (one of :data:`LINE_FIELDS`)."""
        amount: int = getattr(self, name)
        return amount


_PRICED_FIELDS = tuple(f.name for f in fields(PricedRoutes))
assert PricedRoute._fields == _PRICED_FIELDS


LINE_FIELDS = (
    "base",
    "distance",
    "time",
    "waypoint",
    "waiting",
    "time_surcharge",
    "holiday",
    "out_of_area",
    "rounding",
    "minimum",
)


class Counted(NamedTuple):
    """Per-route totals the fare rules start from: ints for one route, int64 arrays for many.

    ``fast_m``/``slow_s`` split the route by the meter rule's slow legs (only read when
    the tariff has one); ``holiday`` and ``outside`` are booleans; ``window_percent`` is
    the time-of-day surcharge in force at the start (0 outside every window).
    """

    distance_m: Any
    duration_s: Any
    fast_m: Any
    slow_s: Any
    waypoints: Any
    waiting_s: Any
    window_percent: Any
    holiday: Any
    outside: Any


Extremum = Callable[[Any, Any], Any]


def price_routes(version: TariffVersion, routes: Routes) -> PricedRoutes:
    """Price every route with one tariff version: the rules on int64 arrays."""
    _check(routes)
    d_leg = np.rint(routes.leg_distance_m).astype(np.int64)
    t_leg = np.rint(routes.leg_duration_s).astype(np.int64)
    distance_m = _per_route(d_leg, routes)
    duration_s = _per_route(t_leg, routes)
    for name, totals in (("leg_distance_m", distance_m), ("leg_duration_s", duration_s)):
        if totals.size and totals.max() > MAX_QUANTITY:
            raise InvalidRoute(TOO_LONG, field=name)
    fast_m, slow_s = distance_m, np.zeros_like(duration_s)
    if _meter_rule(version):
        slow = _is_slow(version, d_leg, t_leg)
        fast_m = _per_route(np.where(slow, 0, d_leg), routes)
        slow_s = _per_route(np.where(slow, t_leg, 0), routes)
    minute = routes.start.astype("datetime64[m]").astype(np.int64) % 1440  # floor, pre-1970 too
    window, window_percent = version.time_windows(minute)
    counted = Counted(
        distance_m=distance_m,
        duration_s=duration_s,
        fast_m=fast_m,
        slow_s=slow_s,
        waypoints=routes.waypoints,
        waiting_s=np.rint(routes.waiting_s).astype(np.int64),
        window_percent=window_percent,
        holiday=is_korean_holiday(routes.start) if version.holiday else False,
        outside=routes.outside_area,
    )
    lines = _lines(version, counted, np.maximum, np.minimum)
    n = routes.n
    return PricedRoutes(
        **{name: _full(value, n) for name, value in lines.items()},
        window=window,
        distance_m=distance_m,
        duration_s=duration_s,
    )


def price_route(version: TariffVersion, route: Route) -> PricedRoute:
    """Price one route in Python ints: :func:`price_routes`'s rules and result
    (:meth:`PricedRoutes.row`), without numpy's fixed cost per call."""
    legs = _checked_route(route)
    d_leg = [round(d) for d, _ in legs]
    t_leg = [round(t) for _, t in legs]
    distance_m, duration_s = sum(d_leg), sum(t_leg)
    for name, total in (("leg_distance_m", distance_m), ("leg_duration_s", duration_s)):
        if total > MAX_QUANTITY:
            raise InvalidRoute(TOO_LONG, field=name)
    fast_m, slow_s = distance_m, 0
    if _meter_rule(version):
        slow = [_is_slow(version, d, t) for d, t in zip(d_leg, t_leg, strict=True)]
        fast_m = sum(d for d, is_slow in zip(d_leg, slow, strict=True) if not is_slow)
        slow_s = sum(t for t, is_slow in zip(t_leg, slow, strict=True) if is_slow)
    local = seoul_clock(route.start)
    window, window_percent = version.window_at_minute[local.hour * 60 + local.minute]
    counted = Counted(
        distance_m=distance_m,
        duration_s=duration_s,
        fast_m=fast_m,
        slow_s=slow_s,
        waypoints=int(route.waypoints),
        waiting_s=round(float(route.waiting_s)),
        window_percent=window_percent,
        holiday=version.holiday is not None and local.date() in korean_holiday_dates(),
        outside=bool(route.outside_area),
    )
    lines = _lines(version, counted, max, min)
    return PricedRoute(**lines, window=window, distance_m=distance_m, duration_s=duration_s)


def _lines(
    version: TariffVersion, c: Counted, maximum: Extremum, minimum: Extremum
) -> dict[str, Any]:
    """The fare rules, once for both paths: each breakdown line, the fare, from totals.

    Only ``+ - * //``, comparisons and the given ``maximum``/``minimum`` (``max``/``min``
    on ints, ``np.maximum``/``np.minimum`` on arrays), so ints and int64 arrays give the
    same numbers.
    """
    time, included_m = version.time, version.base.includes_m
    if _meter_rule(version):
        distance, time_line = _slow_meter(version, c.fast_m, c.slow_s, maximum)
    else:
        distance = (
            _banded(version.distance, c.distance_m, included_m, maximum, minimum)
            if version.distance
            else 0
        )
        time_line = 0
        if time is not None:
            charged_s = maximum(c.duration_s - version.base.includes_s, 0)
            time_line = (charged_s // time.per_s) * time.amount
    base = version.base.amount
    waypoint = c.waypoints * (version.waypoint.amount if version.waypoint else 0)
    waiting = _waiting(version.waiting, c.waiting_s, maximum)
    meter = base + distance + time_line + waypoint + waiting

    steps = version.rounding
    time_surcharge = _surcharge(meter, c.window_percent, steps.surcharge)
    holiday_percent = version.holiday.percent if version.holiday else 0
    holiday = _surcharge(meter, c.holiday * holiday_percent, steps.surcharge)
    area_percent = version.out_of_area.percent if version.out_of_area else 0
    out_of_area = _surcharge(meter, c.outside * area_percent, steps.surcharge)

    subtotal = meter + time_surcharge + holiday + out_of_area
    rounded = round_to_unit(subtotal, steps.fare.unit, steps.fare.mode)
    fare = maximum(rounded, version.minimum_fare)
    return {
        "fare": fare,
        "base": base,
        "distance": distance,
        "time": time_line,
        "waypoint": waypoint,
        "waiting": waiting,
        "time_surcharge": time_surcharge,
        "holiday": holiday,
        "out_of_area": out_of_area,
        "rounding": rounded - subtotal,
        "minimum": fare - rounded,
    }


def _full(value: Any, n: int) -> IntArray:
    """A line as int64[N]: lines that do not depend on the route come out as one int."""
    if isinstance(value, np.ndarray):
        return value
    return np.full(n, value, dtype=np.int64)


def _check(routes: Routes) -> None:
    """Refuse what would price silently wrong: NaN, infinities, negatives, orphan legs,
    and quantities past :data:`MAX_QUANTITY`.

    Two reductions per array (min and max propagate NaN, which fails both comparisons).
    """
    for name in ("leg_distance_m", "leg_duration_s", "waiting_s"):
        values = getattr(routes, name)
        if values.size and not (values.min() >= 0 and values.max() <= MAX_QUANTITY):
            raise InvalidRoute(OUT_OF_RANGE, field=name)
    waypoints = routes.waypoints
    if waypoints.size and not (waypoints.min() >= 0 and waypoints.max() <= MAX_QUANTITY):
        raise InvalidRoute(OUT_OF_RANGE, field="waypoints")
    legs = routes.leg_route
    if len(legs) and (legs.min() < 0 or legs.max() >= routes.n):
        raise InvalidRoute("refers to a route that does not exist", field="leg_route")


def _checked_route(route: Route) -> list[tuple[float, float]]:
    """:func:`_check` for one route, in the same order with the same fields and words;
    the legs as floats."""
    legs = [(float(d), float(t)) for d, t in route.legs]
    for name, values in (
        ("leg_distance_m", [d for d, _ in legs]),
        ("leg_duration_s", [t for _, t in legs]),
        ("waiting_s", [float(route.waiting_s)]),
    ):
        if not all(0 <= value <= MAX_QUANTITY for value in values):  # NaN fails
            raise InvalidRoute(OUT_OF_RANGE, field=name)
    if not 0 <= route.waypoints <= MAX_QUANTITY:
        raise InvalidRoute(OUT_OF_RANGE, field="waypoints")
    return legs


def _per_route(leg_values: IntArray, routes: Routes) -> IntArray:
    if len(leg_values) == routes.n and np.array_equal(routes.leg_route, np.arange(routes.n)):
        return leg_values
    summed = np.bincount(routes.leg_route, weights=leg_values, minlength=routes.n)
    return summed.astype(np.int64)


def _meter_rule(version: TariffVersion) -> bool:
    """The taxi meter: time runs the fare only while the car is slow."""
    return version.time is not None and version.time.when == "slow" and version.distance is not None


def _is_slow(version: TariffVersion, d_leg: Any, t_leg: Any) -> Any:
    """A leg is slow when its speed is under per_m/per_s (the published threshold,
    checked at load); compared in integers."""
    assert version.distance is not None and version.time is not None
    return t_leg * version.distance.bands[0].per_m > d_leg * version.time.per_s


def _slow_meter(
    version: TariffVersion, fast_m: Any, slow_s: Any, maximum: Extremum
) -> tuple[Any, Any]:
    """The taxi meter: one counter that runs on distance, or on time while slow.

    Counting in (metre x per_s) keeps the arithmetic in integers; the base's included
    distance comes off the counter first, and the steps bought by fast distance beyond
    it are the distance line, the rest the time line.
    """
    assert version.distance is not None and version.time is not None
    per_m, per_s = version.distance.bands[0].per_m, version.time.per_s
    amount, included_m = version.time.amount, version.base.includes_m
    counter = fast_m * per_s + slow_s * per_m - included_m * per_s
    steps = maximum(counter, 0) // (per_m * per_s)
    distance_steps = maximum(fast_m - included_m, 0) // per_m
    return distance_steps * amount, (steps - distance_steps) * amount


def _banded(
    distance: Distance, travelled_m: Any, included_m: int, maximum: Extremum, minimum: Extremum
) -> Any:
    """Each band charges its completed steps for the metres travelled inside it."""
    total = 0
    ends = [band.from_m for band in distance.bands[1:]] + [_NO_END]
    for band, end in zip(distance.bands, ends, strict=True):
        start = max(band.from_m, included_m)
        if end > start:  # a maximum and a minimum, not a clip: ``max``/``min`` on ints
            metres = minimum(maximum(travelled_m, start), end) - start
            total = total + (metres // band.per_m) * band.amount
    return total


def _waiting(waiting: Waiting | None, waiting_s: Any, maximum: Extremum) -> Any:
    if waiting is None:
        return 0
    return (maximum(waiting_s - waiting.free_s, 0) // waiting.per_s) * waiting.amount


def _surcharge(meter: Any, percent: Any, rounding: Rounding) -> Any:
    """meter x percent / 100, rounded to ``rounding.unit`` won in integer arithmetic."""
    return round_to_unit(meter * percent, rounding.unit * 100, rounding.mode) // 100
