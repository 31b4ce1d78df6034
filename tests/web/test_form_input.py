"""The quoting form end to end, what the agent types: choices, errors in Korean, amounts,
suggestions, the API key and the tab order (``test_form.py``: the answers).
"""

from __future__ import annotations

import json
import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.web.form_testing import (
    ORIGINAL_FARE,
    api_quote,
    fill_call,
    fill_completed_card_case,
    pick_place,
    won,
)

pytestmark = pytest.mark.browser


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
