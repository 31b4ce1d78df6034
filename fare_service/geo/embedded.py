"""The embedded router: no network, no server, a million routes a second.

Road distance is the great-circle distance times a circuity factor; duration is that
distance at the hour's average road speed. Both come from ``route_profile.toml``, where
each figure cites its source. The low/high band spans the factor's plausible range, so
a quote can say "about 23,000 to 26,000 won" instead of pretending to know the road.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from fare_service.errors import InvalidRoute

PROFILE_PATH = Path(__file__).with_name("route_profile.toml")
EARTH_RADIUS_M = 6_371_008.8  # IUGG mean Earth radius
HOURS = 24


@dataclass(frozen=True)
class _Floats:
    """The functions :func:`haversine_m` needs, for numpy arrays or for Python floats."""

    radians: Callable[[Any], Any]
    sin: Callable[[Any], Any]
    cos: Callable[[Any], Any]
    arcsin: Callable[[Any], Any]
    sqrt: Callable[[Any], Any]
    minimum: Callable[[Any, Any], Any]


ARRAYS = _Floats(np.radians, np.sin, np.cos, np.arcsin, np.sqrt, np.minimum)
# One point pair: numpy's fixed cost per call is ~20x the arithmetic. libm and numpy may
# differ in the last bit of a sine, ~1e-10 m on a 100 km leg. Fares count whole metres,
# so a single quote and the same route in a batch differ only if a leg lands within that
# of half a metre: possible, vanishingly rare, and then by one metre.
SCALARS = _Floats(math.radians, math.sin, math.cos, math.asin, math.sqrt, min)


def haversine_m(lat1, lon1, lat2, lon2, f: _Floats = ARRAYS):  # type: ignore[no-untyped-def]
    """Great-circle distance in metres between points in WGS84 degrees (any broadcastable
    arrays, or floats with ``f=SCALARS``)."""
    phi1, phi2 = f.radians(lat1), f.radians(lat2)
    half_dphi, half_dlambda = (phi2 - phi1) / 2, f.radians(lon2 - lon1) / 2
    a = f.sin(half_dphi) ** 2 + f.cos(phi1) * f.cos(phi2) * f.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_M * f.arcsin(f.sqrt(f.minimum(a, 1.0)))


def check_point(lat: float, lon: float, field: str) -> None:
    """A finite WGS84 coordinate, or InvalidRoute naming ``{field}.lat`` / ``{field}.lon``."""
    for value, limit, axis in ((lat, 90.0, "lat"), (lon, 180.0, "lon")):
        if not (math.isfinite(value) and -limit <= value <= limit):
            raise InvalidRoute(f"{value} is outside [-{limit}, {limit}]", field=f"{field}.{axis}")


@dataclass(frozen=True)
class RouteProfile:
    circuity: float  # road distance / great-circle distance
    circuity_low: float
    circuity_high: float
    speed_kmh: tuple[float, ...]  # average road speed per local hour 0..23

    @classmethod
    def load(cls, path: Path | None = None) -> RouteProfile:
        """Read and check a profile; a wrong file stops start-up rather than misprice."""
        path = path or PROFILE_PATH
        with path.open("rb") as file:
            raw = tomllib.load(file)
        try:
            circuity, speed = raw["circuity"], raw["speed"]
            profile = cls(
                float(circuity["factor"]),
                float(circuity["low"]),
                float(circuity["high"]),
                tuple(map(float, speed["kmh"])),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{path}: needs [circuity] factor/low/high, [speed] kmh") from error
        profile.check(path)
        return profile

    def check(self, path: Path) -> None:
        if not 1.0 <= self.circuity_low <= self.circuity <= self.circuity_high <= 3.0:
            raise ValueError(f"{path}: need 1 <= circuity low <= factor <= high <= 3")
        if len(self.speed_kmh) != HOURS or not all(0 < v <= 130 for v in self.speed_kmh):
            raise ValueError(f"{path}: speed.kmh needs 24 speeds in (0, 130] km/h")


LegPair = tuple[float, float]  # (distance_m, duration_s)


@dataclass(frozen=True)
class RouteLegs:
    """One route's legs in order, ``(distance_m, duration_s)`` each: the point estimate
    and its low and high band, as :class:`RouteArrays` has them per route."""

    point: tuple[LegPair, ...]
    low: tuple[LegPair, ...]
    high: tuple[LegPair, ...]


@dataclass(frozen=True)
class RouteArrays:
    """Per route, float64: metres and seconds, the point estimate and its band."""

    distance_m: np.ndarray
    duration_s: np.ndarray
    distance_low_m: np.ndarray
    distance_high_m: np.ndarray
    duration_low_s: np.ndarray
    duration_high_s: np.ndarray


class EmbeddedRouter:
    def __init__(self, profile: RouteProfile) -> None:
        self.profile = profile
        self._speed_ms = np.array(profile.speed_kmh) / 3.6
        self._speed_ms_at = tuple(self._speed_ms.tolist())

    def route_arrays(self, lat1, lon1, lat2, lon2, hour) -> RouteArrays:  # type: ignore[no-untyped-def]
        """Routes from (lat1, lon1) to (lat2, lon2) in degrees, starting at local ``hour``."""
        great_circle_m = haversine_m(lat1, lon1, lat2, lon2)
        speed_ms = self._speed_ms[np.asarray(hour, dtype=np.intp) % HOURS]
        profile = self.profile
        distance_m, low_m, high_m = (
            great_circle_m * factor
            for factor in (profile.circuity, profile.circuity_low, profile.circuity_high)
        )
        return RouteArrays(
            distance_m, distance_m / speed_ms, low_m, high_m, low_m / speed_ms, high_m / speed_ms
        )

    def legs_of(self, points: Sequence[tuple[float, float]], hour: int) -> RouteLegs:
        """Legs between consecutive ``(lat, lon)`` points (N points make N - 1 legs), as
        :meth:`route_arrays` gives them, in Python floats: a single quote's few stops."""
        speed_ms = self._speed_ms_at[hour % HOURS]
        profile = self.profile
        factors = (profile.circuity, profile.circuity_low, profile.circuity_high)
        bands: tuple[list[LegPair], ...] = ([], [], [])
        for (lat1, lon1), (lat2, lon2) in pairwise(points):
            great_circle_m = haversine_m(lat1, lon1, lat2, lon2, SCALARS)
            for band, factor in zip(bands, factors, strict=True):
                distance_m = great_circle_m * factor
                band.append((distance_m, distance_m / speed_ms))
        point, low, high = (tuple(band) for band in bands)
        return RouteLegs(point, low, high)
