"""Two-level grids over Korea: a class per cell, a finer block in the cells a border crosses.

The mechanics that ``sido_grid.py`` (시도 polygons: the in-Korea mask) and
``region_grid.py`` (the 읍면동 layer: out-of-area) share. A point takes its cell's class,
or in a border cell its sub-cell's; where neither decides it is left ``border`` (the
dtype's largest value) for the owner's exact test. Outside the grid (NaN included) it is
class 0, which both owners read as "no region".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely


@dataclass(frozen=True)
class Layout:
    """Where a grid lies: change one only together with a rebuild of its file."""

    origin_deg: tuple[float, float]  # lat, lon of the south-west corner
    shape: tuple[int, int]  # rows of latitude, columns of longitude
    cell_deg: float
    fine: int  # sub-cells per side of a border cell

    def position(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Fractional (row, column) in cells from the south-west corner."""
        south, west = self.origin_deg
        return (lat_deg - south) / self.cell_deg, (lon_deg - west) / self.cell_deg

    def position_at(self, lat: float, lon: float) -> tuple[float, float] | None:
        """``position`` of one point, or None outside the grid (NaN included)."""
        south, west = self.origin_deg
        row_f, col_f = (lat - south) / self.cell_deg, (lon - west) / self.cell_deg
        if 0 <= row_f < self.shape[0] and 0 <= col_f < self.shape[1]:
            return row_f, col_f
        return None

    def cell_of(self, row_f: np.ndarray, col_f: np.ndarray) -> tuple[np.ndarray, ...]:
        """Row and column of each point's cell (0 where outside the grid) and the inside mask."""
        rows, cols = self.shape
        inside = (row_f >= 0) & (row_f < rows) & (col_f >= 0) & (col_f < cols)
        row = np.where(inside, row_f, 0).astype(np.intp)
        col = np.where(inside, col_f, 0).astype(np.intp)
        return row, col, inside

    def boxes(
        self, rows: np.ndarray, cols: np.ndarray, per_cell: int, edge_deg: float
    ) -> np.ndarray:
        """For builders: boxes of grid squares (``per_cell`` per cell side) grown by
        ``edge_deg``, so that a point rounded into the next square is still inside one."""
        size_deg = self.cell_deg / per_cell
        south = self.origin_deg[0] + rows.ravel() * size_deg
        west = self.origin_deg[1] + cols.ravel() * size_deg
        return shapely.box(
            west - edge_deg,
            south - edge_deg,
            west + size_deg + edge_deg,
            south + size_deg + edge_deg,
        )


@dataclass(frozen=True)
class CellGrid:
    layout: Layout
    cells: np.ndarray  # unsigned class per cell; ``border``: see ``fine``
    fine: np.ndarray  # (border cells, fine, fine): sub-cell classes, row-major cell order
    block_of: np.ndarray = field(init=False)  # int per cell: its index into ``fine``
    border: int = field(init=False)

    def __post_init__(self) -> None:
        border = int(np.iinfo(self.cells.dtype).max)
        object.__setattr__(self, "border", border)
        block_of = np.cumsum(self.cells == border, dtype=np.int32).reshape(self.layout.shape) - 1
        object.__setattr__(self, "block_of", block_of)

    def shape_error(self) -> str | None:
        """What is wrong with arrays of another shape than the layout reads (it changed
        without a rebuild): indexing them would answer wrongly, or fail on some request."""
        blocks = int(np.count_nonzero(self.cells == self.border))
        fine, shape = self.layout.fine, self.layout.shape
        if self.cells.shape == shape and self.fine.shape == (blocks, fine, fine):
            return None
        return (
            f"a {self.cells.shape} grid with {self.fine.shape} sub-cells, "
            f"not {shape} with ({blocks}, {fine}, {fine})"
        )

    def classes(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        """Per point its cell's or sub-cell's class; ``border`` where neither decides."""
        row_f, col_f = self.layout.position(lat_deg, lon_deg)
        row, col, inside = self.layout.cell_of(row_f, col_f)
        cell = row * self.layout.shape[1] + col  # flat: ``take`` is ~3x cheaper than [row, col]
        classes = self.cells.ravel().take(cell)
        classes[~inside] = 0
        border = np.flatnonzero(classes == self.border)
        fine = self.layout.fine
        sub_row = self._sub_index(row_f[border] - row[border])
        sub_col = self._sub_index(col_f[border] - col[border])
        block = self.block_of.ravel().take(cell[border])
        classes[border] = self.fine.ravel().take((block * fine + sub_row) * fine + sub_col)
        return classes

    def class_at(self, lat: float, lon: float) -> int:
        """``classes`` of one point in plain Python: a quote has a handful of stops, and
        at that size numpy's fixed cost per call (about 25 calls) is most of the work."""
        position = self.layout.position_at(lat, lon)
        if position is None:
            return 0
        row_f, col_f = position
        row, col = int(row_f), int(col_f)
        found = self.cells.item(row, col)
        if found == self.border:
            fine = self.layout.fine
            sub_row = min(int((row_f - row) * fine), fine - 1)
            sub_col = min(int((col_f - col) * fine), fine - 1)
            found = self.fine.item(self.block_of.item(row, col), sub_row, sub_col)
        return int(found)

    def _sub_index(self, offset_cells: np.ndarray) -> np.ndarray:
        """Sub-cell row (or column) of a point ``offset_cells`` (0..1) into its cell."""
        fine = self.layout.fine
        return np.clip((offset_cells * fine).astype(np.intp), 0, fine - 1)


def classify_cells(
    layout: Layout, classify: Callable[[np.ndarray], np.ndarray], edge_deg: float
) -> tuple[np.ndarray, np.ndarray]:
    """For builders: ``classify`` (boxes -> classes, the dtype's largest where a box is
    undecided) every cell, then every sub-cell of the undecided cells, 2,000 cells a step
    (bounding a step's memory); returns the ``cells`` and ``fine`` of a CellGrid."""
    rows, cols = np.indices(layout.shape).reshape(2, -1)
    cells = classify(layout.boxes(rows, cols, 1, edge_deg)).reshape(layout.shape)
    open_rows, open_cols = np.nonzero(cells == np.iinfo(cells.dtype).max)
    fine = layout.fine
    sub_rows, sub_cols = np.indices((fine, fine)).reshape(2, 1, -1)
    blocks = []
    for start in range(0, len(open_rows), 2_000):
        block_rows = open_rows[start : start + 2_000, None] * fine + sub_rows
        block_cols = open_cols[start : start + 2_000, None] * fine + sub_cols
        blocks.append(classify(layout.boxes(block_rows, block_cols, fine, edge_deg)))
    return cells, np.concatenate(blocks).reshape(-1, fine, fine)
