"""``POST /v1/quotes`` and ``/v1/quotes/batch`` through the ASGI app.

Expected fares are worked from Seoul's published rates (from 2023-02-01 04:00: 4,800 won
for 1.6 km, then 100 won per 131 m; late night +40% 23:00-02:00; out of city +20%;
fares rounded to 100 won, a half up).
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from pydantic import TypeAdapter

from fare_service.service.quoting import RouteQuery, quote_route
from fare_service.service.results import QuoteResult

CITY_HALL = {"lat": 37.5663, "lon": 126.9779}
GANGNAM = {"lat": 37.4979, "lon": 127.0276}
JEONGJA = {"lat": 37.3595, "lon": 127.1052}  # 성남시 분당구, Gyeonggi
NOON = "2026-11-27T12:00:00+09:00"  # a Friday, not a holiday


def seoul_meter(metres: int) -> int:
    return 4800 + max(metres - 1600, 0) // 131 * 100


def round_100(won: float) -> int:
    return int(won // 100 * 100 + (100 if won % 100 >= 50 else 0))


def body(**overrides):
    return {
        "tariff_id": "seoul-taxi",
        "at": NOON,
        "origin": CITY_HALL,
        "destination": GANGNAM,
        **overrides,
    }


def test_quote_with_caller_legs_is_priced_from_the_published_rates(client):
    response = client.post(
        "/v1/quotes", json=body(legs=[{"distance_m": 10_000, "duration_s": 1200}])
    )
    assert response.status_code == 200, response.text
    quote = response.json()
    assert quote["fare"] == seoul_meter(10_000)
    assert quote["currency"] == "KRW"
    assert (quote["distance_m"], quote["duration_s"]) == (10_000, 1200)
    assert (quote["tariff"]["id"], quote["tariff"]["version"]) == ("seoul-taxi", "2023-02-01")
    assert quote["route"]["source"] == "caller"
    assert sum(line["amount"] for line in quote["breakdown"]) == quote["fare"]
    assert {"code", "label", "amount"} <= set(quote["breakdown"][0])


def test_place_names_are_routed_with_a_band(client):
    response = client.post(
        "/v1/quotes",
        json=body(origin={"place": "종로구 청진동"}, destination={"place": "강남구 역삼동"}),
    )
    assert response.status_code == 200, response.text
    quote = response.json()
    assert quote["route"]["source"] == "embedded"
    assert quote["range"]["low"] <= quote["fare"] <= quote["range"]["high"]
    assert quote["range"]["low"] < quote["range"]["high"]
    assert 8_000 < quote["distance_m"] < 16_000  # about 9 km as the crow flies


def test_naive_time_is_seoul(client):
    legs = [{"distance_m": 1000, "duration_s": 100}]
    naive = client.post("/v1/quotes", json=body(at="2026-11-27T23:30:00", legs=legs)).json()
    assert naive["fare"] == round_100(4800 * 1.4)


def test_the_answer_reads_back_as_the_documented_result(client):
    """The bytes read back as the type the OpenAPI document is generated from, and write
    again to the same bytes: dates included, always on Seoul's clock."""
    legs = [{"distance_m": 1000, "duration_s": 100}]
    bodies = [
        body(legs=legs),
        body(at="2026-11-27T03:30:00Z", legs=legs),
        body(at="2026-11-27T23:30:00.25", destination=JEONGJA, waypoints=[GANGNAM]),
        body(at=None, origin={"place": "종로구 청진동"}, destination={"place": "강남구 역삼동"}),
    ]
    for sent in bodies:
        response = client.post("/v1/quotes", json=sent)
        assert response.status_code == 200, response.text
        result = TypeAdapter(QuoteResult).validate_json(response.content)
        assert orjson.dumps(result) == response.content
        assert result.at.utcoffset() == timedelta(hours=9)


def offset(hours: int, minutes: int = 0) -> timezone:
    return timezone(timedelta(hours=hours, minutes=minutes))


