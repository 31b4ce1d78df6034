"""The quoting form end to end, its answers: real app, real Chromium at 1366x768, typed
like an agent (``test_form_input.py``: what the agent types and the errors).

Expected amounts come from the API's own answers for the same route and time (``POST
/v1/quotes``, ``POST /v1/adjustments``), never from numbers copied out of a previous run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.web.form_testing import (
    FORCED_CALL_ID,
    ORIGINAL_FARE,
    ROOT,
    adjustment_body,
    api_quote,
    assert_whole_answer_in_view,
    fill_call,
    fill_completed_card_case,
    in_viewport,
    pick_place,
    won,
)

pytestmark = pytest.mark.browser


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
