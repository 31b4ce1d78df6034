"""The quoting form end to end: real app, real Chromium at 1366x768, typed like an agent.

Expected amounts come from the API's own answers for the same route and time (``POST
/v1/quotes``, ``POST /v1/adjustments``), never from numbers copied out of a previous run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.web.conftest import VIEWPORT

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CALL_TIME = "2026-11-18T23:10"
ORIGINAL_FARE = 25_000
FORCED_CALL_ID = "C20261118-0107"


def won(amount: int) -> str:
    return f"{amount:,}원"


def pick_place(
    page: Page, input_id: str, typed: str, *, choose: str | None = None, keyboard: bool = False
) -> str:
    """Type part of a place name, wait for the suggestions, pick the first that matches."""
    field = page.locator(f"#{input_id}")
    field.click()
    field.press_sequentially(typed, delay=30)
    options = page.locator(f"#{input_id}-options [role=option]")
    first = options.filter(has_text=choose or typed).first
    expect(first).to_be_visible()
    name = first.text_content() or ""
    if keyboard:
        index = [o.text_content() for o in options.all()].index(name)
        for _ in range(index + 1):
            field.press("ArrowDown")
        field.press("Enter")
    else:
        first.click()
    expect(field).to_have_value(name)
    expect(page.locator(f"#{input_id}-options")).to_be_hidden()
    return name


def fill_call(page: Page, *, call_type: str = "own_general", recalling: bool = False) -> dict:
    """운행완료 · 카드 · 목적지 변경: the guide's case ④, entered by place names."""
    page.select_option("#call-type", call_type)
    page.fill("#call-id", "C20261118-0001")
    page.select_option("#call-state", "completed")
    page.select_option("#call-payment", "card")
    page.select_option("#call-driving-started", "true")
    page.locator("#call-fare").press_sequentially(str(ORIGINAL_FARE))
    page.fill("#call-time", CALL_TIME)
    places = {
        "origin": pick_place(page, "call-origin", "역삼"),
        "destination": pick_place(page, "call-destination", "정자", choose="분당구 정자동"),
        "new_destination": pick_place(page, "change-destination", "서현", keyboard=True),
    }
    for box in ("identity", "driver-present", "driver-consent", "customer-consent", "on-duty"):
        page.check(f"#chk-{box}")
    if recalling:
        page.check("#chk-recalling")
    page.fill("#forced-call-id", FORCED_CALL_ID)
    return places


def fill_completed_card_case(page: Page, *, recalling: bool = False) -> dict:
    places = fill_call(page, recalling=recalling)
    page.press("#forced-call-id", "Enter")
    expect(page.locator("#headline")).not_to_be_empty()
    return places


def adjustment_body(places: dict, *, call_type: str = "own_general", **checks: Any) -> dict:
    """The body the form sends for :func:`fill_call`, for asking the API directly."""
    return {
        "call": {
            "id": "C20261118-0001",
            "type": call_type,
            "state": "completed",
            "payment": "card",
            "fare": ORIGINAL_FARE,
            "requested_at": CALL_TIME,
            "origin": {"place": places["origin"]},
            "waypoints": [],
            "destination": {"place": places["destination"]},
            "driving_started": True,
        },
        "change": {
            "destination": {"place": places["new_destination"]},
            "add_waypoints": [],
            "agreed_fare": None,
        },
        "checks": {
            "identity_verified": True,
            "driver_present": True,
            "driver_consent": True,
            "customer_consent": True,
            "reconnections_so_far": 0,
            "customer_recalling": False,
            "driver_on_duty": True,
            **checks,
        },
        "forced_call_id": FORCED_CALL_ID,
    }


def api_quote(base_url: str, places: dict[str, str], headers: dict | None = None) -> dict:
    """The API's own estimate for the changed route: origin -> new destination."""
    body = {
        "at": CALL_TIME + ":00",
        "origin": {"place": places["origin"]},
        "waypoints": [],
        "destination": {"place": places["new_destination"]},
    }
    response = httpx.post(base_url + "/v1/quotes", json=body, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def in_viewport(locator: Locator) -> bool:
    box = locator.bounding_box()
    assert box is not None, "not rendered"
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= VIEWPORT["width"]
        and box["y"] + box["height"] <= VIEWPORT["height"]
    )