TRACE_START = datetime(2026, 11, 27, 23, 58, 59, 999_999, tzinfo=offset(-3, -30))
QUERIES = {
    "float legs, +05:45, last microsecond": RouteQuery(
        stops=[(37.5663, 126.9779), (37.4979, 127.0276)],
        tariff_id="seoul-taxi",
        at=datetime(2026, 11, 27, 23, 59, 59, 999_999, tzinfo=offset(5, 45)),
        legs=[(1234.5, 321.25)],
        waiting_s=437.5,
    ),
    "trace at -03:30": RouteQuery(
        stops=[],
        tariff_id="daeri-standard",
        trace=[
            (TRACE_START + timedelta(seconds=60 * i), 37.5663 - 0.006 * i, 126.9779 + 0.004 * i)
            for i in range(4)
        ],
    ),
    "places and a waypoint, naive": RouteQuery(
        stops=["종로구 청진동", (37.5172, 127.0473), "분당구 정자동"],
        at=datetime(2026, 11, 28, 2, 0, 0, 500),
    ),
    "UTC, out of the city": RouteQuery(
        stops=[(37.5663, 126.9779), (37.3595, 127.1052)],
        tariff_id="seoul-taxi",
        at=datetime(2026, 11, 27, 14, 30, tzinfo=UTC),
    ),
}


@pytest.mark.parametrize("name", QUERIES)
def test_a_result_round_trips_through_its_json(client, name):
    """Every field of ``quote_route``'s result survives orjson and the documented type."""
    result = asyncio.run(quote_route(QUERIES[name], client.app.state.runtime))
    assert TypeAdapter(QuoteResult).validate_json(orjson.dumps(result)) == result


def test_waypoints_need_one_leg_each(client):
    legs = [{"distance_m": 3000, "duration_s": 300}, {"distance_m": 4000, "duration_s": 400}]
    ok = client.post("/v1/quotes", json=body(waypoints=[{"lat": 37.53, "lon": 127.0}], legs=legs))
    assert ok.status_code == 200 and ok.json()["fare"] == seoul_meter(7000)
    short = client.post(
        "/v1/quotes", json=body(waypoints=[{"lat": 37.53, "lon": 127.0}], legs=legs[:1])
    )
    assert short.status_code == 422
    assert short.json()["errors"][0]["field"] == "legs"


def test_routes_past_the_engines_limit_are_422_naming_the_request_field(client):
    """11 legs of 1,000 km each pass the schema but add up past 10,000 km; a trace with
    fixes five months apart lasts past 115 days. The problem names what the caller sent."""
    stops = [{"lat": 37.5 + i / 100, "lon": 127.0} for i in range(10)]
    legs = [{"distance_m": 1_000_000, "duration_s": 60_000}] * 11
    too_far = client.post("/v1/quotes", json=body(waypoints=stops, legs=legs))
    assert too_far.status_code == 422
    assert too_far.json()["errors"][0]["field"] == "legs"
    trace = [
        {"t": "2026-01-01T12:00:00+09:00", "lat": 37.5663, "lon": 126.9779},
        {"t": "2026-06-01T12:00:00+09:00", "lat": 37.5670, "lon": 126.9785},
    ]
    too_long = client.post("/v1/quotes", json={"tariff_id": "seoul-taxi", "trace": trace})
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "trace"
    batch = client.post("/v1/quotes/batch", json={"items": [{"trace": trace}]}).json()
    assert not batch["items"][0]["ok"]


def test_gps_trace_drops_a_drift_spike(client):
    points = [
        (0, 37.5663, 126.9779),
        (60, 37.5600, 126.9800),
        (61, 36.0, 128.0),
        (120, 37.5540, 126.9820),
        (180, 37.5480, 126.9840),
    ]
    trace = [
        {"t": f"2026-11-27T12:{t // 60:02d}:{t % 60:02d}+09:00", "lat": la, "lon": lo}
        for t, la, lo in points
    ]
    response = client.post("/v1/quotes", json={"tariff_id": "seoul-taxi", "trace": trace})
    assert response.status_code == 200, response.text
    quote = response.json()
    assert quote["route"]["source"] == "trace"
    assert quote["route"]["dropped_points"] == 1
    assert quote["duration_s"] == 180


def straight_trace(hz: float) -> list[dict]:
    """11 km due north from 37.48 N, inside Seoul all the way, in 30 minutes (22 km/h),
    one fix every 1/hz seconds."""
    start = datetime.fromisoformat(NOON)
    return [
        {
            "t": (start + timedelta(seconds=i / hz)).isoformat(),
            "lat": 37.48 + 11_000 * (i / hz) / 1800 / 111_195,  # 111,195 m a degree
            "lon": 127.0,
        }
        for i in range(round(1800 * hz) + 1)
    ]


