"""A recorded GPS trace -> legs, the way a meter would have counted them.

A meter counts the road continuously; a trace only samples it, and every GPS error in
it would be charged to the customer. Pricing the fix-to-fix legs made the fare depend on
the sampling rate (at 10 fixes a second each 0.6 m, 0.1 s leg was rounded to 1 m and
0 s) and on the noise (a fix drifting 500 m away and back in two seconds bills a
kilometre never driven; a parked phone wandering a few metres a second bills a walk).
So, in order:

1. repeated timestamps and fixes implying an impossible speed are dropped and counted,
   never silently smoothed;
2. while the car stands, its fixes are dropped and counted too: their time is kept, at
   the place where it stopped, but their jitter is not driven;
3. the fixes left are averaged over :data:`SMOOTHING_S`, so noise at a high rate averages
   out instead of adding up, and the distance runs between those averages;
4. the path is cut into windows of :data:`SLOW_WINDOW_S`, one leg each: the engine judges
   the taxi meter's slow rule per leg, so per window, not per fix;
5. distance and time are summed over the whole trace and rounded once: the legs are the
   steps of the rounded running totals, whole metres and seconds that the engine's
   rounding of each leg leaves as they are.

The legs follow the road as driven, so no circuity factor applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from fare_service.errors import InvalidRoute
from fare_service.geo.embedded import check_point, haversine_m

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Korea's highest legal speed limit is 120 km/h (도로교통법 시행규칙 제19조, some
# expressway sections); 200 km/h leaves room for speeding and GPS noise on real motion
# while no car on a Korean road covers 56 m per second.
MAX_SPEED_KMH = 200.0
GPS_ERROR_M = 30.0
"""How far apart two honest fixes of the same spot may be: a phone's fix is within about
5 m under open sky and 15 m between tall buildings, so two of them up to 30 m. A jump is
impossible only beyond this plus the distance at :data:`MAX_SPEED_KMH`; without it a
10-fixes-a-second trace (5.6 m allowed per 0.1 s) would lose most honest fixes to noise."""
STILL_RADIUS_M = 10.0
"""A car stands while its fixes stay this close to where it stopped: a parked phone's
fixes wander by a few metres (more at a kerb between buildings), and a car pulling away
leaves 10 m behind in about two seconds."""
WALKING_KMH = 5.0
STILL_MIN_S = STILL_RADIUS_M / (WALKING_KMH / 3.6)
"""How long the fixes must stay within :data:`STILL_RADIUS_M` (7.2 s, the time to walk
it): leaving it sooner is moving at walking speed or faster, as a car in a jam does."""
SMOOTHING_S = 5.0
"""The fixes within each 5 s are averaged into one point. Averaging n fixes divides their
noise by sqrt(n) (50 fixes at 10 a second: 5 m -> 0.7 m), while a corner taken at city
speed (50 m in 5 s) is cut by a metre or two; at one fix a minute nothing changes."""
SLOW_WINDOW_S = 30.0
"""The span over which the slow rule judges the speed: one time step of the Seoul meter
(100 won per 30 s). Shorter windows judge GPS noise and the stride of stop-and-go fixes;
longer ones blur a stop into the driving around it. A window holds the stretches between
points that end in it, so a stretch longer than a window (one fix a minute) is judged
whole, at the only speed the trace knows for it."""

TracePoint = tuple[datetime, float, float]  # (aware time, lat, lon in WGS84 degrees)


@dataclass(frozen=True)
class TraceLegs:
    """One leg per window of driving, whole metres and seconds, and what was dropped.

    ``distance_m``, ``duration_s``: int64[W], adding up to the trace's rounded totals;
    ``kept_index``: the input points not dropped, in order.
    """

    distance_m: IntArray
    duration_s: IntArray
    dropped_duplicates: int
    dropped_jumps: int
    dropped_standing: int
    kept_index: IntArray

    @property
    def kept(self) -> int:
        return len(self.kept_index)

    @property
    def dropped(self) -> int:
        return self.dropped_duplicates + self.dropped_jumps + self.dropped_standing


def trace_to_legs(points: Sequence[TracePoint], max_speed_kmh: float = MAX_SPEED_KMH) -> TraceLegs:
    """The trace's windows as legs; refuses time going backwards and a trace with fewer
    than two fixes at a possible speed (standing fixes count: they carry time)."""
    if len(points) < 2:
        raise InvalidRoute("a trace needs at least two points", field="trace")
    t_s, lat, lon = _arrays(points)
    step_s = np.diff(t_s)
    if (backwards := np.flatnonzero(step_s < 0)).size:
        i = int(backwards[0]) + 1
        detail = f"time goes backwards: earlier than point {i - 1}"
        raise InvalidRoute(detail, field=f"trace[{i}].t")
    unique = np.flatnonzero(np.r_[True, step_s > 0])  # the first fix of each timestamp
    plausible = unique[_plausible(t_s[unique], lat[unique], lon[unique], max_speed_kmh / 3.6)]
    if plausible.size < 2:
        raise InvalidRoute("fewer than two usable points after filtering", field="trace")
    t_s, lat, lon = t_s[plausible] - t_s[plausible[0]], lat[plausible], lon[plausible]
    standing = _standing(t_s, lat, lon)
    anchor = np.maximum.accumulate(np.where(standing, 0, np.arange(t_s.size)))
    distance_m, duration_s = _window_legs(*_smoothed(t_s, lat[anchor], lon[anchor]))
    return TraceLegs(
        distance_m=distance_m,
        duration_s=duration_s,
        dropped_duplicates=len(points) - unique.size,
        dropped_jumps=unique.size - plausible.size,
        dropped_standing=int(standing.sum()),
        kept_index=plausible[~standing],
    )


def _arrays(points: Sequence[TracePoint]) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Seconds since the first fix, latitudes and longitudes, each point checked and named
    if wrong. Seconds from a difference of datetimes are exact to the microsecond, which
    epoch seconds (about 1.7e9) in a float are not."""
    for i, (t, lat, lon) in enumerate(points):
        if t.tzinfo is None or t.utcoffset() is None:
            raise InvalidRoute("a trace time needs a time zone", field=f"trace[{i}].t")
        check_point(lat, lon, f"trace[{i}]")
    t0 = points[0][0]
    t_s = np.array([(t - t0).total_seconds() for t, _, _ in points])
    return t_s, np.array([p[1] for p in points], float), np.array([p[2] for p in points], float)


