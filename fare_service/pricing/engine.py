"""The fare engine: integer won out, for one route or for millions.

The fare rules are written once, in :func:`.fare_rules.fare_lines`, on per-route totals,
with nothing but arithmetic operators and a ``maximum``/``minimum`` pair that the caller
passes. They run on Python ints for one route (:func:`price_route`: a single quote, where
numpy's fixed cost per call on three-element arrays was most of the engine's time) and on
int64 arrays for many (:func:`price_routes`: the API's batch and the batch command). Only
counting the legs into those totals is written twice, here, and a property test holds the
two paths equal for random tariffs and routes (``tests/test_pricing_properties.py``). What
the engine reads and gives back is in ``routes.py``.

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
from typing import Any

import numpy as np
import numpy.typing as npt

from fare_service.clock import seoul_clock
from fare_service.errors import InvalidRoute
from fare_service.pricing.fare_rules import (
    WHOLE_FARE,
    AreaShare,
    Counted,
    Share,
    fare_lines,
    is_slow,
    meter_rule,
    step_lines,
)
from fare_service.pricing.routes import (
    MAX_QUANTITY,
    TOO_LONG,
    IntArray,
    PricedRoute,
    PricedRoutes,
    Route,
    Routes,
    check_routes,
    checked_route,
    one_window,
)
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
from fare_service.tariff import TariffVersion


def price_routes(version: TariffVersion, routes: Routes) -> PricedRoutes:
    """Price every route with one tariff version: the rules on int64 arrays.

    Every route is priced as if it crossed no window boundary; under ``applies_to =
    "running"`` those that do cross one are priced again, with a share per window."""
    check_routes(routes)
    d_leg = np.rint(routes.leg_distance_m).astype(np.int64)
    t_leg = np.rint(routes.leg_duration_s).astype(np.int64)
    distance_m = _per_route(d_leg, routes)
    duration_s = _per_route(t_leg, routes)
    for name, totals in (("leg_distance_m", distance_m), ("leg_duration_s", duration_s)):
        if totals.size and totals.max() > MAX_QUANTITY:
            raise InvalidRoute(TOO_LONG, field=name)
    slow = is_slow(version, d_leg, t_leg) if meter_rule(version) else None
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
    lines = fare_lines(version, counted, np.maximum, np.minimum)
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
    lines = fare_lines(version, split, np.maximum, np.minimum)
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
    distance, time_line = step_lines(version, cut.run, np.maximum, np.minimum)
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
    legs = checked_route(route)
    d_leg = [round(d) for d, _ in legs]
    t_leg = [round(t) for _, t in legs]
    distance_m, duration_s = sum(d_leg), sum(t_leg)
    for name, total in (("leg_distance_m", distance_m), ("leg_duration_s", duration_s)):
        if total > MAX_QUANTITY:
            raise InvalidRoute(TOO_LONG, field=name)
    slow = None
    run = Run(distance_m, duration_s, distance_m, 0)
    if meter_rule(version):
        slow = [is_slow(version, d, t) for d, t in zip(d_leg, t_leg, strict=True)]
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
    lines = fare_lines(version, counted, max, min)
    share_lines = lines.pop("shares")
    if not cuts:
        share_lines = one_window(window, lines["time_surcharge"], len(version.time_surcharges))
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
    distance, time_line = step_lines(version, Run(*run), max, min)
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
    distance, time_line = step_lines(
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
        distance, time_line = step_lines(version, cut.run, max, min)
        if cut.before >= 0:
            crossed[cut.before] += distance + time_line
        if cut.after >= 0:
            crossed[cut.after] -= distance + time_line
    return tuple(
        Share(w.percent, window == i, last_window == i, crossed[i])
        for i, w in enumerate(version.time_surcharges)
    )


def _full(value: Any, n: int) -> IntArray:
    """A line as int64[N]: lines that do not depend on the route come out as one int."""
    if isinstance(value, np.ndarray):
        return value
    return np.full(n, value, dtype=np.int64)


def _per_route(leg_values: IntArray, routes: Routes) -> IntArray:
    if len(leg_values) == routes.n and np.array_equal(routes.leg_route, np.arange(routes.n)):
        return leg_values
    summed = np.bincount(routes.leg_route, weights=leg_values, minlength=routes.n)
    return summed.astype(np.int64)