def assert_whole_answer_in_view(page: Page, ids: list[str]) -> None:
    assert page.evaluate("document.documentElement.scrollHeight") <= VIEWPORT["height"]
    assert page.evaluate("document.getElementById('result').scrollTop") == 0
    outside = [i for i in ids if not in_viewport(page.locator(f"#{i}"))]
    assert outside == [], f"outside the 1366x768 viewport: {outside}"
    script = page.locator("#text-scripts-customer")
    assert script.evaluate("e => e.closest('.now').scrollHeight <= e.closest('.now').clientHeight")


def test_completed_card_with_changed_destination(server: str, page: Page, tmp_path: Path) -> None:
    page.goto(server)
    places = fill_completed_card_case(page)
    quote = api_quote(server, places)
    own_route = api_quote(server, {**places, "new_destination": places["destination"]})
    # the charged fare moved by what the change costs (delta, the default basis); the
    # daeri-standard tariff rounds fares up to 1,000 won
    fare = ORIGINAL_FARE + quote["fare"] - own_route["fare"]
    assert fare > 0 and fare % 1000 == 0

    headline = page.locator("#headline")
    expect(headline).to_contain_text(won(fare))
    expect(headline).to_contain_text(f"{won(ORIGINAL_FARE)} 결제 취소")
    expect(page.locator("#outcome")).to_have_text("재연결 진행")
    expect(page.locator("#todo-box")).to_be_hidden()
    expect(page.locator("#original-fare")).to_have_text(won(ORIGINAL_FARE))
    expect(page.locator("#adjusted-fare")).to_have_text(f"{won(fare)} (예상 요금)")
    delta = fare - ORIGINAL_FARE
    expect(page.locator("#fare-delta")).to_have_text(("+" if delta > 0 else "") + won(delta))
    expect(page.locator("#route-fare-original")).to_have_text(won(own_route["fare"]))
    expect(page.locator("#route-fare-changed")).to_have_text(won(quote["fare"]))
    expect(page.locator("#estimate-fare")).to_have_text(won(fare))
    expect(page.locator("#anchor-line")).to_contain_text(
        f"{won(fare)} = 기존 요금 {won(ORIGINAL_FARE)} + (변경 경로 "
        f"{won(quote['fare'])} − 기존 경로 {won(own_route['fare'])})"
    )
    expect(page.locator("#payment-action")).to_contain_text(
        f"취소 {won(ORIGINAL_FARE)} → 재결제 {won(fare)}"
    )
    expect(page.locator("#text-scripts-customer li").first).not_to_be_empty()

    # the whole answer in view at 1366x768, the map too when the server draws one
    ids = ["headline", "original-fare", "adjusted-fare", "fare-delta", "payment-action"]
    ids += ["route-fare-original", "route-fare-changed", "estimate-fare", "text-scripts-customer"]
    ids += ["tabs"]
    assert_whole_answer_in_view(page, ids)

    # the breakdown is one key away (Alt+8) and adds up to the changed route's fare
    page.keyboard.press("Alt+8")
    expect(page.locator("#tab-breakdown")).to_be_focused()
    expect(page.locator("#quote-fare")).to_have_text(won(quote["fare"]))
    rows = page.locator("#breakdown tr")
    expect(rows).to_have_count(len(quote["breakdown"]))
    shown = [
        (row.locator("th").text_content(), row.locator("td").text_content()) for row in rows.all()
    ]
    assert shown == [(line["label"], won(line["amount"])) for line in quote["breakdown"]]
    assert sum(int(re.sub(r"\D", "", amount or "")) for _, amount in shown) == quote["fare"]
    assert in_viewport(page.locator("#breakdown"))

    page.keyboard.press("Alt+4")
    expect(page.locator("#text-memo-original_call")).to_contain_text(FORCED_CALL_ID)
    assert in_viewport(page.locator("#text-memo-original_call"))

    shot = tmp_path / "form.png"
    page.keyboard.press("Alt+2")
    page.locator("#quote-form").evaluate("form => form.scrollTo(0, 0)")
    page.screenshot(path=shot)
    print(f"screenshot: {shot}")
    if os.environ.get("FARE_SERVICE_UPDATE_DOCS_SCREENSHOT"):
        shutil.copyfile(shot, ROOT / "docs" / "form.png")


