"""The fare engine: pure and vectorized, arrays of legs in, integer won out.

One implementation serves a single quote (N = 1), the API's batch and the batch command
(N = millions). The order of the steps is the tariff format's contract
(``tariffs/README.md``):

1. legs are counted in whole metres and seconds (rounded to the nearest), as a meter does;
2. meter = base + distance + time + waypoints + waiting, each a whole number of steps;
3. each surcharge = meter x percent, rounded by ``rounding.surcharge``;
   the time-of-day window is chosen by the ride's *start* time;
4. the sum is rounded by ``rounding.fare`` (its own breakdown line);
5. a fare under ``minimum_fare`` is raised to it (its own line).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime

import numpy as np
import numpy.typing as npt

from fare_service.errors import InvalidRoute
from fare_service.money import round_to_unit
from fare_service.public_holidays import is_korean_holiday
from fare_service.tariff import SEOUL, Distance, Rounding, TariffVersion

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
_NO_END = np.iinfo(np.int64).max // 4


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
            start=np.array([local_wall_time(s) for s in starts], dtype="datetime64[s]"),
            waypoints=np.asarray(waypoints, dtype=np.int64),
            waiting_s=np.asarray(waiting_s, dtype=np.float64),
            outside_area=np.asarray(outside_area, dtype=bool),
        )


def local_wall_time(at: datetime) -> np.datetime64:
    """Asia/Seoul wall time of ``at`` (naive is taken as already Seoul)."""
    local = at.astimezone(SEOUL) if at.tzinfo else at
    return np.datetime64(local.replace(tzinfo=None), "s")


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

    def row(self, i: int) -> dict[str, int]:
        return {name: int(getattr(self, name)[i]) for name in _PRICED_FIELDS}


_PRICED_FIELDS = tuple(f.name for f in fields(PricedRoutes))


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


def price_routes(version: TariffVersion, routes: Routes) -> PricedRoutes:
    """Price every route with one tariff version."""
    _check(routes)
    d_leg = np.rint(routes.leg_distance_m).astype(np.int64)
    t_leg = np.rint(routes.leg_duration_s).astype(np.int64)
    distance_m = _per_route(d_leg, routes)
    duration_s = _per_route(t_leg, routes)
    distance, time = _distance_and_time(version, d_leg, t_leg, routes, distance_m, duration_s)
    base = np.full(routes.n, version.base.amount, dtype=np.int64)
    waypoint = routes.waypoints * (version.waypoint.amount if version.waypoint else 0)
    waiting = _waiting(version, routes.waiting_s)
    meter = base + distance + time + waypoint + waiting

    window, window_percent = _time_window(version, routes.start)
    steps = version.rounding
    time_surcharge = _surcharge(meter, window_percent, steps.surcharge)
    holiday = _surcharge(meter, _holiday_percent(version, routes.start), steps.surcharge)
    area_percent = version.out_of_area.percent if version.out_of_area else 0
    out_of_area = _surcharge(meter, routes.outside_area * area_percent, steps.surcharge)

    subtotal = meter + time_surcharge + holiday + out_of_area
    rounded = round_to_unit(subtotal, steps.fare.unit, steps.fare.mode)
    fare = np.maximum(rounded, version.minimum_fare)
    return PricedRoutes(
        fare=fare,
        base=base,
        distance=distance,
        time=time,
        waypoint=waypoint,
        waiting=waiting,
        time_surcharge=time_surcharge,
        holiday=holiday,
        out_of_area=out_of_area,
        rounding=rounded - subtotal,
        minimum=fare - rounded,
        window=window,
        distance_m=distance_m,
        duration_s=duration_s,
    )


def _check(routes: Routes) -> None:
    """Refuse what would price silently wrong: NaN, infinities, negatives, orphan legs.

    Two reductions per array (min and max propagate NaN, which fails both comparisons):
    on a single quote's three routes each numpy call costs more than the data.
    """
    for name in ("leg_distance_m", "leg_duration_s", "waiting_s"):
        values = getattr(routes, name)
        if values.size and not (values.min() >= 0 and values.max() < np.inf):
            raise InvalidRoute("must be finite and not negative", field=name)
    if routes.waypoints.size and routes.waypoints.min() < 0:
        raise InvalidRoute("must not be negative", field="waypoints")
    legs = routes.leg_route
    if len(legs) and (legs.min() < 0 or legs.max() >= routes.n):
        raise InvalidRoute("refers to a route that does not exist", field="leg_route")


def _per_route(leg_values: IntArray, routes: Routes) -> IntArray:
    if len(leg_values) == routes.n and np.array_equal(routes.leg_route, np.arange(routes.n)):
        return leg_values
    summed = np.bincount(routes.leg_route, weights=leg_values, minlength=routes.n)
    return summed.astype(np.int64)


def _distance_and_time(
    version: TariffVersion,
    d_leg: IntArray,
    t_leg: IntArray,
    routes: Routes,
    distance_m: IntArray,
    duration_s: IntArray,
) -> tuple[IntArray, IntArray]:
    time, included_m = version.time, version.base.includes_m
    if time is not None and time.when == "slow" and version.distance is not None:
        return _slow_meter(version, d_leg, t_leg, routes)
    zeros = np.zeros(routes.n, dtype=np.int64)
    distance = _banded(version.distance, distance_m, included_m) if version.distance else zeros
    if time is None:
        return distance, zeros
    charged_s = np.maximum(duration_s - version.base.includes_s, 0)
    return distance, (charged_s // time.per_s) * time.amount


def _slow_meter(
    version: TariffVersion, d_leg: IntArray, t_leg: IntArray, routes: Routes
) -> tuple[IntArray, IntArray]:
    """The taxi meter: one counter that runs on distance, or on time while slow.

    A leg is slow when its speed is under per_m/per_s (the published threshold, checked
    at load). Counting in (metre x per_s) keeps the arithmetic in integers; the base's
    included distance comes off the counter first, and the steps bought by fast distance
    beyond it are the distance line, the rest the time line.
    """
    assert version.distance is not None and version.time is not None
    per_m, per_s = version.distance.bands[0].per_m, version.time.per_s
    amount, included_m = version.time.amount, version.base.includes_m
    slow = t_leg * per_m > d_leg * per_s
    fast_m = _per_route(np.where(slow, 0, d_leg), routes)
    slow_s = _per_route(np.where(slow, t_leg, 0), routes)
    counter = fast_m * per_s + slow_s * per_m - included_m * per_s
    steps = np.maximum(counter, 0) // (per_m * per_s)
    distance_steps = np.maximum(fast_m - included_m, 0) // per_m
    return distance_steps * amount, (steps - distance_steps) * amount


def _banded(distance: Distance, travelled_m: IntArray, included_m: int) -> IntArray:
    """Each band charges its completed steps for the metres travelled inside it."""
    total = np.zeros(len(travelled_m), dtype=np.int64)
    ends = [band.from_m for band in distance.bands[1:]] + [_NO_END]
    for band, end in zip(distance.bands, ends, strict=True):
        start = max(band.from_m, included_m)
        if end > start:  # np.minimum/maximum: np.clip costs ~4x more on small arrays
            metres = np.minimum(np.maximum(travelled_m, start), end) - start
            total += (metres // band.per_m) * band.amount
    return total


def _waiting(version: TariffVersion, waiting_s: FloatArray) -> IntArray:
    waiting = version.waiting
    seconds = np.rint(waiting_s).astype(np.int64)
    if waiting is None:
        return np.zeros(len(seconds), dtype=np.int64)
    return (np.maximum(seconds - waiting.free_s, 0) // waiting.per_s) * waiting.amount


def _time_window(version: TariffVersion, start: np.ndarray) -> tuple[IntArray, IntArray]:
    """Index and percent of the ``[start, end)`` window each ride starts in."""
    minute = start.astype("datetime64[m]").astype(np.int64) % 1440  # floor: before 1970 too
    return version.time_windows(minute)


def _holiday_percent(version: TariffVersion, start: np.ndarray) -> IntArray:
    if version.holiday is None:
        return np.zeros(len(start), dtype=np.int64)
    return is_korean_holiday(start).astype(np.int64) * version.holiday.percent


def _surcharge(meter: IntArray, percent: IntArray, rounding: Rounding) -> IntArray:
    """meter x percent / 100, rounded to ``rounding.unit`` won in integer arithmetic."""
    hundredths = meter * np.asarray(percent, dtype=np.int64)
    return round_to_unit(hundredths, rounding.unit * 100, rounding.mode) // 100
