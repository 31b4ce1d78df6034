"""Where a route last leaves its tariff's home area: the point from which a taxi meter
charges the out-of-city surcharge (``applies_to = "after_last_exit"``, ``tariff.OutOfArea``).

A route is its points in order (a ride's stops, or a GPS trace's fixes) joined by straight
lines: the embedded router and caller-given legs have no geometry, and a trace's fixes are
seconds apart. Each line is sampled every :data:`SAMPLE_M` metres (at fractions ``k / n``
of it) with the same lookup that names places (``home_area.py``), walking back from the
destination; the crossing after the last sample inside is narrowed down by bisection to
under a metre. An excursion into the area shorter than a sample step can be missed; at
100 m that is less than one step of the Seoul meter (131 m).

The walk does not look at every sample. Where the grid proves a point's surroundings
outside (``HomeArea.far_box_at``: every cell within some distance of it is far from the
area) it jumps back to where the line entered that box, as ray marching steps through a
distance field; near the area it looks at each sample, asking the polygons only where the
grid is unsure. A ride from Seoul to Suwon takes a few jumps and a dozen samples.

The answer is a *position*: the index of the line it lies on plus the fraction of that
line, so ``2.25`` is a quarter of the way along the third line. The engine reads a
position against the legs it prices (``pricing/engine.py``), so a route's point estimate
and its band place the exit at the same point of the road.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from fare_service.geo.embedded import SCALARS, haversine_m
from fare_service.geo.home_area import Box, HomeArea

SAMPLE_M = 100.0
MAX_SAMPLES = 5_000
"""Samples on one line at most (500 km at :data:`SAMPLE_M`); longer lines are sampled
more sparsely."""
BISECTIONS = 7
"""Halvings of the last sample step: 100 m / 128, under a metre (a Seoul meter step is
131 m). Near a boundary each halving is one exact lookup, ~10 us."""
NO_SURCHARGE = math.nan
"""The position of a route that ends inside the area: it pays no surcharge."""
_NOWHERE: Box = (math.inf, -math.inf, math.inf, -math.inf)  # a box that holds no point

Point = tuple[float, float]  # (lat, lon) in WGS84 degrees


def last_exit(points: Sequence[Point], area: HomeArea) -> float:
    """Where the route through ``points`` last leaves ``area``: :data:`NO_SURCHARGE` when
    it ends inside, 0.0 when it is never inside (the whole ride runs outside). A route of
    one point has no line: it is outside or not by that point."""
    if not points or not area.outside_at(*points[-1]):
        return NO_SURCHARGE
    clear = _NOWHERE  # the last box proven outside
    for line in reversed(range(len(points) - 1)):
        (a_lat, a_lon), (b_lat, b_lon) = points[line], points[line + 1]
        if _holds(clear, a_lat, a_lon) and _holds(clear, b_lat, b_lon):
            continue  # the line lies in the box: a trace's fixes a few metres apart
        distance = haversine_m(a_lat, a_lon, b_lat, b_lon, SCALARS)
        n = min(max(math.ceil(distance / SAMPLE_M), 1), MAX_SAMPLES)
        k = n - 1
        while k >= 0:
            f = k / n
            lat, lon = a_lat + (b_lat - a_lat) * f, a_lon + (b_lon - a_lon) * f
            if not _holds(clear, lat, lon):
                box = area.far_box_at(lat, lon)  # only a cell that holds no point inside has one
                if box is None:  # near the area: ask whether this sample is outside
                    if not area.outside_at(lat, lon):
                        return line + _bisect(area, (a_lat, a_lon, b_lat, b_lon), f, (k + 1) / n)
                    k -= 1
                    continue
                clear = box  # outside, and so is all around it
            entered = _entered(clear, a_lat, a_lon, b_lat, b_lon)
            k = min(k - 1, math.ceil(entered * n) - 1)  # the last sample before the box
    return 0.0


def _holds(box: Box, lat: float, lon: float) -> bool:
    south, north, west, east = box
    return south <= lat <= north and west <= lon <= east


def _entered(box: Box, a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """The fraction of the line from a to b where it enters ``box`` on its way to a point
    of the line inside the box: every point of the line from there to that one is in it."""
    south, north, west, east = box
    entered = 0.0
    for start, change, low, high in (
        (a_lat, b_lat - a_lat, south, north),
        (a_lon, b_lon - a_lon, west, east),
    ):
        if change > 0:
            entered = max(entered, (low - start) / change)
        elif change < 0:
            entered = max(entered, (high - start) / change)
    return entered


def _bisect(
    area: HomeArea, line: tuple[float, float, float, float], low: float, high: float
) -> float:
    """:data:`BISECTIONS` halvings of ``[low, high]`` (inside at ``low``, outside at
    ``high``) on the line (a_lat, a_lon, b_lat, b_lon): the first fraction found outside.
    The halvings close in on the border, where the grid is never sure: each asks the
    exact rule straight away."""
    a_lat, a_lon, b_lat, b_lon = line
    for _ in range(BISECTIONS):
        middle = (low + high) / 2
        if area.outside_by_rule(a_lat + (b_lat - a_lat) * middle, a_lon + (b_lon - a_lon) * middle):
            high = middle
        else:
            low = middle
    return high