def test_every_text_the_api_gives_has_its_tab_and_copy_button(server: str, page: Page) -> None:
    page.goto(server)
    places = fill_completed_card_case(page)
    answer = httpx.post(server + "/v1/adjustments", json=adjustment_body(places), timeout=30)
    assert answer.status_code == 200, answer.text
    result = answer.json()

    def lines(text: str | list[str]) -> list[str]:
        return text if isinstance(text, list) else text.rstrip("\n").split("\n")

    # (tab, copy key, text) for every text the answer holds, null SMS left out
    expected = [("sms", f"sms-{name}", text) for name, text in result["sms"].items() if text]
    expected += [("memo", f"memo-{name}", text) for name, text in result["memo"].items() if text]
    expected += [
        (name, f"scripts-{name}", text)
        for name, text in result["scripts"].items()
        if text and name != "customer"
    ]
    for tab, key, text in expected:
        page.click(f"#tab-{tab}")
        expect(page.locator(f"#text-{key} li")).to_have_text(lines(text))
        expect(page.locator(f"button.copy[data-copy='{key}']")).to_be_visible()
    page.click("#tab-sms")
    sms = [key for tab, key, _ in expected if tab == "sms"]
    expect(page.locator("#panel-sms ol.lines")).to_have_count(len(sms))
    for name in (name for name, text in result["sms"].items() if text is None):
        expect(page.locator(f"#text-sms-{name}")).to_have_count(0)
    expect(page.locator("#text-scripts-customer li")).to_have_text(
        lines(result["scripts"]["customer"])
    )


def test_copy_button_puts_the_script_on_the_clipboard(server: str, context, page: Page) -> None:  # type: ignore[no-untyped-def]
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page.goto(server)
    fill_completed_card_case(page)
    lines = page.locator("#text-scripts-customer li").all_text_contents()
    assert lines
    button = page.locator("button[data-copy='scripts-customer']")
    button.click()
    expect(button).to_have_text("복사됨")
    assert page.evaluate("navigator.clipboard.readText()") == "\n".join(lines)

    # an SMS is copied exactly as the API wrote it, its blank lines too
    places = {
        "origin": page.input_value("#call-origin"),
        "destination": page.input_value("#call-destination"),
        "new_destination": page.input_value("#change-destination"),
    }
    sms = httpx.post(server + "/v1/adjustments", json=adjustment_body(places), timeout=30)
    text = sms.json()["sms"]["fare_adjusted"]
    page.keyboard.press("Alt+3")
    page.click("button[data-copy='sms-fare_adjusted']")
    assert page.evaluate("navigator.clipboard.readText()") == text


def test_blocked_shows_what_to_do_not_a_payment(server: str, page: Page) -> None:
    page.goto(server)
    fill_completed_card_case(page, recalling=True)
    expect(page.locator("#outcome")).to_have_text("진행 불가: 조건 미충족")
    blocker = page.locator("#todo [data-code='customer_recalling']")
    expect(blocker).to_contain_text("'호출 취소'")
    for figure in ("#adjusted-fare", "#fare-delta", "#payment-action"):
        expect(page.locator(figure)).to_be_hidden()
    expect(page.locator("#estimate-fare-label")).to_have_text("조건 충족 시 예상 요금")
    assert_whole_answer_in_view(page, ["headline", "todo", "original-fare", "estimate-fare"])


def test_an_unclearable_blocker_is_all_the_agent_is_asked_about(server: str, page: Page) -> None:
    """A call already reconnected once cannot be again: no consents to collect, no
    re-calling to stop, and no amount that will never apply."""
    page.goto(server)
    places = fill_call(page)
    page.uncheck("#chk-driver-consent")
    page.check("#chk-recalling")
    page.fill("#chk-reconnections", "1")
    page.press("#forced-call-id", "Enter")
    expect(page.locator("#outcome")).to_have_text("진행 불가: 조건 미충족")
    checks = {"driver_consent": False, "customer_recalling": True, "reconnections_so_far": 1}
    answer = httpx.post(
        server + "/v1/adjustments", json=adjustment_body(places, **checks), timeout=30
    ).json()
    assert {"already_reconnected", "driver_consent_required"} <= set(answer["blockers"])
    expect(page.locator("#todo [data-code]")).to_have_count(1)
    expect(page.locator("#todo [data-code='already_reconnected']")).to_contain_text("1회만")
    expect(page.locator("#amounts")).to_be_hidden()


