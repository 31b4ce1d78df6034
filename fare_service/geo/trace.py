"""A recorded GPS trace -> legs, the way a meter would have counted them.

A meter adds the distance between successive fixes, so every GPS error is charged to
the customer: a fix drifting 500 m away and back in two seconds bills a kilometre never
driven. Multipath in urban canyons and tunnels produces exactly such jumps, a known
cause of inflated meter fares. Fixes implying an impossible speed are therefore dropped
and counted, never silently smoothed; the legs follow the road as driven, so no
circuity factor applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from fare_service.errors import InvalidRoute
from fare_service.geo.embedded import check_point, haversine_m

# Korea's highest legal speed limit is 120 km/h (도로교통법 시행규칙 제19조, some
# expressway sections); 200 km/h leaves room for speeding and GPS noise on real motion
# while no car on a Korean road covers 56 m per second.
MAX_SPEED_KMH = 200.0

TracePoint = tuple[datetime, float, float]  # (aware time, lat, lon in WGS84 degrees)


@dataclass(frozen=True)
class TraceLegs:
    """Legs between kept fixes (metres, seconds) and what the filter dropped."""

    distance_m: np.ndarray
    duration_s: np.ndarray
    dropped_duplicates: int
    dropped_jumps: int
    kept_index: np.ndarray
    """Indices of the input points kept, in order; the legs run between them."""

    @property
    def kept(self) -> int:
        return len(self.kept_index)

    @property
    def dropped(self) -> int:
        return self.dropped_duplicates + self.dropped_jumps


def trace_to_legs(points: Sequence[TracePoint], max_speed_kmh: float = MAX_SPEED_KMH) -> TraceLegs:
    """Drop repeated timestamps and impossible jumps; reject time going backwards."""
    if len(points) < 2:
        raise InvalidRoute("a trace needs at least two points", field="trace")
    t_s, lat, lon = _arrays(points)
    step_s = np.diff(t_s)
    if (backwards := np.flatnonzero(step_s < 0)).size:
        i = int(backwards[0]) + 1
        detail = f"time goes backwards: earlier than point {i - 1}"
        raise InvalidRoute(detail, field=f"trace[{i}].t")
    unique = np.flatnonzero(np.r_[True, step_s > 0])  # the first fix of each timestamp
    kept = unique[_plausible(t_s[unique], lat[unique], lon[unique], max_speed_kmh / 3.6)]
    if kept.size < 2:
        raise InvalidRoute("fewer than two usable points after filtering", field="trace")
    distance_m = haversine_m(lat[kept[:-1]], lon[kept[:-1]], lat[kept[1:]], lon[kept[1:]])
    duplicates, jumps = len(points) - unique.size, unique.size - kept.size
    return TraceLegs(distance_m, np.diff(t_s[kept]), duplicates, jumps, kept)


def _arrays(points: Sequence[TracePoint]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Epoch seconds, latitudes and longitudes, each point checked and named if wrong."""
    for i, (t, lat, lon) in enumerate(points):
        if t.tzinfo is None or t.utcoffset() is None:
            raise InvalidRoute("a trace time needs a time zone", field=f"trace[{i}].t")
        check_point(lat, lon, f"trace[{i}]")
    t_s = np.array([t.timestamp() for t, _, _ in points])
    return t_s, np.array([p[1] for p in points], float), np.array([p[2] for p in points], float)


def _plausible(t_s: np.ndarray, lat: np.ndarray, lon: np.ndarray, max_ms: float) -> np.ndarray:
    """Indices of fixes reachable from the last kept fix at no more than ``max_ms``.

    Sequential on purpose: after a spike, the next fix is judged from the fix before the
    spike, not from the spike. If the very first fix is the outlier (its successors
    agree with each other but not with it), it is the one dropped.
    """
    speed = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]) / np.diff(t_s)
    if not np.any(speed > max_ms):
        return np.arange(t_s.size)
    start = 1 if speed.size > 1 and speed[0] > max_ms >= speed[1] else 0
    kept = [start]
    for i in range(start + 1, t_s.size):
        last = kept[-1]
        if haversine_m(lat[last], lon[last], lat[i], lon[i]) <= max_ms * (t_s[i] - t_s[last]):
            kept.append(i)
    return np.array(kept, dtype=np.intp)
