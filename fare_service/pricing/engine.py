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
3. each surcharge = meter x percent, rounded by ``rounding.surcharge``; a time-of-day
   window applies by the ride's *start* time (``applies_to = "boarding"``), or to the
   steps run inside it and the fixed fees if the ride boards in it (``"running"``: one
   line per window, the cuts at its boundaries counted by :mod:`.windows`);
4. the sum is rounded by ``rounding.fare`` (its own breakdown line);
5. a fare under ``minimum_fare`` is raised to it (its own line).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from fare_service.clock import seoul_clock, wall_times
from fare_service.errors import InvalidRoute
from fare_service.money import round_to_unit
from fare_service.pricing.windows import (
    DAY_S,
    Crossing,
    Crossings,
    LegClock,
    Run,
    crossings,
    crossings_one,
    leg_starts,
    leg_starts_one,
    running,
    span_one,
    spans,
)
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
    ) -> Routes:
        """A single route from ``(distance_m, duration_s)`` legs; naive ``start`` is Seoul."""
        return cls.many([legs], [start], [waypoints], [waiting_s], [outside_area], [leg_start_s])

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
            _one_window(window, amount, windows)
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
        return _one_window(window, amount, self.split_lines.shape[1])


def _one_window(window: int, amount: int, windows: int) -> tuple[int, ...]:
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


class Share(NamedTuple):
    """What one time-of-day surcharge line is charged on: ``percent`` of the fixed fees
    (base, waypoints, waiting) x ``fixed``, of all the distance and time steps x
    ``steps``, and of ``crossed`` won more. Ints, or int64 arrays of routes.

    A ride that crosses no window boundary has one share, :meth:`of_meter`: its boarding
    window's percent of the whole meter (``crossed`` None). One that crosses has a share per
    window of the version: ``fixed`` 1 in the window it boards in, ``steps`` 1 in the one
    its last step runs in, and ``crossed`` the won run by each boundary crossed, added
    where the ride leaves the window and taken off where it enters it; so each window
    is charged on the steps run inside it.
    """

    percent: Any
    fixed: Any
    steps: Any
    crossed: Any

    @classmethod
    def of_meter(cls, percent: Any) -> Share:
        return cls(percent, 1, 1, None)

    def charged_on(self, fixed: Any, stepped: Any, meter: Any) -> Any:
        """The won this share's percent is taken of."""
        if self.crossed is None:
            return meter
        return fixed * self.fixed + stepped * self.steps + self.crossed


class AreaShare(NamedTuple):
    """What the out-of-area surcharge is charged on: the fixed fees x ``fixed`` (1 when it
    applies from boarding, 0 from a later exit) and the distance and time steps but the
    ``steps_before`` won run before the exit. Ints, or int64 arrays of routes."""

    fixed: Any
    steps_before: Any

    def charged_on(self, fixed: Any, stepped: Any) -> Any:
        return fixed * self.fixed + stepped - self.steps_before


WHOLE_FARE = AreaShare(1, 0)


class Counted(NamedTuple):
    """Per-route totals the fare rules start from: ints for one route, int64 arrays for many.

    ``run`` is the whole route (its ``fast_m``/``slow_s`` are only read with the meter
    rule); ``holiday`` and ``outside`` are booleans; ``shares`` are the time-of-day
    surcharge lines (:class:`Share`). ``area`` is what the out-of-area surcharge is
    charged on (:class:`AreaShare`).
    """

    run: Run
    waypoints: Any
    waiting_s: Any
    holiday: Any
    outside: Any
    shares: tuple[Share, ...]
    area: AreaShare

    def subset(self, rows: IntArray, shares: tuple[Share, ...]) -> Counted:
        """These routes of many, with other shares."""

        def rows_of(value: Any) -> Any:
            return value[rows] if isinstance(value, np.ndarray) else value

        return Counted(
            Run(*(rows_of(total) for total in self.run)),
            rows_of(self.waypoints),
            rows_of(self.waiting_s),
            rows_of(self.holiday),
            rows_of(self.outside),
            shares,
            AreaShare(rows_of(self.area.fixed), rows_of(self.area.steps_before)),
        )


Extremum = Callable[[Any, Any], Any]


