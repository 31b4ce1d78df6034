"""Where a route last leaves its tariff's home area: the point from which a taxi meter
charges the out-of-city surcharge (``applies_to = "after_last_exit"``, ``tariff.OutOfArea``).

A route is its points in order (a ride's stops, or a GPS trace's fixes) joined by straight
lines: the embedded router and caller-given legs have no geometry, and a trace's fixes are
seconds apart. Each line is sampled every :data:`SAMPLE_M` metres with the same lookup that
names places (``PlaceIndex.outside_home``), and the crossing after the last sample inside
the area is narrowed down to under a metre. An excursion into the area
shorter than a sample step can be missed; at 100 m that is less than one step of the Seoul
meter (131 m).

The answer per route is a *position*: the index of the line it lies on plus the fraction
of that line, so ``2.25`` is a quarter of the way along the third line. The engine reads a
position against the legs it prices (``pricing/engine.py``), so a route's point estimate
and its band place the exit at the same point of the road.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from fare_service.geo.embedded import haversine_m

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Outside = Callable[[FloatArray, FloatArray], BoolArray]
"""Per point (lat, lon in degrees): outside every home region."""

SAMPLE_M = 100.0
MAX_SAMPLES = 5_000
"""Samples on one line at most (500 km at :data:`SAMPLE_M`); longer lines are sampled
more sparsely."""
REFINE = 128
"""Parts the last sample step is cut into: 100 m / 128, under a metre. The lookup costs
about the same for 32 parts as for 128 (the points near a boundary share its fixed cost)."""

NO_SURCHARGE = np.nan
"""The position of a route that ends inside the area: it pays no surcharge."""


def last_exits(
    outside: Outside,
    lat: FloatArray,
    lon: FloatArray,
    route: IntArray,
    n: int,
    ends_outside: BoolArray | None = None,
) -> FloatArray:
    """float64[n]: per route, where it last leaves the area (:data:`NO_SURCHARGE` when it
    ends inside, 0.0 when it never is inside: the whole ride runs outside).

    ``lat``, ``lon``: every route's points, a route's together and in order; ``route``:
    int64, each point's route (0..n-1). A route of one point has no line: it is outside
    or not by that point. ``ends_outside``: per route, whether its last point is outside,
    when the caller has looked it up already.
    """
    position = np.full(n, NO_SURCHARGE)
    if not len(route):
        return position
    last = np.flatnonzero(np.r_[route[1:] != route[:-1], True])
    if ends_outside is None:
        ends_outside = np.zeros(n, dtype=bool)
        ends_outside[route[last]] = outside(lat[last], lon[last])
    position[ends_outside] = 0.0
    first_point = np.zeros(n, dtype=np.int64)
    first_point[route[::-1]] = np.arange(len(route))[::-1]  # the lowest index wins
    line = np.flatnonzero((route[:-1] == route[1:]) & ends_outside[route[:-1]])
    if not len(line):
        return position
    a_lat, a_lon, b_lat, b_lon = lat[line], lon[line], lat[line + 1], lon[line + 1]
    metres = haversine_m(a_lat, a_lon, b_lat, b_lon)
    samples = np.clip(np.ceil(metres / SAMPLE_M), 1, MAX_SAMPLES).astype(np.int64)
    of_sample = np.repeat(np.arange(len(line)), samples)
    start = np.repeat(np.cumsum(samples) - samples, samples)
    step = 1.0 / samples[of_sample]
    fraction = (np.arange(len(of_sample)) - start) * step

    def outside_at(k: IntArray, f: FloatArray) -> BoolArray:
        return outside(a_lat[k] + (b_lat[k] - a_lat[k]) * f, a_lon[k] + (b_lon[k] - a_lon[k]) * f)

    inside = np.flatnonzero(~outside_at(of_sample, fraction))
    if not len(inside):
        return position
    last_inside = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_inside, route[line[of_sample[inside]]], inside)
    exits = np.flatnonzero(last_inside >= 0)
    s = last_inside[exits]
    k, low, high = of_sample[s], fraction[s], fraction[s] + step[s]
    # The last sample step, cut into REFINE parts in one lookup (not a bisection: each
    # lookup has a fixed cost of tens of microseconds, a sample almost none).
    part = np.arange(1, REFINE) / REFINE
    finer = low[:, None] + (high - low)[:, None] * part
    out = outside_at(np.repeat(k, REFINE - 1), finer.ravel()).reshape(finer.shape)
    last_in = np.where(~out, np.arange(1, REFINE), 0).max(axis=1)  # 0: ``low`` itself
    high = low + (high - low) * (last_in + 1) / REFINE
    position[exits] = line[k] - first_point[exits] + high
    return position
