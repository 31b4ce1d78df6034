"""Which place comes first for the same text: a 동 before a 면, the near one, the capital
region; and both names of a renamed 시도."""

from __future__ import annotations

import pytest

from fare_service.errors import PlaceNotFound
from fare_service.geo.places import PlaceIndex

GANGNAM_STATION = (37.4979, 127.0276)  # 서울특별시 강남구 역삼동
EUNPYEONG_OFFICE = (37.6027, 126.9291)  # 서울특별시 은평구
CHANGWON_CITY_HALL = (35.2280, 128.6811)  # 경상남도 창원시 성산구
JEONJU_STATION = (35.8500, 127.1617)  # 전북특별자치도 전주시 덕진구


def full_names(places: PlaceIndex, q: str, **kwargs: object) -> list[str]:
    return [place.full_name for place in places.search(q, **kwargs)]  # type: ignore[arg-type]


def test_seongsu_gives_the_seongsu_dong_of_seongdong_gu_before_the_myeon(
    places: PlaceIndex,
) -> None:
    found = full_names(places, "성수")
    assert found[:2] == ["서울특별시 성동구 성수동1가", "서울특별시 성동구 성수동2가"]
    myeon = [name for name in found if name.endswith("성수면")]
    assert len(myeon) == 2 and all(found.index(m) > 1 for m in myeon)


def test_a_dong_comes_before_a_myeon_wherever_they_are(places: PlaceIndex) -> None:
    """Even near the 면: the kind of place outranks the distance."""
    found = full_names(places, "판교", near=(36.0, 126.7))  # 서천군, beside 판교면
    assert found[0] == "경기도 성남시 분당구 판교동"
    assert "충청남도 서천군 판교면" in found


def test_sinsa_dong_near_gangnam_gives_gangnams_first_and_near_eunpyeong_eunpyeongs(
    places: PlaceIndex,
) -> None:
    assert full_names(places, "신사동", near=GANGNAM_STATION)[0] == "서울특별시 강남구 신사동"
    assert full_names(places, "신사동", near=EUNPYEONG_OFFICE)[0] == "서울특별시 은평구 신사동"


def test_near_orders_the_same_kind_of_match_by_distance(places: PlaceIndex) -> None:
    found = places.search("중앙동", limit=50, near=CHANGWON_CITY_HALL)
    assert len(found) > 5 and all(place.name == "중앙동" for place in found[:5])

    def km(place: object) -> float:
        lat, lon = CHANGWON_CITY_HALL
        return ((place.lat - lat) * 111) ** 2 + ((place.lon - lon) * 91) ** 2  # type: ignore[attr-defined]

    exact = [place for place in found if place.name == "중앙동"]
    assert [km(p) for p in exact] == sorted(km(p) for p in exact)


def test_jeongja_dong_ranks_the_dongs_before_samjeongja_dong(places: PlaceIndex) -> None:
    for q in ("정자동", "정자"):
        found = full_names(places, q, limit=20)
        bundang = found.index("경기도 성남시 분당구 정자동")
        assert bundang < found.index("경상남도 창원시 성산구 삼정자동")
        assert all(name.endswith(" 정자동") for name in found[: bundang + 1])
    near_changwon = full_names(places, "정자동", near=CHANGWON_CITY_HALL, limit=20)
    assert near_changwon.index("경상남도 창원시 성산구 삼정자동") > near_changwon.index(
        "경기도 성남시 분당구 정자동"
    )


def test_without_near_the_capital_region_comes_first(places: PlaceIndex) -> None:
    found = places.search("중앙동", limit=50)
    capital = [place.code[:2] in ("11", "28", "41") for place in found if place.name == "중앙동"]
    assert any(capital) and not all(capital)
    assert capital == sorted(capital, reverse=True)  # every capital one before the others


@pytest.mark.parametrize("q", ["전북특별자치도", "전라북도", "전북", "전북도"])
def test_both_names_of_jeonbuk_find_it_by_its_current_name(places: PlaceIndex, q: str) -> None:
    assert places.resolve(q, field="place").full_name == "전북특별자치도"
    assert places.search(f"{q} 전주시 덕진구")[0].full_name == "전북특별자치도 전주시 덕진구"


@pytest.mark.parametrize("q", ["강원특별자치도", "강원도", "강원"])
def test_both_names_of_gangwon_find_it(places: PlaceIndex, q: str) -> None:
    assert places.resolve(q, field="place").full_name == "강원특별자치도"
    assert places.search(f"{q} 춘천시")[0].full_name == "강원특별자치도 춘천시"


def test_a_jeonbuk_point_is_named_by_the_current_name(places: PlaceIndex) -> None:
    region = places.region_of(*JEONJU_STATION)
    assert region is not None and region.sido == "전북특별자치도" and region.sido_code == "45"


def test_the_short_city_names_people_type_qualify_a_place(places: PlaceIndex) -> None:
    assert places.resolve("서울시 역삼동", field="place").full_name == "서울특별시 강남구 역삼동"
    assert places.resolve("서울시 강남구 신사동", field="place").code == "11680107"
    assert places.search("부산시 중앙동")[0].full_name.startswith("부산광역시 ")


def test_resolution_stays_strict_and_lists_candidates_in_the_new_order(
    places: PlaceIndex,
) -> None:
    with pytest.raises(PlaceNotFound) as seongsu:
        places.resolve("성수", field="destination.place")
    assert seongsu.value.field == "destination.place"
    assert seongsu.value.extra["candidates"][:2] == [
        "서울특별시 성동구 성수동1가",
        "서울특별시 성동구 성수동2가",
    ]
    with pytest.raises(PlaceNotFound) as sinsa:
        places.resolve("신사동", field="waypoints[0].place", near=GANGNAM_STATION)
    assert sinsa.value.extra["candidates"][0] == "서울특별시 강남구 신사동"
    with pytest.raises(PlaceNotFound) as far:
        places.resolve("신사동", field="waypoints[0].place", near=EUNPYEONG_OFFICE)
    assert far.value.extra["candidates"][0] == "서울특별시 은평구 신사동"