def test_referral_shows_what_to_do_not_a_payment(server: str, page: Page) -> None:
    page.goto(server)
    places = fill_call(page, call_type="partner")
    page.press("#forced-call-id", "Enter")
    expect(page.locator("#outcome")).to_have_text("상황실 문의 안내")
    answer = httpx.post(
        server + "/v1/adjustments", json=adjustment_body(places, call_type="partner"), timeout=30
    ).json()
    assert answer["payment"]["action"] == "none"
    expect(page.locator("#amounts")).to_be_hidden()
    expect(page.locator("#todo li")).to_have_text(answer["admin_steps"])
    assert_whole_answer_in_view(page, ["headline", "todo", "text-scripts-customer"])


def test_consigned_before_driving_shows_what_to_do_not_a_payment(server: str, page: Page) -> None:
    page.goto(server)
    places = fill_call(page, call_type="consigned")
    page.select_option("#call-state", "cancelled_after_assignment")
    page.select_option("#call-driving-started", "false")
    page.press("#forced-call-id", "Enter")
    expect(page.locator("#outcome")).to_have_text("재연결 불가")
    body = adjustment_body(places, call_type="consigned")
    body["call"] |= {"state": "cancelled_after_assignment", "driving_started": False}
    answer = httpx.post(server + "/v1/adjustments", json=body, timeout=30).json()
    assert answer["outcome"] == "decline" and answer["payment"]["action"] == "none"
    for figure in ("#adjusted-fare", "#fare-delta", "#payment-action", "#insured"):
        expect(page.locator(figure)).to_be_hidden()
    expect(page.locator("#todo-title")).to_have_text("할 일 (결제 안내 없음)")
    expect(page.locator("#todo li")).to_have_text(answer["admin_steps"])


def test_driver_not_present_is_a_checkbox_sent_with_the_checks(server: str, page: Page) -> None:
    page.goto(server)
    places = fill_call(page)
    page.uncheck("#chk-driver-present")
    with page.expect_request("**/v1/adjustments") as sent:
        page.press("#forced-call-id", "Enter")
    assert json.loads(sent.value.post_data or "{}")["checks"]["driver_present"] is False
    expect(page.locator("#headline")).not_to_be_empty()
    answer = httpx.post(
        server + "/v1/adjustments", json=adjustment_body(places, driver_present=False), timeout=30
    ).json()
    todo = page.locator("#todo [data-code='driver_not_present']")
    if "driver_not_present" in answer["blockers"]:
        expect(todo).to_contain_text("재연결하지 않습니다")
    else:  # before the policy's blocker (issue 17), the server only warns
        expect(todo).to_have_count(0)


def test_nothing_is_chosen_for_the_agent(server: str, page: Page) -> None:
    page.goto(server)
    expect(page.locator("#call-type")).to_be_focused()
    for choice in ("#call-state", "#call-payment", "#call-driving-started"):
        expect(page.locator(choice)).to_have_value("")

    page.fill("#call-id", "C20261118-0001")
    page.fill("#call-fare", "25000")
    page.fill("#call-origin", "37.5004,127.0387")
    page.fill("#call-destination", "37.3670,127.1082")
    adjustments: list[str] = []
    page.on("request", lambda r: adjustments.append(r.url) if "/v1/adjustments" in r.url else None)
    page.press("#call-id", "Enter")
    for choice in ("call-state", "call-payment", "call-driving-started"):
        expect(page.locator(f"#{choice}-error")).to_have_text("선택하세요")
    expect(page.locator("#form-error-list")).to_contain_text("콜 상태: 선택하세요")
    expect(page.locator("#call-state")).to_be_focused()
    page.wait_for_load_state("networkidle")
    assert adjustments == [], "no adjustment is asked for before the agent chooses"
    expect(page.locator("#result-body")).to_be_hidden()

    page.select_option("#call-state", "cancelled_after_assignment")
    page.select_option("#call-payment", "cash")
    with page.expect_request("**/v1/adjustments") as request:
        page.select_option("#call-driving-started", "true")
    body = json.loads(request.value.post_data or "{}")
    assert body["call"]["state"] == "cancelled_after_assignment"
    assert body["call"]["payment"] == "cash"
    assert body["call"]["driving_started"] is True
    expect(page.locator("#headline")).not_to_be_empty()
    expect(page.locator("#form-error")).to_be_hidden()


