"""``POST /v1/adjustments`` end to end: the SPEC's response fields for each kind of case."""

from __future__ import annotations

import asyncio
import copy
import re

import orjson
import pytest
from pydantic import TypeAdapter

from fare_service.api.schemas import ADJUSTMENT_EXAMPLE, AdjustmentRequest
from fare_service.service.adjusting import AdjustmentResult, adjust


def request(**changes):
    body = copy.deepcopy(ADJUSTMENT_EXAMPLE)
    for path, value in changes.items():
        target = body
        *parents, leaf = path.split("__")
        for part in parents:
            target = target[part]
        target[leaf] = value
    return body


def test_completed_card_with_a_new_destination_cancels_and_recharges(client):
    response = client.post("/v1/adjustments", json=request())
    assert response.status_code == 200, response.text
    answer = response.json()
    quote = answer["quote"]
    assert quote["tariff"]["id"] == "daeri-standard"
    assert answer["outcome"] == "reconnect" and answer["blockers"] == []
    assert answer["original_fare"] == 25000
    adjusted = answer["estimate"]["fare"]
    assert answer["adjusted_fare"] == adjusted
    assert answer["fare_delta"] == adjusted - 25000
    assert answer["insured"] is True
    payment = answer["payment"]
    assert payment["action"] == "cancel_and_recharge"
    assert (payment["amount"], payment["cancel_amount"]) == (adjusted, 25000)
    assert f"{adjusted:,}원" in answer["sms"]["fare_adjusted"]
    scripts = answer["scripts"]
    assert all(isinstance(scripts[k], list) for k in ("opening", "customer", "driver"))
    assert all("강제재연결" not in line for line in scripts["opening"] + scripts["customer"])


def test_the_changed_route_is_priced_at_the_call_time(client):
    night = client.post(
        "/v1/adjustments", json=request(call__requested_at="2026-11-18T23:10:00+09:00")
    )
    day = client.post(
        "/v1/adjustments", json=request(call__requested_at="2026-11-18T13:10:00+09:00")
    )
    assert night.json()["quote"]["fare"] > day.json()["quote"]["fare"]


def test_no_change_on_a_completed_card_call_is_already_paid(client):
    answer = client.post("/v1/adjustments", json=request(change=None)).json()
    assert answer["quote"] is None and answer["estimate"] is None
    assert answer["payment"]["action"] == "already_paid"
    assert answer["payment"]["amount"] == 0
    assert answer["adjusted_fare"] == answer["original_fare"] == 25000


def test_an_agreed_fare_wins_over_the_estimate(client):
    body = request(
        change={"destination": {"place": "분당구 서현동"}, "agreed_fare": 30000},
        call__state="cancelled_after_assignment",
    )
    answer = client.post("/v1/adjustments", json=body).json()
    assert answer["payment"] == {**answer["payment"], "action": "force_charge", "amount": 30000}
    assert answer["payment"]["cancel_amount"] is None
    assert answer["quote"] is not None


def test_every_unmet_check_is_reported_at_once(client):
    body = request(
        checks__driver_consent=False, checks__driver_on_duty=False, checks__customer_recalling=True
    )
    answer = client.post("/v1/adjustments", json=body).json()
    assert answer["outcome"] == "blocked"
    assert set(answer["blockers"]) == {
        "driver_consent_required",
        "driver_off_duty",
        "customer_recalling",
    }
    assert answer["quote"] is not None  # the quote is still computed


def test_partner_and_consigned_calls(client):
    partner = client.post("/v1/adjustments", json=request(call__type="partner")).json()
    assert partner["outcome"] == "refer_to_situation_room"
    assert partner["scripts"]["driver"] == [] and partner["sms"]["customer_unreachable"] is None
    driven = request(call__type="consigned", call__state="cancelled_after_assignment")
    answer = client.post("/v1/adjustments", json=driven).json()
    assert answer["outcome"] == "decline"
    assert (answer["payment"]["action"], answer["insured"]) == ("cash_collect", False)
    assert answer["payment"]["amount"] == answer["adjusted_fare"]
    not_driven = request(
        call__type="consigned",
        call__state="cancelled_after_assignment",
        call__driving_started=False,
    )
    assert client.post("/v1/adjustments", json=not_driven).json()["payment"]["action"] == "none"


