"""Where a route last leaves its tariff's home area: the point from which a taxi meter
charges the out-of-city surcharge (``applies_to = "after_last_exit"``, ``tariff.OutOfArea``).

A route is its points in order (a ride's stops, or a GPS trace's fixes) joined by straight
lines: the embedded router and caller-given legs have no geometry, and a trace's fixes are
seconds apart. Each line is sampled every :data:`SAMPLE_M` metres with the same lookup that
names places (``PlaceIndex.outside_home``), and the crossing after the last sample inside
the area is narrowed down by bisection to under a metre. An excursion into the area
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
from fare_service.geo.regions import INSIDE, UNSURE

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Outside = Callable[[FloatArray, FloatArray], BoolArray]
"""Per point (lat, lon in degrees): outside every home region."""
OutsideOne = Callable[[float, float], bool]
"""One point (lat, lon) outside every home region: :data:`Outside` in plain Python, for
the last halvings of a few routes."""
FEW_EXITS = 8
"""Up to this many routes' exits are narrowed down one by one with ``outside_one``."""
Quick = Callable[[FloatArray, FloatArray], npt.NDArray[np.int8]]
"""Per point INSIDE, OUTSIDE or UNSURE, cheaply (``RegionLookup.quick_verdicts``): the
samples it is sure of need no :data:`Outside` lookup, whose polygons are the dear part."""

SAMPLE_M = 100.0
MAX_SAMPLES = 5_000
"""Samples on one line at most (500 km at :data:`SAMPLE_M`); longer lines are sampled
more sparsely."""
BISECTIONS = 7
"""Halvings of the last sample step: 100 m / 128, under a metre (a Seoul meter step is
131 m). Each halving is one lookup, and near a boundary one in three falls in a gap of
the 읍면동 layer that only the trees answer (~100 us): twelve halvings cost twice these."""

NO_SURCHARGE = np.nan
"""The position of a route that ends inside the area: it pays no surcharge."""


def last_exits(
    outside: Outside,
    lat: FloatArray,
    lon: FloatArray,
    route: IntArray,
    n: int,
    ends_outside: BoolArray | None = None,
    quick: Quick | None = None,
    outside_one: OutsideOne | None = None,
) -> FloatArray:
    """float64[n]: per route, where it last leaves the area (:data:`NO_SURCHARGE` when it
    ends inside, 0.0 when it never is inside: the whole ride runs outside).

    ``lat``, ``lon``: every route's points, a route's together and in order; ``route``:
    int64, each point's route (0..n-1). A route of one point has no line: it is outside
    or not by that point. ``ends_outside``: per route, whether its last point is outside,
    when the caller has looked it up already. With ``quick``, only the samples it is
    unsure of after a route's last sure one inside are looked up in full.
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

    def at(k: IntArray, f: FloatArray) -> tuple[FloatArray, FloatArray]:
        return a_lat[k] + (b_lat[k] - a_lat[k]) * f, a_lon[k] + (b_lon[k] - a_lon[k]) * f

    inside = np.flatnonzero(
        _inside(outside, quick, *at(of_sample, fraction), route[line[of_sample]], n)
    )
    if not len(inside):
        return position
    last_inside = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_inside, route[line[of_sample[inside]]], inside)
    exits = np.flatnonzero(last_inside >= 0)
    s = last_inside[exits]
    k, low, high = of_sample[s], fraction[s], fraction[s] + step[s]
    if outside_one is not None and len(exits) <= FEW_EXITS:
        high = np.array(
            [
                _bisect(outside_one, (a_lat[j], a_lon[j], b_lat[j], b_lon[j]), lo, hi)
                for j, lo, hi in zip(k.tolist(), low.tolist(), high.tolist(), strict=True)
            ]
        )
    else:
        for _ in range(BISECTIONS):
            middle = (low + high) / 2
            out = outside(*at(k, middle))
            low, high = np.where(out, low, middle), np.where(out, middle, high)
    position[exits] = line[k] - first_point[exits] + high
    return position


def _bisect(
    outside_one: OutsideOne, line: tuple[float, float, float, float], low: float, high: float
) -> float:
    """:data:`BISECTIONS` halvings of ``[low, high]`` on the line (a_lat, a_lon, b_lat,
    b_lon), in Python floats: the array steps' arithmetic, one point at a time, without
    numpy's fixed costs."""
    a_lat, a_lon, b_lat, b_lon = (float(value) for value in line)
    for _ in range(BISECTIONS):
        middle = (low + high) / 2
        if outside_one(a_lat + (b_lat - a_lat) * middle, a_lon + (b_lon - a_lon) * middle):
            high = middle
        else:
            low = middle
    return high


def _inside(
    outside: Outside,
    quick: Quick | None,
    lat: FloatArray,
    lon: FloatArray,
    route: IntArray,
    n: int,
) -> BoolArray:
    """Per sample (in route order; ``route``: each one's): inside the area, as far as the
    last exit can tell. Samples before a route's last one surely inside cannot be its
    last inside, so only the unsure ones after it are looked up."""
    if quick is None:
        return ~outside(lat, lon)
    verdict = quick(lat, lon)
    inside = verdict == INSIDE
    last_sure = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_sure, route[inside], np.flatnonzero(inside))
    ask = np.flatnonzero((verdict == UNSURE) & (np.arange(len(route)) > last_sure[route]))
    inside[ask] = ~outside(lat[ask], lon[ask])
    return inside