def test_korean_errors_all_at_once(server: str, page: Page) -> None:
    page.goto(server)
    page.fill("#call-fare", "이만오천")
    page.fill("#call-destination", "없는동네이름")
    pick_place(page, "change-destination", "서현")
    page.fill("#chk-reconnections", "")
    page.fill("#call-time", "1999-12-31T23:00")
    page.press("#call-id", "Enter")

    expected = {
        "call-time": "2000년부터 2100년 사이",
        "call-id": "입력하세요",
        "call-state": "선택하세요",
        "call-payment": "선택하세요",
        "call-driving-started": "선택하세요",
        "call-fare": "숫자",
        "call-origin": "입력하세요",
        "call-destination": "찾을 수 없는 장소",  # the API's answer, in the same round
        "chk-reconnections": "0~100",
    }
    for input_id, text in expected.items():
        expect(page.locator(f"#{input_id}-error")).to_contain_text(text)
        expect(page.locator(f"#{input_id}")).to_have_attribute("aria-invalid", "true")
    listed = page.locator("#form-error-list li")
    expect(listed).to_have_count(len(expected))
    for label in (
        "원콜 ID",
        "콜 상태",
        "결제 수단",
        "운행 시작",
        "기존 요금",
        "호출 일시",
        "출발지",
    ):
        expect(page.locator("#form-error-list")).to_contain_text(f"{label}: ")
    errors = " ".join(page.locator(".field-error:visible, #form-error").all_text_contents())
    assert not re.search(r"[A-Za-z]{3,}", errors), f"English in the errors: {errors}"
    expect(page.locator("#call-id")).to_be_focused()

    # the count's label stays on one line with its error under it
    label = page.locator("label[for='chk-reconnections']").bounding_box()
    line = page.locator("label[for='chk-identity']").bounding_box()
    assert label and line and label["height"] < 1.5 * line["height"]


def test_every_stop_problem_in_one_round(server: str, page: Page) -> None:
    """The API names the first stop it cannot place; the form asks about the others."""
    page.goto(server)
    fill_call(page)
    page.fill("#call-destination", "없는동네이름")
    page.fill("#change-destination", "35.6812,139.7671")  # 東京駅
    page.select_option("#call-driving-started", "false")  # and a completed call not driven
    page.press("#forced-call-id", "Enter")
    expect(page.locator("#form-error-list li")).to_have_count(3)
    expect(page.locator("#call-driving-started-error")).to_contain_text("운행완료 콜은")
    expect(page.locator("#call-destination-error")).to_contain_text("찾을 수 없는 장소")
    expect(page.locator("#change-destination-error")).to_contain_text("국내 좌표가 아닙니다")
    listed = page.locator("#form-error-list li").all_text_contents()
    assert [item.split(":")[0] for item in listed] == ["운행 시작", "도착지", "변경된 도착지"]