@pytest.mark.parametrize(
    ("tariff_id", "fare"),
    [
        # 15,000 with 3 km and 15 min, + (11,000 - 3,000) // 1,500 = 5 x 1,000
        # + (1,800 - 900) // 300 = 3 x 1,000
        ("daeri-standard", 23_000),
        ("seoul-taxi", seoul_meter(11_000)),  # 22 km/h is never slow: 11,900
    ],
)
def test_a_trace_is_priced_the_same_at_any_sampling_rate(client, tariff_id, fare):
    """One fix a minute, a second and ten a second: the same metres, seconds and fare.
    Each fix-to-fix leg rounded on its own made the last 18,000 m and 0 s."""
    quotes = []
    for hz in (1 / 60, 1, 10):
        payload = {"tariff_id": tariff_id, "trace": straight_trace(hz)}
        response = client.post("/v1/quotes", json=payload)
        assert response.status_code == 200, response.text
        quotes.append(response.json())
    distances = [quote["distance_m"] for quote in quotes]
    assert max(distances) <= min(distances) * 1.01 and abs(distances[0] - 11_000) <= 1
    assert [quote["duration_s"] for quote in quotes] == [1800] * 3
    assert [quote["fare"] for quote in quotes] == [fare] * 3
    for quote in quotes:
        legs = quote["route"]["legs"]
        assert quote["route"]["dropped_points"] == 0
        assert sum(leg["duration_s"] for leg in legs) == 1800
        assert sum(leg["distance_m"] for leg in legs) == quote["distance_m"]
    assert [len(quote["route"]["legs"]) for quote in quotes] == [30, 60, 60]  # the windows


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        (body(origin={"lat": 91, "lon": 127}), 422, "origin.lat"),
        (body(origin={"lat": 37.5}), 422, "origin"),
        (body(origin={"place": "", "lat": 1, "lon": 2}), 422, "origin.place"),
        (body(destination={"lat": 35.68, "lon": 139.76}), 422, "destination"),  # Tokyo
        (body(waypoints=[CITY_HALL] * 11), 422, "waypoints"),
        (body(tariff_id="paris-taxi"), 404, "tariff_id"),
        (body(at="2010-01-01T12:00:00+09:00"), 422, "at"),  # before the first version
        (body(at="not a time"), 422, "at"),
        (body(destination={"place": "존재하지않는동"}), 422, "destination.place"),
        (body(waiting_s=-5), 422, "waiting_s"),
        (body(legs=[{"distance_m": -1, "duration_s": 5}]), 422, "legs[0].distance_m"),
        (body(colour="red"), 422, "colour"),
        ({"tariff_id": "seoul-taxi"}, 422, "body"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(client, payload, status, field):
    response = client.post("/v1/quotes", json=payload)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert {"type", "title", "status", "detail"} <= set(problem)
    assert problem["status"] == status
    assert field in [error["field"] for error in problem["errors"]]


def test_an_ambiguous_place_lists_the_candidates(client):
    response = client.post("/v1/quotes", json=body(destination={"place": "신사동"}))
    assert response.status_code == 422
    candidates = response.json()["candidates"]
    assert {"서울특별시 강남구 신사동", "서울특별시 은평구 신사동"} <= set(candidates)


def test_nan_malformed_json_and_wrong_content_type_are_4xx(client):
    nan = '{"origin": {"lat": NaN, "lon": 127.0}, "destination": {"lat": 37.5, "lon": 127.0}}'
    response = client.post("/v1/quotes", content=nan, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "origin.lat"
    broken = client.post("/v1/quotes", content="{", headers={"content-type": "application/json"})
    assert broken.status_code == 422
    assert broken.headers["content-type"] == "application/problem+json"
    text = client.post(
        "/v1/quotes", content=json.dumps(body()), headers={"content-type": "text/plain"}
    )
    assert text.status_code == 415


def test_batch_answers_in_order_and_isolates_bad_items(client):
    legs = [{"distance_m": 5000, "duration_s": 600}]
    items = [
        body(legs=legs),
        body(tariff_id="paris-taxi"),
        {"nonsense": True},
        body(destination={"place": "신사동"}),
        body(legs=[{"distance_m": 12000, "duration_s": 900}]),
    ]
    response = client.post("/v1/quotes/batch", json={"items": items})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert [item["ok"] for item in answer["items"]] == [True, False, False, False, True]
    assert (answer["ok"], answer["failed"]) == (2, 3)
    assert answer["items"][0]["quote"]["fare"] == seoul_meter(5000)
    assert answer["items"][4]["quote"]["fare"] == seoul_meter(12_000)
    assert "paris-taxi" in answer["items"][1]["problem"]["detail"]
    assert answer["items"][2]["problem"]["status"] == 422


def test_batch_order_holds_and_other_requests_run_between_items(client):
    """Bad items among good ones, answered in order; a coroutine running alongside gets
    the event loop after every item, so an agent's quote never waits for a whole batch."""
    import asyncio

    from fare_service.api.batch_quotes import STEP, quote_items

    n = 20 * STEP + 3
    bad = {0, STEP - 1, STEP, 10 * STEP - 1, 10 * STEP, 20 * STEP}
    items = [
        body(tariff_id="paris-taxi")
        if i in bad
        else body(legs=[{"distance_m": 2000 + 131 * i, "duration_s": 300}])
        for i in range(n)
    ]
    answer = client.post("/v1/quotes/batch", json={"items": items}).json()
    assert [item["ok"] for item in answer["items"]] == [i not in bad for i in range(n)]
    fares = [item["quote"]["fare"] for item in answer["items"] if item["ok"]]
    assert fares == [seoul_meter(2000 + 131 * i) for i in range(n) if i not in bad]

    async def turns_of_a_bystander() -> int:
        """How often another coroutine ran while the batch was being answered."""
        turns = 0
        batch = asyncio.create_task(quote_items(items, client.app.state.runtime))
        await asyncio.sleep(0)  # the batch starts
        while not batch.done():
            turns += 1
            await asyncio.sleep(0)
        return turns

    assert asyncio.run(turns_of_a_bystander()) >= n // STEP


def test_a_route_the_engine_refuses_fails_alone_among_those_priced_with_it(client):
    """Eleven legs of 1,000 km add up past what the engine prices: that item gets the
    single endpoint's problem, and the others priced with it in one call are answered."""
    stops = [{"lat": 37.5 + 0.01 * i, "lon": 127.0} for i in range(12)]
    too_long = body(
        origin=stops[0],
        waypoints=stops[1:-1][:10],
        destination=stops[-1],
        legs=[{"distance_m": 1_000_000, "duration_s": 60_000}] * 11,
    )
    items = [body(legs=[{"distance_m": 5000, "duration_s": 600}]), too_long, body()]
    answer = client.post("/v1/quotes/batch", json={"items": items}).json()["items"]
    assert [item["ok"] for item in answer] == [True, False, True]
    single = client.post("/v1/quotes", json=too_long)
    assert single.status_code == 422
    assert answer[1]["problem"] == single.json()
    assert single.json()["errors"][0]["field"] == "legs"
    assert answer[0]["quote"]["fare"] == seoul_meter(5000)


def test_a_batch_larger_than_the_setting_is_refused_naming_items():
    from tests.api.conftest import make_client

    with make_client(max_batch_items=2) as small:
        response = small.post("/v1/quotes/batch", json={"items": [body()] * 3})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "items"
        assert small.post("/v1/quotes/batch", json={"items": [body()] * 2}).status_code == 200


def test_batch_matches_single_quotes(client):
    items = [
        body(origin={"place": "종로구 청진동"}),
        body(at="2026-11-27T23:10:00+09:00"),
        body(destination=JEONGJA),
    ]
    batch = client.post("/v1/quotes/batch", json={"items": items}).json()["items"]
    for item, answer in zip(items, batch, strict=True):
        single = client.post("/v1/quotes", json=item).json()
        assert answer["quote"] == single


def test_batch_limits(client):
    assert client.post("/v1/quotes/batch", json={"items": []}).status_code == 422


def test_a_trace_is_priced_on_its_own_clock(client):
    """A trace starts at its first fix: without ``at`` (or with another one) its fixes'
    times pick the tariff version and the late-night windows, not the time of the request."""

    def trace(start: str) -> list[dict]:
        first = datetime.fromisoformat(start)
        return [
            {
                "t": (first + timedelta(minutes=i)).isoformat(),
                "lat": 37.5663 - 0.003 * i,
                "lon": 126.9779 + 0.002 * i,
            }
            for i in range(6)
        ]

    night = client.post(
        "/v1/quotes", json={"tariff_id": "seoul-taxi", "trace": trace("2026-11-18T23:10:00+09:00")}
    ).json()
    day = client.post(
        "/v1/quotes",
        json={
            "tariff_id": "seoul-taxi",
            "at": "2026-11-18T23:10:00+09:00",  # the fixes' own times win
            "trace": trace("2026-11-18T14:10:00+09:00"),
        },
    ).json()
    assert night["at"] == "2026-11-18T23:10:00+09:00"
    assert day["at"] == "2026-11-18T14:10:00+09:00"
    assert "late_night_40" in [line["code"] for line in night["breakdown"]]
    assert [line["code"] for line in day["breakdown"] if "night" in line["code"]] == []
    assert night["distance_m"] == day["distance_m"]
