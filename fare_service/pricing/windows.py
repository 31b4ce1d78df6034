"""The ride's clock: where a route is when it crosses a surcharge window's boundary.

Under ``applies_to = "running"`` (``tariffs/README.md``) each step is charged at the rate in
force when it is run, so the engine needs, at every window boundary a ride crosses, how far
and how long it had run by then. This module finds those crossings and cuts the legs there;
the engine prices the cuts with the same rules as the totals.

The clock, in whole seconds of Seoul wall time: the ride starts at its start; a leg starts
at its given start time (a GPS trace knows it), or, without one, when the leg before it ends
(legs back to back; waiting is not placed on the clock); never before the leg before it has
ended, one car driving them in turn. Within a leg its distance is spread evenly over its
duration, counted in completed metres; a leg without duration is run at its start. A step
completed exactly at a boundary was run before it: it counts in the window that ends there.

Written twice, like the legs' totals: :func:`crossings` on int64 arrays for many routes,
:func:`crossings_one` in Python for one; ``tests/test_pricing_properties.py`` holds the
engine's two paths equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from fare_service.tariff import TariffVersion

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
DAY_S = 86_400


class Run(NamedTuple):
    """How far and how long a route has run, in whole metres and seconds: all of it, or
    the part before a window boundary. ``fast_m``/``slow_s`` split it by the meter rule's
    slow legs (all fast without the rule). Ints for one route, int64 arrays for many."""

    distance_m: Any
    duration_s: Any
    fast_m: Any
    slow_s: Any


class Crossing(NamedTuple):
    """One window boundary a ride crosses: the windows before and after (-1: none) and
    what the ride had run by then."""

    before: int
    after: int
    run: Run


@dataclass(frozen=True)
class Crossings:
    """The boundaries many rides cross. Per ride that crosses one: ``rides`` (its route,
    ascending), ``count`` (its crossings, at least 1) and ``last_window`` (the window its
    last step runs in, -1 for none). Per crossing, grouped by ride in that order:
    ``before``, ``after`` and ``run``, as :class:`Crossing` has them for one."""

    rides: IntArray
    count: IntArray
    last_window: IntArray
    before: IntArray
    after: IntArray
    run: Run

    def per_ride(self, values: IntArray) -> IntArray:
        """int64[R]: per ride the sum of ``values`` over its crossings, exactly."""
        return _sum(values, np.cumsum(self.count) - self.count)


@dataclass(frozen=True)
class LegClock:
    """Many routes' legs on the clock, in whole metres and seconds: per leg
    ``distance_m``, ``duration_s``, ``route`` (a route's legs come in route order),
    ``start_s`` (seconds after its ride's start, from :func:`leg_starts`; None: back to
    back) and ``slow`` (the meter rule's slow legs; None without the rule)."""

    distance_m: IntArray
    duration_s: IntArray
    route: IntArray
    start_s: IntArray | None
    slow: BoolArray | None


def leg_starts_one(duration_s: Sequence[int], given: Sequence[int] | None) -> list[int]:
    """Each leg's start in whole seconds after the ride's start: back to back, or the given
    time unless the leg before has not ended by then."""
    if given is None:
        return [0, *accumulate(duration_s)][: len(duration_s)]
    starts: list[int] = []
    for start, t_before in zip(given, [0, *duration_s], strict=False):
        starts.append(max(start, starts[-1] + t_before) if starts else start)
    return starts


def leg_starts(duration_s: IntArray, route: IntArray, given: IntArray) -> IntArray:
    """:func:`leg_starts_one` for every leg of every route (``given``: int64[L]).

    With ``C`` the back-to-back start, a leg starts at ``C + max(given - C)`` over itself
    and its route's legs before it: the latest leg that had to wait pushes those after."""
    order = np.argsort(route, kind="stable")
    leg_route = route[order]
    back_to_back = _back_to_back(duration_s[order], leg_route)
    apart = leg_route * _ROUTES_APART  # one running maximum per route
    waited = np.maximum.accumulate(given[order] - back_to_back + apart) - apart
    starts = np.empty_like(given)
    starts[order] = back_to_back + waited
    return starts


_ROUTES_APART = 1 << 26
"""More than any ``given - C`` or leg start (each within 0..2 x 10,000,000, the engine's
limit on a leg and on a route's legs together), so that routes' clocks never overlap."""


def span_one(duration_s: Sequence[int], starts: Sequence[int]) -> int:
    """Seconds from the ride's start to the end of its last leg."""
    return starts[-1] + duration_s[-1] if starts else 0


def spans(legs: LegClock, n: int, duration_s: IntArray) -> IntArray:
    """:func:`span_one` per route; back to back it is the routes' summed durations."""
    if legs.start_s is None:
        return duration_s
    span = np.zeros(n, dtype=np.int64)
    np.maximum.at(span, legs.route, legs.start_s + legs.duration_s)  # the last leg's end
    return span


def crossings_one(
    version: TariffVersion,
    day_s: int,
    distance_m: Sequence[int],
    duration_s: Sequence[int],
    starts: Sequence[int],
    slow: Sequence[bool] | None,
) -> list[Crossing]:
    """The boundaries a ride starting ``day_s`` seconds into the day crosses before its
    last leg ends, in no particular order (a ride of days crosses a boundary each day)."""
    span = span_one(duration_s, starts)
    boundaries = version.window_boundaries
    if not boundaries or span <= _to_first_boundary(boundaries)[day_s // 60] - day_s % 60:
        return []  # most rides: a lookup, not a turn through every boundary
    found = []
    for second, before, after in boundaries:
        elapsed = (second - day_s - 1) % DAY_S + 1  # 1..DAY_S: one at boarding is not crossed
        while elapsed < span:
            run = _run_until(elapsed, distance_m, duration_s, starts, slow)
            found.append(Crossing(before, after, run))
            elapsed += DAY_S
    return found


def _run_until(
    elapsed: int,
    distance_m: Sequence[int],
    duration_s: Sequence[int],
    starts: Sequence[int],
    slow: Sequence[bool] | None,
) -> Run:
    run = [0, 0, 0, 0]
    for i, (d, t, start) in enumerate(zip(distance_m, duration_s, starts, strict=True)):
        seconds = min(max(elapsed - start, 0), t)
        metres = d * seconds // t if t else (d if elapsed >= start else 0)
        run[0] += metres
        run[1] += seconds
        if slow is not None and slow[i]:
            run[3] += seconds
        else:
            run[2] += metres
    return Run(*run)


def crossings(version: TariffVersion, day_s: IntArray, span: IntArray, legs: LegClock) -> Crossings:
    """:func:`crossings_one` for every route at once (``day_s``, ``span``: int64[N]).

    Only the routes that cross a boundary (a table lookup each) have their legs cut, so a
    batch of short rides pays little more than the lookup. Each round takes every ride
    to its next boundary, as long as some ride still runs past one."""
    if not version.window_boundaries:
        return _none()
    bounds, to_next, next_bound = _boundary_tables(version.window_boundaries)
    first = to_next[day_s]  # seconds to the first boundary after the start
    rides = np.flatnonzero(first < span)
    if not rides.size:
        return _none()
    gap = np.diff(bounds[:, 0], append=bounds[0, 0] + DAY_S)  # boundary k to the next one
    ride, elapsed, bound = np.arange(len(rides)), first[rides], next_bound[day_s[rides]]
    ride_span, found = span[rides], []
    while ride.size:
        found.append((ride, elapsed, bound))
        elapsed, bound = elapsed + gap[bound], (bound + 1) % len(bounds)
        going_on = elapsed < ride_span[ride]
        ride, elapsed, bound = ride[going_on], elapsed[going_on], bound[going_on]
    ride, elapsed, bound = (np.concatenate(column) for column in zip(*found, strict=True))
    by_ride = np.argsort(ride, kind="stable")  # each ride's crossings together, in time order
    ride, elapsed, bound = ride[by_ride], elapsed[by_ride], bound[by_ride]
    run = _runs_until(elapsed, ride, rides, legs, len(day_s))
    last_s = (day_s[rides] + ride_span - 1) % DAY_S  # the last second run
    last_window, _ = version.time_windows(last_s // 60)
    count = np.bincount(ride, minlength=len(rides)).astype(np.int64)
    return Crossings(rides, count, last_window, bounds[bound, 1], bounds[bound, 2], run)


def _none() -> Crossings:
    empty = np.zeros(0, dtype=np.int64)
    return Crossings(empty, empty, empty, empty, empty, Run(empty, empty, empty, empty))


@lru_cache(maxsize=32)
def _to_first_boundary(boundaries: tuple[tuple[int, int, int], ...]) -> tuple[int, ...]:
    """Per minute of the day, the seconds from its start to the first boundary after it
    (boundaries are whole minutes): :func:`_boundary_tables` for one ride, in Python."""
    _, to_next, _ = _boundary_tables(boundaries)
    return tuple(to_next[::60].tolist())


@lru_cache(maxsize=32)
def _boundary_tables(
    boundaries: tuple[tuple[int, int, int], ...],
) -> tuple[IntArray, IntArray, IntArray]:
    """A version's boundaries as int64[K, 3] and, per second of the day, the seconds to
    the first boundary after it and that boundary's index: a lookup per ride instead of
    arithmetic. Kept per set of boundaries (a few tariff versions share them)."""
    bounds, second = np.array(boundaries, dtype=np.int64), np.arange(DAY_S)
    boundary_s = bounds[:, 0]
    after = np.searchsorted(boundary_s, second, side="right")
    index = after % len(boundary_s)
    next_s = np.where(after < len(boundary_s), boundary_s[index], boundary_s[0] + DAY_S)
    return bounds, next_s - second, index


def _runs_until(
    elapsed: IntArray, ride: IntArray, rides: IntArray, legs: LegClock, n_routes: int
) -> Run:
    """What each crossing's ride (``ride``: its index in ``rides``) had run ``elapsed``
    seconds after its start: its legs before the one running then, in full (running
    sums), and that leg's part. Only the legs of ``rides`` are read. Under the meter rule
    only the counters it reads, ``fast_m`` and ``slow_s``, are cut (the others are None)."""
    mine = _legs_of(rides, legs.route, n_routes)
    t, d, leg_route = legs.duration_s[mine], legs.distance_m[mine], legs.route[mine]
    first = np.flatnonzero(np.r_[True, leg_route[1:] != leg_route[:-1]])[ride]
    leg_start, zero = _one_clock(legs, mine, t, leg_route, first)
    now = zero + elapsed
    last_started = np.searchsorted(leg_start, now, side="right") - 1
    started = last_started >= first  # else the ride's first leg starts later
    leg = np.where(started, last_started, first)
    seconds = np.minimum(now - leg_start[leg], t[leg]) * started
    metres = np.where(t[leg] > 0, d[leg] * seconds // np.maximum(t[leg], 1), d[leg] * started)
    if legs.slow is None:
        distance, duration = running(d), running(t)
        distance_m = distance[leg] - distance[first] + metres
        return Run(distance_m, duration[leg] - duration[first] + seconds, distance_m, 0 * t[leg])
    slow = legs.slow[mine]
    fast_m, slow_s = running(d * ~slow), running(t * slow)
    return Run(
        None,
        None,
        fast_m[leg] - fast_m[first] + metres * ~slow[leg],
        slow_s[leg] - slow_s[first] + seconds * slow[leg],
    )


def _legs_of(rides: IntArray, leg_route: IntArray, n_routes: int) -> IntArray:
    """Indices of the legs of ``rides`` (ascending), grouped by ride in order."""
    taken = np.zeros(n_routes, dtype=bool)
    taken[rides] = True
    mine = np.flatnonzero(taken[leg_route])
    route = leg_route[mine]
    if len(route) and not (route[1:] >= route[:-1]).all():
        mine = mine[np.argsort(route, kind="stable")]  # stable: each ride's legs in order
    return mine


def _one_clock(
    legs: LegClock, mine: IntArray, t: IntArray, leg_route: IntArray, first: IntArray
) -> tuple[IntArray, IntArray]:
    """The rides one after another on one clock: each of their legs' start on it
    (ascending) and each crossing's ride's zero. Back to back it is the legs' running time."""
    if legs.start_s is None:
        ended = running(t)
        return ended[:-1], ended[first]
    leg_start = leg_route * _ROUTES_APART + legs.start_s[mine]
    return leg_start, leg_route[first] * _ROUTES_APART


def running(values: IntArray) -> IntArray:
    """int64[L + 1]: per leg the sum of the legs before it; the last entry is all of them.
    A ride's part before leg j is ``sums[j] - sums[first]``."""
    sums = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(values, out=sums[1:])
    return sums


def _back_to_back(duration_s: IntArray, leg_route: IntArray) -> IntArray:
    """Each leg's start when a route's legs (grouped, in order) run back to back."""
    ended = np.cumsum(duration_s) - duration_s  # everything before the leg, all routes
    new_route = np.r_[True, leg_route[1:] != leg_route[:-1]]
    route_first = np.maximum.accumulate(np.where(new_route, np.arange(len(leg_route)), 0))
    return ended - ended[route_first]


def _sum(values: IntArray, groups: IntArray) -> IntArray:
    """The sums of consecutive non-empty groups starting at ``groups``, in int64 (exact,
    where a float sum of won at crossing after crossing might not be)."""
    if not len(groups):
        return np.zeros(0, dtype=np.int64)
    return np.add.reduceat(values, groups).astype(np.int64)