def test_invalid_fare_is_shown_beside_the_fare_input(server: str, page: Page) -> None:
    page.goto(server)
    fill_completed_card_case(page)
    page.fill("#call-fare", "이만오천")
    page.press("#call-fare", "Enter")

    error = page.locator("#call-fare-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("숫자")
    expect(page.locator("#call-fare")).to_have_attribute("aria-invalid", "true")
    field, note = page.locator("#call-fare").bounding_box(), error.bounding_box()
    assert field and note
    assert 0 <= note["y"] - (field["y"] + field["height"]) < 20, "the error sits under the input"
    assert abs(note["x"] - field["x"]) < 20

    page.fill("#call-fare", f"{ORIGINAL_FARE}")
    page.press("#call-fare", "Enter")
    expect(error).to_be_hidden()


def test_server_errors_are_korean_and_name_the_field(server: str, page: Page) -> None:
    """An ambiguous place is the API's to find: its answer, in Korean, with the candidates."""
    page.goto(server)
    fill_call(page)
    page.fill("#change-destination", "성수")
    page.press("#change-destination", "Enter")
    error = page.locator("#change-destination-error")
    expect(error).to_contain_text("여러 곳이 있습니다")
    expect(error).to_contain_text("후보:")
    expect(page.locator("#form-error-list")).to_contain_text("변경된 도착지: 여러 곳이 있습니다")


def test_amounts_are_formatted_as_typed_and_sent_as_numbers(server: str, page: Page) -> None:
    page.goto(server)
    fill_call(page)
    expect(page.locator("#call-fare")).to_have_value(f"{ORIGINAL_FARE:,}")
    agreed = 31_500
    page.locator("#agreed-fare").press_sequentially(str(agreed))
    expect(page.locator("#agreed-fare")).to_have_value(f"{agreed:,}")
    with page.expect_request("**/v1/adjustments") as request:
        page.press("#agreed-fare", "Enter")
    body = json.loads(request.value.post_data or "{}")
    assert body["call"]["fare"] == ORIGINAL_FARE
    assert body["change"]["agreed_fare"] == agreed
    expect(page.locator("#adjusted-fare")).to_have_text(f"{won(agreed)} (합의 요금)")


def test_reason_and_agent_name_are_sent_and_the_name_is_kept(server: str, page: Page) -> None:
    page.goto(server)
    fill_call(page)
    page.fill("#reason", "고객이 앱에서 실수로 운행완료를 누름")
    page.fill("#agent-name", "김하늘")
    with page.expect_request("**/v1/adjustments") as request:
        page.press("#agent-name", "Enter")
    body = json.loads(request.value.post_data or "{}")
    assert body["reason"] == "고객이 앱에서 실수로 운행완료를 누름"
    assert body["agent_name"] == "김하늘"
    assert page.locator("#reason").get_attribute("maxlength") == "200"
    assert page.locator("#agent-name").get_attribute("maxlength") == "20"

    page.reload()
    expect(page.locator("#agent-name")).to_have_value("김하늘")
    expect(page.locator("#reason")).to_have_value("")
    page.click("#reset-button")
    expect(page.locator("#agent-name")).to_have_value("김하늘")


def test_suggestions_keep_the_servers_order_near_the_origin(server: str, page: Page) -> None:
    page.goto(server)
    origin = pick_place(page, "call-origin", "신사", choose="강남구 신사동")
    found = httpx.get(server + "/v1/places", params={"q": origin}, timeout=10).json()
    point = f"{found[0]['lat']},{found[0]['lon']}"

    with page.expect_request(re.compile(r"/v1/places\?q=%EC%84%B1%EC%88%98&")) as request:
        page.locator("#change-destination").click()
        page.locator("#change-destination").press_sequentially("성수", delay=30)
    assert httpx.URL(request.value.url).params.get("near") == point
    options = page.locator("#change-destination-options [role=option]")
    expect(options.first).to_be_visible()
    answer = httpx.get(
        server + "/v1/places", params={"q": "성수", "limit": 8, "near": point}, timeout=10
    )
    expected = [place["full_name"] for place in answer.json()] if answer.status_code == 200 else []
    assert expected, answer.text
    expect(options).to_have_text(expected)


def test_route_map_beside_the_answer(server: str, page: Page) -> None:
    probe = httpx.post(
        server + "/v1/route-map",
        json={
            "origin": {"place": "강남구 역삼동"},
            "waypoints": [],
            "destination": {"place": "분당구 정자동"},
            "changed_destination": {"place": "분당구 서현동"},
        },
        timeout=30,
    )
    if probe.status_code == 404:
        pytest.skip("POST /v1/route-map is not on this branch (the web helper's branch adds it)")
    assert probe.status_code == 200 and probe.headers["content-type"].startswith("image/svg+xml")
    page.goto(server)
    fill_completed_card_case(page)
    picture = page.locator("#route-map")
    expect(picture).to_be_visible()
    assert (picture.get_attribute("src") or "").startswith("data:image/svg+xml")
    assert picture.evaluate("img => img.complete && img.naturalWidth > 0")
    assert in_viewport(page.locator("#map-box"))
    assert_whole_answer_in_view(page, ["headline", "payment-action", "estimate-fare"])


def test_no_map_and_no_error_without_the_map_endpoint(server: str, page: Page) -> None:
    """An admin deployment without the map (an older server, a proxy that does not pass
    it): the browser gets a 404 for it, and the answer shows without a map or an error."""
    page.route("**/v1/route-map", lambda route: route.fulfill(status=404, body="{}"))
    page.goto(server)
    fill_completed_card_case(page)
    expect(page.locator("#map-box")).to_be_hidden()
    expect(page.locator("#form-error")).to_be_hidden()
    expect(page.locator("#result-status")).to_be_hidden()


def test_a_far_stop_must_be_confirmed_before_any_script(server: str, page: Page) -> None:
    page.goto(server)
    fill_call(page)
    page.fill("#change-destination", "")
    far = pick_place(page, "change-destination", "성수면", choose="진안군")
    places = {
        "origin": page.input_value("#call-origin"),
        "destination": page.input_value("#call-destination"),
        "new_destination": far,
    }
    answer = httpx.post(server + "/v1/adjustments", json=adjustment_body(places), timeout=30)
    if not any(w["code"] == "confirm_stops" for w in answer.json().get("warnings", [])):
        pytest.skip("this server gives no confirm_stops warning (the policy helper adds it)")
    page.press("#forced-call-id", "Enter")
    expect(page.locator("#headline-box")).to_have_attribute("data-tone", "stop")
    expect(page.locator("#confirm-box")).to_be_visible()
    expect(page.locator("#texts")).to_be_hidden()
    expect(page.locator("#confirm-stops")).to_contain_text(far)
    expect(page.locator("#confirm-button")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#texts")).to_be_visible()
    expect(page.locator("#text-scripts-customer li").first).not_to_be_empty()
    expect(page.locator("#outcome")).to_contain_text("경유지·목적지 확인함")

    # confirmed stops stay confirmed when something else changes; new stops ask again
    with page.expect_response("**/v1/adjustments"):
        page.fill("#forced-call-id", "C20261118-0108")
    expect(page.locator("#texts")).to_be_visible()
    expect(page.locator("#outcome")).to_contain_text("경유지·목적지 확인함")
    page.fill("#change-destination", "")
    pick_place(page, "change-destination", "성수면", choose="임실군")
    page.press("#forced-call-id", "Enter")
    expect(page.locator("#confirm-box")).to_be_visible()
    expect(page.locator("#texts")).to_be_hidden()


def test_asks_for_the_api_key_once_and_keeps_it_for_the_session(
    keyed_server: str, api_key: str, page: Page
) -> None:
    page.goto(keyed_server)
    dialog = page.locator("#key-dialog")
    expect(dialog).to_be_visible()
    page.fill("#api-key", "wrong-key")
    page.press("#api-key", "Enter")
    expect(page.locator("#key-error")).to_be_visible()
    page.fill("#api-key", api_key)
    page.press("#api-key", "Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator("#tariff option")).not_to_have_count(1)

    places = fill_completed_card_case(page)
    headers = {"Authorization": f"Bearer {api_key}"}
    changed = api_quote(keyed_server, places, headers)["fare"]
    own = api_quote(keyed_server, {**places, "new_destination": places["destination"]}, headers)
    expect(page.locator("#adjusted-fare")).to_contain_text(
        won(ORIGINAL_FARE + changed - own["fare"])
    )
    expect(dialog).to_be_hidden()
    stored = page.evaluate("[sessionStorage.length, localStorage.length]")
    assert stored == [1, 0], "the key lives in sessionStorage only"


def test_tab_order_follows_the_guide(server: str, page: Page) -> None:
    page.goto(server)

    def tab_sequence(start: str, count: int) -> list[str]:
        page.focus(start)
        ids = []
        for _ in range(count):
            page.keyboard.press("Tab")
            ids.append(page.evaluate("document.activeElement.id"))
        return ids

    assert tab_sequence("#call-type", 5) == [
        "call-id",
        "call-state",
        "call-payment",
        "call-driving-started",
        "call-fare",
    ]
    assert tab_sequence("#chk-identity", 10) == [
        "chk-driver-present",
        "chk-driver-consent",
        "chk-customer-consent",
        "chk-reconnections",
        "chk-recalling",
        "chk-on-duty",
        "reason",
        "forced-call-id",
        "agent-name",
        "quote-button",
    ]
