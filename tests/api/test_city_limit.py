"""The Seoul taxi's out-of-city surcharge (시계외 할증) as the meter charges it.

Worked by hand from Seoul's published rates in force from 2023-02-01 04:00: 4,800 won for
the first 1.6 km, then 100 won per 131 m (or per 30 s under 15.72 km/h: every leg below
runs faster), +20 % out of the city on the fare run after the taxi leaves its business
area, which 광명시 and 인천국제공항 share with Seoul (공동사업구역), never on the way back in;
surcharges cut to the won, fares rounded to 100 won, a half up (``tariffs/seoul-taxi.toml``).

Where a straight line between two stops leaves the area is found here on its own, by
naming points along it with the place search (``region_of``) every 1/2,000 of the line:
the fare must be the one worked at one end of that bracket or the other.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from fare_service.geo.places import PlaceIndex

HOME = ("11", "41210", "28110147")  # Seoul, 광명시, 인천 중구 운서동 (인천국제공항)
AFTERNOON = "2026-11-18T14:00:00+09:00"  # a Wednesday, not a holiday: no time surcharge

GAEBONG = {"lat": 37.49512, "lon": 126.85658}  # 서울 구로구 개봉동
CHEOLSAN = {"lat": 37.48191, "lon": 126.86771}  # 경기 광명시 철산동
DAEYA = {"lat": 37.45551, "lon": 126.78897}  # 경기 시흥시 대야동
EUNHAENG = {"lat": 37.43375, "lon": 126.79981}  # 경기 시흥시 은행동
YEOKSAM = {"lat": 37.50043, "lon": 127.03646}  # 서울 강남구 역삼동
UNSEO = {"lat": 37.46413, "lon": 126.45012}  # 인천 중구 운서동, 인천국제공항


def steps_won(metres: int) -> int:
    """The distance steps of a fare run fast over ``metres`` (the base's 1.6 km first)."""
    return max(metres - 1600, 0) // 131 * 100


def round_100(won: int) -> int:
    return (won + 50) // 100 * 100


def city_fare(total_m: int, before_exit_m: int | None) -> int:
    """4,800 + steps, and 20 % of the steps run after the exit (None: no surcharge)."""
    steps = steps_won(total_m)
    surcharge = 0 if before_exit_m is None else (steps - steps_won(before_exit_m)) * 20 // 100
    return round_100(4800 + steps + surcharge)


@pytest.fixture(scope="module")
def places() -> PlaceIndex:
    return PlaceIndex.load()


def exit_bracket(places: PlaceIndex, a: dict, b: dict, samples: int = 2000) -> tuple[float, float]:
    """The fractions of the line a -> b between which it last leaves the home area."""

    def home(f: float) -> bool:
        lat = a["lat"] + (b["lat"] - a["lat"]) * f
        region = places.region_of(lat, a["lon"] + (b["lon"] - a["lon"]) * f)
        code = region and (region.emd_code or region.sigungu_code or region.sido_code)
        return bool(code) and code.startswith(HOME)

    assert not home(1.0), "the line must end outside the area"
    last = max(i for i in range(samples + 1) if home(i / samples))
    return last / samples, (last + 1) / samples


def quote(client, stops: list[dict], legs: list[tuple[int, int]], at: str = AFTERNOON) -> dict:
    body = {
        "tariff_id": "seoul-taxi",
        "at": at,
        "origin": stops[0],
        "waypoints": stops[1:-1],
        "destination": stops[-1],
        "legs": [{"distance_m": d, "duration_s": t} for d, t in legs],
    }
    response = client.post("/v1/quotes", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def lines(answer: dict) -> dict[str, int]:
    return {line["code"]: line["amount"] for line in answer["breakdown"]}


def test_gaebong_to_cheolsan_in_gwangmyeong_pays_no_surcharge(client):
    """The issue's case: 2.2 km from 구로구 개봉동 into 광명시 철산동 at 14:00."""
    answer = quote(client, [GAEBONG, CHEOLSAN], [(2225, 334)])
    assert answer["fare"] == city_fare(2225, None) == 5200
    assert "out_of_area" not in lines(answer)


def test_seoul_to_siheung_through_gwangmyeong_pays_from_gwangmyeongs_limit(client, places):
    """Seoul -> 광명 (inside the area) -> 시흥: only the fare run after leaving 광명 pays 20 %."""
    legs = [(2225, 334), (7600, 900)]
    answer = quote(client, [GAEBONG, CHEOLSAN, DAEYA], legs)
    low, high = exit_bracket(places, CHEOLSAN, DAEYA)
    worked = {city_fare(9825, 2225 + math.floor(7600 * f)) for f in (low, high)}
    assert answer["fare"] in worked
    charged_after = lines(answer)["out_of_area"]
    assert 0 < charged_after < steps_won(9825) * 20 // 100  # less than on the whole run
    assert answer["fare"] < city_fare(9825, 0)
    labels = {line["code"]: line["label"] for line in answer["breakdown"]}
    assert labels["out_of_area"] == "시계외 할증 20% (구역 밖 운행분)"  # what an agent reads


def test_the_way_back_into_seoul_pays_no_surcharge(client):
    answer = quote(client, [DAEYA, CHEOLSAN, GAEBONG], [(7600, 900), (2225, 334)])
    assert answer["fare"] == city_fare(9825, None)


def test_a_ride_that_never_enters_the_area_pays_on_its_whole_fare(client):
    answer = quote(client, [DAEYA, EUNHAENG], [(3279, 492)])
    assert answer["fare"] == round_100(
        4800 + steps_won(3279) + (4800 + steps_won(3279)) * 20 // 100
    )
    labels = {line["code"]: line["label"] for line in answer["breakdown"]}
    assert labels["out_of_area"] == "시계외 할증 20%"  # the whole fare: no part to name


def test_incheon_airport_shares_seouls_area(client):
    answer = quote(client, [YEOKSAM, UNSEO], [(65633, 3600)])
    assert answer["fare"] == city_fare(65633, None)


def test_late_night_and_out_of_city_add_up_on_their_own_parts(client, places):
    """23:30, 40 % late night on the whole ride (it ends by 23:55), 20 % out of city on the
    steps after the limit: 서울시청 -> 성남시 분당구 정자동, 20 km in 25 minutes."""
    city_hall, jeongja = {"lat": 37.5663, "lon": 126.9779}, {"lat": 37.3595, "lon": 127.1052}
    answer = quote(client, [city_hall, jeongja], [(20_000, 1500)], at="2026-11-27T23:30:00+09:00")
    meter = 4800 + steps_won(20_000)
    worked = set()
    for f in exit_bracket(places, city_hall, jeongja):
        after = steps_won(20_000) - steps_won(math.floor(20_000 * f))
        worked.add(round_100(meter + meter * 40 // 100 + after * 20 // 100))
    assert answer["fare"] in worked
    assert {"late_night_40", "out_of_area"} <= set(lines(answer))


def test_the_place_search_and_the_rule_agree_on_a_routed_ride(client):
    """Without caller legs (the embedded router): 개봉동 -> 철산동 stays without surcharge."""
    body = {"tariff_id": "seoul-taxi", "at": AFTERNOON, "origin": {"place": "구로구 개봉동"}}
    body["destination"] = {"place": "광명시 철산동"}
    answer = client.post("/v1/quotes", json=body).json()
    assert answer["fare"] == city_fare(answer["distance_m"], None)


def test_a_trace_pays_from_where_its_fixes_leave_the_area(client, places):
    """A straight drive from 개봉동 to 대야동, a fix every 5 s for 20 minutes: the surcharge
    starts where the fixes cross the limit, so it is 20 % of the steps after that point."""
    start = datetime.fromisoformat(AFTERNOON)
    fixes = 241
    trace = [
        {
            "t": (start + timedelta(seconds=5 * i)).isoformat(),
            "lat": GAEBONG["lat"] + (DAEYA["lat"] - GAEBONG["lat"]) * i / (fixes - 1),
            "lon": GAEBONG["lon"] + (DAEYA["lon"] - GAEBONG["lon"]) * i / (fixes - 1),
        }
        for i in range(fixes)
    ]
    body = {"tariff_id": "seoul-taxi", "trace": trace}
    answer = client.post("/v1/quotes", json=body)
    assert answer.status_code == 200, answer.text
    quoted = answer.json()
    total = quoted["distance_m"]
    low, high = exit_bracket(places, GAEBONG, DAEYA)
    after = [steps_won(total) - steps_won(math.floor(total * f)) for f in (high, low)]
    charged = lines(quoted)["out_of_area"]
    assert after[0] * 20 // 100 - 20 <= charged <= after[1] * 20 // 100 + 20  # a step either way


def test_daeri_standard_keeps_its_surcharge_on_the_whole_fare(client):
    """An app's price is fixed at call time: a stop outside its home area (서울, 인천,
    경기: ``tariffs/daeri-standard.toml``) surcharges the whole fare by 20 %, even when the
    ride ends back inside."""
    chuncheon = {"lat": 37.8813, "lon": 127.7298}  # 강원 춘천시
    body = {
        "tariff_id": "daeri-standard",
        "at": AFTERNOON,
        "origin": YEOKSAM,
        "waypoints": [chuncheon],
        "destination": YEOKSAM,
        "legs": [{"distance_m": 90_000, "duration_s": 5400}] * 2,
    }
    answer = client.post("/v1/quotes", json=body).json()
    parts = lines(answer)
    meter = sum(parts.get(code, 0) for code in ("base", "distance", "time", "waypoint", "waiting"))
    assert parts["out_of_area"] == meter * 20 // 100