@pytest.mark.parametrize(
    ("agreed", "action", "cash", "refund"),
    [
        (25_000, "already_paid", 0, None),
        (31_000, "cash_collect", 31_000 - 25_000, None),
        (22_000, "none", 0, 25_000 - 22_000),
    ],
)
def test_a_consigned_completed_card_call_never_pays_twice(client, agreed, action, cash, refund):
    """25,000 won was charged when the call completed: only the difference moves."""
    body = request(
        call__type="consigned",
        change={"destination": {"place": "분당구 서현동"}, "agreed_fare": agreed},
    )
    answer = client.post("/v1/adjustments", json=body).json()
    payment = answer["payment"]
    assert (answer["outcome"], payment["action"]) == ("decline", action)
    assert (payment["amount"], payment["refund_amount"]) == (cash, refund)
    customer = "\n".join(answer["scripts"]["customer"])
    assert "현금으로 지급해 주세요" in customer if cash else "따로 내실 금액은 없어요" in customer
    assert "25,000원을 현금으로" not in customer
    codes = [w["code"] for w in answer["warnings"]]
    assert ("refund_difference" in codes) is (refund is not None) and "write_ticket" in codes
    assert answer["sms"] == {
        "fare_adjusted": None,
        "customer_unreachable": None,
        "driver_delay": None,
    }


def test_an_absent_driver_is_blocked_and_sent_to_the_other_procedure(client):
    answer = client.post("/v1/adjustments", json=request(checks__driver_present=False)).json()
    assert (answer["outcome"], answer["blockers"]) == ("blocked", ["driver_not_present"])
    assert any("(기사 함께 X)" in step for step in answer["admin_steps"])
    assert not any("기사님과 통화할 수 있게" in line for line in answer["scripts"]["customer"])