def _plausible(t_s: FloatArray, lat: FloatArray, lon: FloatArray, max_ms: float) -> IntArray:
    """Indices of fixes reachable from the last kept fix at no more than ``max_ms``, give or
    take :data:`GPS_ERROR_M`.

    Sequential on purpose: after a spike, the next fix is judged from the fix before the
    spike, not from the spike. If the very first fix is the outlier (its successors
    agree with each other but not with it), it is the one dropped.
    """
    step_m = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    jump = step_m > max_ms * np.diff(t_s) + GPS_ERROR_M
    if not np.any(jump):
        return np.arange(t_s.size)
    start = 1 if jump.size > 1 and jump[0] and not jump[1] else 0
    kept = [start]
    for i in range(start + 1, t_s.size):
        last = kept[-1]
        reach_m = max_ms * (t_s[i] - t_s[last]) + GPS_ERROR_M
        if haversine_m(lat[last], lon[last], lat[i], lon[i]) <= reach_m:
            kept.append(i)
    return np.array(kept, dtype=np.intp)


def _standing(t_s: FloatArray, lat: FloatArray, lon: FloatArray) -> npt.NDArray[np.bool_]:
    """The fixes taken while the car stood: in each stay, every fix after the first.

    A stay is a run of fixes within :data:`STILL_RADIUS_M` of its first fix lasting at
    least :data:`STILL_MIN_S`. The next stay can start at the first fix outside, so a car
    creeping slower than walking is counted from stay to stay, its distance kept.
    """
    standing = np.zeros(t_s.size, dtype=bool)
    later = np.searchsorted(t_s, t_s + STILL_MIN_S)  # the first fix STILL_MIN_S later
    has_later = np.flatnonzero(later < t_s.size)
    later_m = haversine_m(
        lat[has_later], lon[has_later], lat[later[has_later]], lon[later[has_later]]
    )
    free = 0  # fixes before this one are in a stay already
    for i in has_later[later_m < STILL_RADIUS_M].tolist():  # a stay can only start there
        if i < free:
            continue
        end = _last_within(i, lat, lon)
        if t_s[end] - t_s[i] >= STILL_MIN_S:
            standing[i + 1 : end + 1] = True
            free = end + 1
    return standing


def _last_within(i: int, lat: FloatArray, lon: FloatArray) -> int:
    """The last fix of the run after fix ``i`` that stays within STILL_RADIUS_M of it,
    looked for in growing chunks (a stop at a red light is a few dozen fixes, a parked
    car thousands)."""
    start, size = i + 1, 64
    while start < lat.size:
        stop = min(start + size, lat.size)
        away_m = haversine_m(lat[i], lon[i], lat[start:stop], lon[start:stop])
        if (away := np.flatnonzero(away_m >= STILL_RADIUS_M)).size:
            return start + int(away[0]) - 1
        start, size = stop, size * 2
    return lat.size - 1


def _smoothed(
    t_s: FloatArray, lat: FloatArray, lon: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """One point per :data:`SMOOTHING_S` of fixes (their mean time and place, the fixes
    grouped by the nearest multiple of it), with the first and the last fix kept as they
    are so the trace starts and ends where it did."""
    bucket = np.floor(t_s / SMOOTHING_S + 0.5).astype(np.int64) + 1
    bucket[0] = 0
    bucket[-1] = bucket[-2] + 1
    starts = np.flatnonzero(np.r_[True, np.diff(bucket) != 0])
    counts = np.diff(np.r_[starts, t_s.size])

    def mean(x: FloatArray) -> FloatArray:
        return np.add.reduceat(x, starts) / counts

    return mean(t_s), mean(lat), mean(lon)


def _window_legs(t_s: FloatArray, lat: FloatArray, lon: FloatArray) -> tuple[IntArray, IntArray]:
    """One leg per :data:`SLOW_WINDOW_S` window, whole metres and seconds, from the points'
    running totals (``t_s`` counts from the first point), each rounded once."""
    step_m = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    window = np.ceil(t_s[1:] / SLOW_WINDOW_S).astype(np.int64)  # of each stretch's end
    last = np.flatnonzero(np.r_[np.diff(window) != 0, True])  # each window's last stretch
    total_m = np.rint(np.cumsum(step_m)[last]).astype(np.int64)
    total_s = np.rint(t_s[1:][last]).astype(np.int64)
    return np.diff(total_m, prepend=0), np.diff(total_s, prepend=0)
