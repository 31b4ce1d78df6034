"""What the engine reads and gives back: routes in (:class:`Route` for one, :class:`Routes`
for many, as arrays) and priced routes out (:class:`PricedRoute`, :class:`PricedRoutes`),
with the checks that refuse a route that would price silently wrong."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from fare_service.clock import wall_times
from fare_service.errors import InvalidRoute
from fare_service.pricing.windows import leg_starts_one

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
MAX_QUANTITY = 10_000_000
"""The most metres, seconds or waypoints the engine prices, for a leg and for a route's
legs together: 10,000 km or 115 days, past any ride. With the tariff model's bounds (at
most 10,000,000 won and 1,000,000 m or s a step, surcharges up to 300% counted in
hundredths) it keeps every product the engine forms inside int64, where a larger float
would wrap when cast."""
OUT_OF_RANGE = f"must be finite, not negative and at most {MAX_QUANTITY:,}"
TOO_LONG = f"a route's legs must add up to at most {MAX_QUANTITY:,}"
ONE_START_A_LEG = "needs one start time for each leg"


@dataclass(frozen=True)
class Routes:
    """N routes priced together; legs are flattened, one entry per stop-to-stop leg.

    ``leg_distance_m``, ``leg_duration_s``: float64[L]; ``leg_route``: int64[L], the route
    (0..N-1) each leg belongs to; ``start``: datetime64[s][N], local (Asia/Seoul) wall time
    of the ride's start; ``waypoints``: int64[N]; ``waiting_s``: float64[N];
    ``outside_area``: bool[N], the route pays the out-of-area surcharge;
    ``outside_from``: float64[N], where it starts paying it, as a position in the route's
    legs (leg index + fraction of it, ``geo/area_exit.py``): 0 (and None) is at
    boarding, on the whole fare; past 0 only the steps run after it pay;
    ``leg_start_s``: float64[L], when each leg starts, in seconds after its route's start
    (None: each route's legs run back to back, so their durations place them). A route's
    legs come in route order.
    """

    leg_distance_m: FloatArray
    leg_duration_s: FloatArray
    leg_route: IntArray
    start: np.ndarray
    waypoints: IntArray
    waiting_s: FloatArray
    outside_area: npt.NDArray[np.bool_]
    leg_start_s: FloatArray | None = None
    outside_from: FloatArray | None = None

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
        leg_start_s: Sequence[float] | None = None,
        outside_from: float = 0.0,
    ) -> Routes:
        """A single route from ``(distance_m, duration_s)`` legs; naive ``start`` is Seoul.
        Takes a :class:`Route`'s fields (``Routes.one(**vars(route))``)."""
        return cls.many(
            [legs], [start], [waypoints], [waiting_s], [outside_area], [leg_start_s], [outside_from]
        )

    @classmethod
    def of(cls, routes: Sequence[Route]) -> Routes:
        """The engine's arrays for these one-route values, in order."""
        return cls.many(
            [route.legs for route in routes],
            [route.start for route in routes],
            [route.waypoints for route in routes],
            [route.waiting_s for route in routes],
            [route.outside_area for route in routes],
            [route.leg_start_s for route in routes],
            [route.outside_from for route in routes],
        )

    @classmethod
    def many(
        cls,
        legs: Sequence[Sequence[tuple[float, float]]],
        starts: Sequence[datetime],
        waypoints: Sequence[int],
        waiting_s: Sequence[float],
        outside_area: Sequence[bool],
        leg_start_s: Sequence[Sequence[float] | None] | None = None,
        outside_from: Sequence[float] | None = None,
    ) -> Routes:
        """Routes from Python values; a route without leg start times, among others with
        them, has its legs placed back to back."""
        flat = np.array([leg for route in legs for leg in route], dtype=np.float64).reshape(-1, 2)
        counts = [len(route) for route in legs]
        return cls(
            leg_distance_m=flat[:, 0],
            leg_duration_s=flat[:, 1],
            leg_route=np.repeat(np.arange(len(legs), dtype=np.int64), counts),
            start=wall_times(starts),
            waypoints=np.asarray(waypoints, dtype=np.int64),
            waiting_s=np.asarray(waiting_s, dtype=np.float64),
            outside_area=np.asarray(outside_area, dtype=bool),
            leg_start_s=_leg_starts(legs, leg_start_s),
            outside_from=None if outside_from is None else np.asarray(outside_from, np.float64),
        )


def _leg_starts(
    legs: Sequence[Sequence[tuple[float, float]]],
    starts: Sequence[Sequence[float] | None] | None,
) -> FloatArray | None:
    if starts is None or all(given is None for given in starts):
        return None
    placed = [
        given if given is not None else leg_starts_one([round(t) for _, t in route], None)
        for route, given in zip(legs, starts, strict=True)
    ]
    return np.array([start for route in placed for start in route], dtype=np.float64)


@dataclass(frozen=True)
class Route:
    """One route: ``(distance_m, duration_s)`` legs and its start (naive is Seoul time).

    ``leg_start_s``: when each leg starts, in seconds after ``start`` (a GPS trace's fixes
    know it); None: the legs run back to back from ``start``. ``outside_from``: where the
    out-of-area surcharge starts (:class:`Routes`)."""

    legs: Sequence[tuple[float, float]]
    start: datetime
    waypoints: int = 0
    waiting_s: float = 0.0
    outside_area: bool = False
    leg_start_s: Sequence[float] | None = None
    outside_from: float = 0.0


@dataclass(frozen=True)
class PricedRoutes:
    """Per-route integer won for each breakdown line; the lines add up to ``fare``.

    ``window`` is the index of the time-of-day window in force at boarding (-1 for none);
    ``window_crossings`` the window boundaries the ride's steps crossed (0 under
    ``applies_to = "boarding"``). A ride that crossed none paid ``time_surcharge`` in its
    boarding window; those that did are ``split_rows`` (ascending), with their line per
    window of the version in ``split_lines``, int64[len(split_rows), W]. Kept apart so a
    batch of a million routes does not carry a million rows of mostly zeros.
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
    window_crossings: IntArray
    distance_m: IntArray
    duration_s: IntArray
    split_rows: IntArray
    split_lines: IntArray

    def row(self, i: int) -> PricedRoute:
        """Route ``i`` as :func:`price_route` gives one route."""
        ints = [int(getattr(self, name)[i]) for name in _INT_FIELDS]
        return PricedRoute._make([*ints, self._window_lines(i, ints[_WINDOW], ints[_TIME])])

    def rows(self) -> list[PricedRoute]:
        """Every route as :func:`price_route` gives one (each column read out once)."""
        columns = [getattr(self, name).tolist() for name in _INT_FIELDS]
        windows = self.split_lines.shape[1]
        lines = [
            one_window(window, amount, windows)
            for window, amount in zip(columns[_WINDOW], columns[_TIME], strict=True)
        ]
        for i, split in zip(self.split_rows.tolist(), self.split_lines.tolist(), strict=True):
            lines[i] = tuple(split)
        return [
            PricedRoute._make([*values, route_lines])
            for *values, route_lines in zip(*columns, lines, strict=True)
        ]

    def _window_lines(self, i: int, window: int, amount: int) -> tuple[int, ...]:
        at = int(np.searchsorted(self.split_rows, i))
        if at < len(self.split_rows) and self.split_rows[at] == i:
            return tuple(self.split_lines[at].tolist())
        return one_window(window, amount, self.split_lines.shape[1])


def one_window(window: int, amount: int, windows: int) -> tuple[int, ...]:
    """The lines per window of a ride that paid ``amount`` in ``window`` alone."""
    lines = [0] * windows
    if window >= 0:
        lines[window] = amount
    return tuple(lines)


class PricedRoute(NamedTuple):
    """One priced route: :class:`PricedRoutes`' per-route fields as ints, in the same
    order, then ``window_surcharges``: the line of each of the version's time-of-day
    windows (they add up to ``time_surcharge``).

    A NamedTuple, not a frozen dataclass: a quote makes three of these, and a frozen
    dataclass sets each of its 16 fields through ``object.__setattr__``."""

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
    window_crossings: int
    distance_m: int
    duration_s: int
    window_surcharges: tuple[int, ...]


_INT_FIELDS = PricedRoute._fields[:-1]
assert tuple(f.name for f in fields(PricedRoutes))[: len(_INT_FIELDS)] == _INT_FIELDS
_WINDOW, _TIME = _INT_FIELDS.index("window"), _INT_FIELDS.index("time_surcharge")


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


def check_routes(routes: Routes) -> None:
    """Refuse what would price silently wrong: NaN, infinities, negatives, orphan legs,
    and quantities past :data:`MAX_QUANTITY`.

    Two reductions per array (min and max propagate NaN, which fails both comparisons).
    """
    for name in ("leg_distance_m", "leg_duration_s", "waiting_s", "leg_start_s", "outside_from"):
        values = getattr(routes, name)
        if values is None:
            continue
        if values.size and not (values.min() >= 0 and values.max() <= MAX_QUANTITY):
            raise InvalidRoute(OUT_OF_RANGE, field=name)
    if routes.leg_start_s is not None and len(routes.leg_start_s) != len(routes.leg_route):
        raise InvalidRoute(ONE_START_A_LEG, field="leg_start_s")
    waypoints = routes.waypoints
    if waypoints.size and not (waypoints.min() >= 0 and waypoints.max() <= MAX_QUANTITY):
        raise InvalidRoute(OUT_OF_RANGE, field="waypoints")
    legs = routes.leg_route
    if len(legs) and (legs.min() < 0 or legs.max() >= routes.n):
        raise InvalidRoute("refers to a route that does not exist", field="leg_route")


def checked_route(route: Route) -> list[tuple[float, float]]:
    """:func:`_check` for one route, in the same order with the same fields and words;
    the legs as floats."""
    legs = [(float(d), float(t)) for d, t in route.legs]
    starts = route.leg_start_s
    for name, values in (
        ("leg_distance_m", [d for d, _ in legs]),
        ("leg_duration_s", [t for _, t in legs]),
        ("waiting_s", [float(route.waiting_s)]),
        ("leg_start_s", [float(start) for start in starts or ()]),
        ("outside_from", [float(route.outside_from)]),
    ):
        if not all(0 <= value <= MAX_QUANTITY for value in values):  # NaN fails
            raise InvalidRoute(OUT_OF_RANGE, field=name)
    if starts is not None and len(starts) != len(legs):
        raise InvalidRoute(ONE_START_A_LEG, field="leg_start_s")
    if not 0 <= route.waypoints <= MAX_QUANTITY:
        raise InvalidRoute(OUT_OF_RANGE, field="waypoints")
    return legs