def test_a_completed_call_never_driven_is_refused(client):
    body = request(call__driving_started=False)
    response = client.post("/v1/adjustments", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["call.driving_started"]


def test_the_reason_and_the_agents_name_reach_their_texts_cleaned(client):
    body = request(reason="  앱\t조작\n\n실수로   운행 종료\x1b ", agent_name=" 김\u0000상담 ")
    answer = client.post("/v1/adjustments", json=body).json()
    reason = "앱 조작 실수로 운행 종료"
    assert f"사유: {reason}" in answer["memo"]["original_call"]
    assert any(step.endswith(f"사유를 적습니다: {reason}") for step in answer["admin_steps"])
    assert answer["scripts"]["driver"][0] == "안녕하세요, 고객센터 상담사 김 상담입니다."
    assert not any(reason in line for line in answer["scripts"]["customer"])  # never aloud


def test_without_notes_the_texts_say_only_what_happened(client):
    body = request(reason=None, agent_name=None, call__payment="cash")
    answer = client.post("/v1/adjustments", json=body).json()
    assert answer["scripts"]["driver"][0] == "안녕하세요, 고객센터 상담사입니다."
    assert "사유" not in answer["memo"]["original_call"]
    forced = answer["memo"]["forced_call"]
    assert "합의" not in forced and "원콜에서 진행" not in forced  # cash: nothing on the 원콜


@pytest.mark.parametrize(("field", "limit"), [("reason", 200), ("agent_name", 20)])
def test_free_text_is_limited_after_cleaning(client, field, limit):
    at_limit = client.post("/v1/adjustments", json=request(**{field: "가" * limit + "   "}))
    assert at_limit.status_code == 200, at_limit.text
    over = client.post("/v1/adjustments", json=request(**{field: "가" * (limit + 1)}))
    assert over.status_code == 422
    assert [e["field"] for e in over.json()["errors"]] == [field]


def test_the_call_back_sms_names_the_support_phone_only_when_set(client):
    from tests.api.conftest import make_client

    body = request()
    plain = client.post("/v1/adjustments", json=body).json()["sms"]["customer_unreachable"]
    assert "고객센터로 연락" in plain and not re.search(r"\d{4}-\d{4}", plain)
    with make_client(support_phone="1599-9400") as phoned:
        sms = phoned.post("/v1/adjustments", json=body).json()["sms"]["customer_unreachable"]
    assert "고객센터(1599-9400)로 연락" in sms


def test_a_route_too_long_for_a_ride_asks_to_confirm_the_stops(client):
    """The changed route's legs say 180 km: over the 150 km default, so the agent is asked
    to confirm the stops first; under a 200 km setting, not."""
    body = request(
        change={
            "destination": {"place": "분당구 서현동"},
            "legs": [{"distance_m": 180_000, "duration_s": 9_000}],
        },
        call__legs=[{"distance_m": 20_000, "duration_s": 1_800}],
    )
    answer = client.post("/v1/adjustments", json=body).json()
    warning = answer["warnings"][0]
    assert warning["code"] == "confirm_stops"
    assert (
        "180.0km" in warning["message"]
        and "경유지와 목적지를 다시 확인하세요" in warning["message"]
    )
    assert answer["headline"].startswith("경로 180.0km: 경유지와 목적지를 다시 확인하세요")
    from tests.api.conftest import make_client

    with make_client(max_ride_km=200) as lenient:
        calm = lenient.post("/v1/adjustments", json=body).json()
    assert "confirm_stops" not in [w["code"] for w in calm["warnings"]]


def test_the_original_route_counts_too(client):
    body = request(change=None, call__legs=[{"distance_m": 151_000, "duration_s": 9_000}])
    answer = client.post("/v1/adjustments", json=body).json()
    assert answer["warnings"][0]["code"] == "confirm_stops"
    assert "151.0km" in answer["warnings"][0]["message"]


def test_bad_adjustment_input_names_the_field(client):
    cases = {
        "call.fare": request(call__fare=-100),
        "call.type": request(call__type="taxi"),
        "change.destination.place": request(change={"destination": {"place": "없는동네이름"}}),
        "checks.reconnections_so_far": request(checks__reconnections_so_far=-1),
        "call.requested_at": request(call__requested_at="yesterday"),
    }
    for field, body in cases.items():
        response = client.post("/v1/adjustments", json=body)
        assert response.status_code == 422, (field, response.text)
        assert field in [e["field"] for e in response.json()["errors"]], field


ANSWER_CASES = {
    "reconnect, changed route": request(),
    "no change": request(change=None),
    "partner call": request(call__type="partner"),
    "blocked, agreed fare, waypoint": request(
        change={"add_waypoints": [{"lat": 37.5172, "lon": 127.0473}], "agreed_fare": 41_000},
        checks__customer_consent=False,
        checks__reconnections_so_far=1,
    ),
    "consigned, cash, UTC, not driven": request(
        call__type="consigned",
        call__state="cancelled_after_assignment",
        call__payment="cash",
        call__requested_at="2026-11-18T14:10:00Z",
        call__driving_started=False,
    ),
    "identity not verified, cancelled": request(
        call__state="cancelled_after_assignment", checks__identity_verified=False
    ),
    "consigned, completed card, lower agreed fare": request(
        call__type="consigned", change={"agreed_fare": 20_000}, reason=None, agent_name=None
    ),
    "driver not present": request(checks__driver_present=False),
}


@pytest.mark.parametrize("name", ANSWER_CASES)
def test_the_answer_is_the_documented_result_and_the_services_own(client, name):
    """The bytes are the service's result as orjson writes it, and they read back as the
    type the OpenAPI document is generated from, field for field."""
    body = ANSWER_CASES[name]
    runtime = client.app.state.runtime
    query = AdjustmentRequest.model_validate(body).adjustment_query(runtime)
    result = asyncio.run(adjust(query, runtime))
    change = body["change"] or {}
    route_changed = bool(change.get("destination") or change.get("add_waypoints"))
    assert (result.quote is None) is not route_changed
    response = client.post("/v1/adjustments", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.content == orjson.dumps(result)
    read_back = TypeAdapter(AdjustmentResult).validate_json(response.content)
    assert orjson.dumps(read_back) == response.content


SEOUL_CALL = {
    "tariff_id": "seoul-taxi",
    "call__requested_at": "2026-11-18T14:00:00+09:00",  # no late-night surcharge
    "call__fare": 15000,  # what the platform charged: no tariff reproduces it
    "call__origin": {"place": "종로구 청진동"},
    "call__destination": {"place": "강남구 역삼동"},  # both in Seoul: no 시계외 할증
    "call__legs": [{"distance_m": 10_000, "duration_s": 900}],  # 40 km/h: never slow
}
# seoul-taxi 2023-02-01: 4,800 won for the first 1,600 m, then 100 won per 131 m;
# fares rounded to 100 won half up, never under 4,800.
ORIGINAL_ROUTE = 4800 + (10_000 - 1600) // 131 * 100  # 64 steps: 11,200
CHANGED_ROUTE = 4800 + (6000 - 1600) // 131 * 100  # 33 steps: 8,100


@pytest.mark.parametrize(
    ("basis", "expected"),
    [
        ("delta", 15000 + CHANGED_ROUTE - ORIGINAL_ROUTE),  # 11,900
        ("ratio", 10800),  # 15,000 x 8,100 / 11,200 = 10,848.2 -> 10,800
        ("estimate", CHANGED_ROUTE),  # 8,100
    ],
)
def test_the_adjusted_fare_moves_the_charged_fare_by_the_change(client, basis, expected):
    body = request(
        **SEOUL_CALL,
        change={
            "destination": {"place": "마포구 서교동"},
            "legs": [{"distance_m": 6000, "duration_s": 600}],
            "basis": basis,
        },
    )
    response = client.post("/v1/adjustments", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (ORIGINAL_ROUTE, CHANGED_ROUTE) == (11200, 8100)
    assert answer["estimate"] == {
        "basis": basis,
        "original_route_fare": ORIGINAL_ROUTE,
        "changed_route_fare": CHANGED_ROUTE,
        "fare": expected,
        "low": expected,  # caller legs have no band
        "high": expected,
    }
    assert answer["adjusted_fare"] == expected
    assert answer["fare_delta"] == expected - 15000
    assert answer["payment"]["amount"] == expected  # completed card: cancel, charge this


def test_the_default_basis_is_a_setting():
    from tests.api.conftest import make_client

    body = request(
        **SEOUL_CALL,
        change={
            "destination": {"place": "마포구 서교동"},
            "legs": [{"distance_m": 6000, "duration_s": 600}],
        },
    )
    with make_client(adjustment_basis="ratio") as ratio_client:
        assert ratio_client.post("/v1/adjustments", json=body).json()["adjusted_fare"] == 10800


def test_a_delta_never_goes_under_the_minimum_fare(client):
    body = request(
        **{**SEOUL_CALL, "call__fare": 5000},
        change={
            "destination": {"place": "마포구 서교동"},
            "legs": [{"distance_m": 1000, "duration_s": 300}],
        },
    )
    answer = client.post("/v1/adjustments", json=body).json()
    assert answer["estimate"]["fare"] == 4800  # 5,000 + 4,800 - 11,200 is below the minimum


def test_the_issues_example_is_anchored_to_the_charged_fare(client):
    """역삼동 -> 정자동 charged 25,000; the new destination 서현동 costs the calculator less
    than the call's own route, so the customer pays less than 25,000, never 11,000 more."""
    answer = client.post("/v1/adjustments", json=request()).json()
    estimate = answer["estimate"]
    own = client.post(
        "/v1/quotes",
        json={
            "tariff_id": "daeri-standard",
            "at": ADJUSTMENT_EXAMPLE["call"]["requested_at"],
            "origin": ADJUSTMENT_EXAMPLE["call"]["origin"],
            "destination": ADJUSTMENT_EXAMPLE["call"]["destination"],
        },
    ).json()
    assert estimate["original_route_fare"] == own["fare"]
    assert estimate["changed_route_fare"] == answer["quote"]["fare"]
    assert estimate["changed_route_fare"] < estimate["original_route_fare"]
    assert answer["adjusted_fare"] == 25000 + estimate["changed_route_fare"] - own["fare"]
    assert answer["adjusted_fare"] < 25000


def test_an_unknown_original_destination_is_named(client):
    body = request(call__destination={"place": "없는동네이름"})
    response = client.post("/v1/adjustments", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("call.destination")


def test_bad_stops_of_both_routes_come_back_together(client):
    """The changed destination is unknown and the original one too: one answer names both,
    so the agent fixes them in one go instead of one route at a time."""
    body = request(
        call__destination={"place": "없는동네이름"},
        change__destination={"place": "더없는동네"},
        call__waypoints=[{"lat": 35.68, "lon": 139.76}],  # Tokyo
    )
    response = client.post("/v1/adjustments", json=body)
    assert response.status_code == 422
    fields = [error["field"] for error in response.json()["errors"]]
    assert sorted(fields) == [
        "call.destination.place",
        "call.waypoints[0]",
        "change.destination.place",
    ]


@pytest.mark.parametrize(
    ("setting", "value"),
    [("support_phone", "고객센터로 전화"), ("max_ride_km", 0), ("max_ride_km", -5.0)],
)
def test_the_new_settings_refuse_what_cannot_be_used(setting, value):
    from pydantic import ValidationError

    from fare_service.config import Settings

    with pytest.raises(ValidationError) as caught:
        Settings(**{setting: value})
    assert caught.value.errors()[0]["loc"] == (setting,)