def price_routes(version: TariffVersion, routes: Routes) -> PricedRoutes:
    """Price every route with one tariff version: the rules on int64 arrays.

    Every route is priced as if it crossed no window boundary; under ``applies_to =
    "running"`` those that do cross one are priced again, with a share per window."""
    _check(routes)
    d_leg = np.rint(routes.leg_distance_m).astype(np.int64)
    t_leg = np.rint(routes.leg_duration_s).astype(np.int64)
    distance_m = _per_route(d_leg, routes)
    duration_s = _per_route(t_leg, routes)
    for name, totals in (("leg_distance_m", distance_m), ("leg_duration_s", duration_s)):
        if totals.size and totals.max() > MAX_QUANTITY:
            raise InvalidRoute(TOO_LONG, field=name)
    slow = _is_slow(version, d_leg, t_leg) if _meter_rule(version) else None
    run = Run(distance_m, duration_s, distance_m, np.zeros_like(duration_s))
    if slow is not None:  # a product with the mask: np.where(slow, 0, d) is ~4x slower
        fast_m = _per_route(d_leg * ~slow, routes)
        run = run._replace(fast_m=fast_m, slow_s=_per_route(t_leg * slow, routes))
    day_s = routes.start.astype("datetime64[s]", copy=False).astype(np.int64) % DAY_S  # floor
    window, percent = version.time_windows(day_s // 60)
    counted = Counted(
        run=run,
        waypoints=routes.waypoints,
        waiting_s=np.rint(routes.waiting_s).astype(np.int64),
        holiday=is_korean_holiday(routes.start) if version.holiday else False,
        outside=routes.outside_area,
        shares=(Share.of_meter(percent),) if version.time_surcharges else (),
        area=_area_many(version, routes, d_leg, t_leg, slow),
    )
    n = routes.n
    lines = _lines(version, counted, np.maximum, np.minimum)
    del lines["shares"]  # one, equal to time_surcharge
    columns = {name: _full(value, n) for name, value in lines.items()}
    crossed = np.zeros(n, dtype=np.int64)
    split_rows = np.zeros(0, dtype=np.int64)
    split_lines = np.zeros((0, len(version.time_surcharges)), dtype=np.int64)
    if version.windows_run:
        legs = LegClock(d_leg, t_leg, routes.leg_route, _given_starts(routes, t_leg), slow)
        cut = crossings(version, day_s, spans(legs, n, duration_s), legs)
        crossed[cut.rides] = cut.count
        if len(cut.rides):
            split_rows, split_lines = _price_split(version, counted, window, cut, columns)
    return PricedRoutes(
        **columns,
        window=window,
        window_crossings=crossed,
        distance_m=distance_m,
        duration_s=duration_s,
        split_rows=split_rows,
        split_lines=split_lines,
    )


def _price_split(
    version: TariffVersion,
    counted: Counted,
    window: IntArray,
    cut: Crossings,
    columns: dict[str, IntArray],
) -> tuple[IntArray, IntArray]:
    """Price again, with a share per window, the rides that cross a boundary (``window``:
    every route's at boarding): write the lines that change into ``columns``, and return
    the rides and their line per window."""
    rows = cut.rides
    split = counted.subset(rows, _shares_many(version, window[rows], cut))
    lines = _lines(version, split, np.maximum, np.minimum)
    for name in _SPLIT_CHANGES:  # the meter's lines do not depend on the shares
        columns[name][rows] = lines[name]
    return rows, _full_columns(lines["shares"], len(rows))


_SPLIT_CHANGES = ("time_surcharge", "rounding", "minimum", "fare")


def _full_columns(lines: tuple[Any, ...], n: int) -> IntArray:
    """int64[n, len(lines)]."""
    if not lines:
        return np.zeros((n, 0), dtype=np.int64)
    return np.stack([_full(line, n) for line in lines], axis=1)


def _given_starts(routes: Routes, t_leg: IntArray) -> IntArray | None:
    """Each leg's start on its ride's clock when the routes give them (whole seconds)."""
    if routes.leg_start_s is None:
        return None
    given = np.rint(routes.leg_start_s).astype(np.int64)
    return leg_starts(t_leg, routes.leg_route, given)


def _shares_many(version: TariffVersion, window: IntArray, cut: Crossings) -> tuple[Share, ...]:
    """A share per window for the routes that cross (``cut.rides``; ``window``: theirs
    at boarding)."""
    distance, time_line = _step_lines(version, cut.run, np.maximum, np.minimum)
    won = distance + time_line
    return tuple(
        Share(
            w.percent,
            window == i,
            cut.last_window == i,
            cut.per_ride(won * (cut.before == i) - won * (cut.after == i)),
        )
        for i, w in enumerate(version.time_surcharges)
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
    slow = None
    run = Run(distance_m, duration_s, distance_m, 0)
    if _meter_rule(version):
        slow = [_is_slow(version, d, t) for d, t in zip(d_leg, t_leg, strict=True)]
        fast_m = sum(d for d, is_slow in zip(d_leg, slow, strict=True) if not is_slow)
        slow_s = sum(t for t, is_slow in zip(t_leg, slow, strict=True) if is_slow)
        run = Run(distance_m, duration_s, fast_m, slow_s)
    local = seoul_clock(route.start)
    day_s = local.hour * 3600 + local.minute * 60 + local.second
    window, percent = version.window_at_minute[day_s // 60]
    cuts: list[Crossing] = []
    if version.windows_run:
        given = None if route.leg_start_s is None else [round(s) for s in route.leg_start_s]
        starts = leg_starts_one(t_leg, given)
        cuts = crossings_one(version, day_s, d_leg, t_leg, starts, slow)
    if cuts:
        last_s = (day_s + span_one(t_leg, starts) - 1) % DAY_S  # the last second run
        shares = _shares_one(version, window, version.window_at_minute[last_s // 60][0], cuts)
    else:
        shares = (Share.of_meter(percent),) if version.time_surcharges else ()
    counted = Counted(
        run=run,
        waypoints=int(route.waypoints),
        waiting_s=round(float(route.waiting_s)),
        holiday=version.holiday is not None and local.date() in korean_holiday_dates(),
        outside=bool(route.outside_area),
        shares=shares,
        area=_area_one(version, route, d_leg, t_leg, slow),
    )
    lines = _lines(version, counted, max, min)
    share_lines = lines.pop("shares")
    if not cuts:
        share_lines = _one_window(window, lines["time_surcharge"], len(version.time_surcharges))
    return PricedRoute(
        **lines,
        window=window,
        window_surcharges=share_lines,
        window_crossings=len(cuts),
        distance_m=distance_m,
        duration_s=duration_s,
    )


def _area_one(
    version: TariffVersion,
    route: Route,
    d_leg: list[int],
    t_leg: list[int],
    slow: list[bool] | None,
) -> AreaShare:
    """What one route's out-of-area surcharge is charged on (:class:`AreaShare`)."""
    position = float(route.outside_from)
    if version.out_of_area is None or not (route.outside_area and position > 0):
        return WHOLE_FARE
    leg = min(int(position), len(d_leg))
    run = [sum(d_leg[:leg]), sum(t_leg[:leg]), 0, 0]
    if slow is not None:
        run[2] = sum(d for d, is_slow in zip(d_leg[:leg], slow, strict=False) if not is_slow)
        run[3] = sum(t for t, is_slow in zip(t_leg[:leg], slow, strict=False) if is_slow)
    if leg < len(d_leg):  # the exit lies inside this leg
        fraction = position - leg
        metres, seconds = math.floor(d_leg[leg] * fraction), math.floor(t_leg[leg] * fraction)
        run[0] += metres
        run[1] += seconds
        if slow is not None and slow[leg]:
            run[3] += seconds
        else:
            run[2] += metres
    if slow is None:
        run[2] = run[0]
    distance, time_line = _step_lines(version, Run(*run), max, min)
    return AreaShare(0, distance + time_line)


def _area_many(
    version: TariffVersion,
    routes: Routes,
    d_leg: IntArray,
    t_leg: IntArray,
    slow: npt.NDArray[np.bool_] | None,
) -> AreaShare:
    """:func:`_area_one` for every route: running sums of the legs up to each exit."""
    position = routes.outside_from
    if version.out_of_area is None or position is None:
        return WHOLE_FARE
    rows = np.flatnonzero(routes.outside_area & (position > 0))
    if not len(rows):
        return WHOLE_FARE
    order = np.argsort(routes.leg_route, kind="stable")  # each route's legs together, in order
    d, t = d_leg[order], t_leg[order]
    counts = np.bincount(routes.leg_route, minlength=routes.n)
    first = (np.cumsum(counts) - counts)[rows]
    leg = np.minimum(np.floor(position[rows]).astype(np.int64), counts[rows])
    inside_leg = leg < counts[rows]  # else the exit is at the route's end
    at = first + leg
    cut = np.minimum(at, max(len(d) - 1, 0))
    fraction = position[rows] - leg
    metres = np.where(inside_leg, np.floor(d[cut] * fraction), 0).astype(np.int64)
    seconds = np.where(inside_leg, np.floor(t[cut] * fraction), 0).astype(np.int64)

    def before(values: IntArray) -> IntArray:
        sums = running(values)
        return sums[at] - sums[first]

    distance_m, duration_s = before(d) + metres, before(t) + seconds
    fast_m, slow_s = distance_m, 0 * duration_s
    if slow is not None:
        slow_leg = slow[order]
        fast_m = before(d * ~slow_leg) + metres * ~slow_leg[cut]
        slow_s = before(t * slow_leg) + seconds * slow_leg[cut]
    distance, time_line = _step_lines(
        version, Run(distance_m, duration_s, fast_m, slow_s), np.maximum, np.minimum
    )
    fixed, steps_before = np.ones(routes.n, dtype=np.int64), np.zeros(routes.n, dtype=np.int64)
    fixed[rows], steps_before[rows] = 0, distance + time_line
    return AreaShare(fixed, steps_before)


def _shares_one(
    version: TariffVersion, window: int, last_window: int, cuts: list[Crossing]
) -> tuple[Share, ...]:
    """:func:`_shares_many` for one route that crosses."""
    crossed = [0 for _ in version.time_surcharges]
    for cut in cuts:
        distance, time_line = _step_lines(version, cut.run, max, min)
        if cut.before >= 0:
            crossed[cut.before] += distance + time_line
        if cut.after >= 0:
            crossed[cut.after] -= distance + time_line
    return tuple(
        Share(w.percent, window == i, last_window == i, crossed[i])
        for i, w in enumerate(version.time_surcharges)
    )


def _lines(
    version: TariffVersion, c: Counted, maximum: Extremum, minimum: Extremum
) -> dict[str, Any]:
    """The fare rules, once for both paths: each breakdown line, the fare, from totals.

    Only ``+ - * //``, comparisons and the given ``maximum``/``minimum`` (``max``/``min``
    on ints, ``np.maximum``/``np.minimum`` on arrays), so ints and int64 arrays give the
    same numbers. ``shares`` are the time-of-day lines, one per :class:`Share`.
    """
    distance, time_line = _step_lines(version, c.run, maximum, minimum)
    base = version.base.amount
    waypoint = c.waypoints * (version.waypoint.amount if version.waypoint else 0)
    waiting = _waiting(version.waiting, c.waiting_s, maximum)
    fixed, stepped = base + waypoint + waiting, distance + time_line
    meter = fixed + stepped

    steps = version.rounding
    shares = tuple(
        [
            _surcharge(share.charged_on(fixed, stepped, meter), share.percent, steps.surcharge)
            for share in c.shares
        ]
    )
    time_surcharge = sum(shares)
    holiday_percent = version.holiday.percent if version.holiday else 0
    holiday = _surcharge(meter, c.holiday * holiday_percent, steps.surcharge)
    area_percent = version.out_of_area.percent if version.out_of_area else 0
    area_on = c.area.charged_on(fixed, stepped)
    out_of_area = _surcharge(area_on, c.outside * area_percent, steps.surcharge)

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
        "shares": shares,
    }


def _step_lines(
    version: TariffVersion, run: Run, maximum: Extremum, minimum: Extremum
) -> tuple[Any, Any]:
    """The distance and time lines of what ``run`` covers (the whole route, or its part
    before a window boundary): whole steps, each its amount."""
    if _meter_rule(version):
        return _slow_meter(version, run.fast_m, run.slow_s, maximum)
    included_m, time = version.base.includes_m, version.time
    distance = (
        _banded(version.distance, run.distance_m, included_m, maximum, minimum)
        if version.distance
        else 0
    )
    time_line = 0
    if time is not None:
        charged_s = maximum(run.duration_s - version.base.includes_s, 0)
        time_line = (charged_s // time.per_s) * time.amount
    return distance, time_line


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


def _checked_route(route: Route) -> list[tuple[float, float]]:
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
    if isinstance(percent, int) and percent == 0:  # no such surcharge: skip the arithmetic
        return 0
    return round_to_unit(meter * percent, rounding.unit * 100, rounding.mode) // 100
