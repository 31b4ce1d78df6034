"""The quoting form end to end: real app, real Chromium, typed like an agent would.

Expected amounts come from the API's own quote for the same route and time (``POST
/v1/quotes``), never from numbers copied out of a previous run.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CALL_TIME = "2026-11-18T23:10"
ORIGINAL_FARE = 25_000


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


def fill_completed_card_case(page: Page, *, recalling: bool = False) -> dict[str, str]:
    """운행완료 · 카드 · 목적지 변경: the guide's case ④, entered by place names."""
    page.select_option("#call-type", "own_general")
    page.fill("#call-id", "C20261118-0001")
    page.select_option("#call-state", "completed")
    page.select_option("#call-payment", "card")
    page.fill("#call-fare", f"{ORIGINAL_FARE:,}")
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
    page.fill("#forced-call-id", "C20261118-0107")
    page.press("#forced-call-id", "Enter")
    return places


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
    expect(headline).to_contain_text("재결제")
    expect(page.locator("#outcome")).to_have_text("재연결 진행")
    expect(page.locator("#blockers-box")).to_be_hidden()
    expect(page.locator("#original-fare")).to_have_text(won(ORIGINAL_FARE))
    expect(page.locator("#adjusted-fare")).to_contain_text(won(fare))
    delta = fare - ORIGINAL_FARE
    expect(page.locator("#fare-delta")).to_have_text(("+" if delta > 0 else "") + won(delta))
    expect(page.locator("#quote-fare")).to_have_text(won(quote["fare"]))
    expect(page.locator("#anchor-line")).to_have_text(
        f"예상 조정 요금 {won(fare)} = 기존 요금 {won(ORIGINAL_FARE)} + (변경 경로 "
        f"{won(quote['fare'])} − 기존 경로 {won(own_route['fare'])}) (요금표 단위 정리)"
    )
    expect(page.locator("#payment-action")).to_contain_text(
        f"취소 {won(ORIGINAL_FARE)} → 재결제 {won(fare)}"
    )

    rows = page.locator("#breakdown tr")
    expect(rows).to_have_count(len(quote["breakdown"]))
    shown = [
        (row.locator("th").text_content(), row.locator("td").text_content()) for row in rows.all()
    ]
    assert shown == [(line["label"], won(line["amount"])) for line in quote["breakdown"]]
    assert sum(int(re.sub(r"\D", "", amount or "")) for _, amount in shown) == quote["fare"]

    for key in ("scripts-customer", "scripts-driver", "sms-fare_adjusted", "memo-original_call"):
        expect(page.locator(f"#text-{key}")).not_to_be_empty()
    expect(page.locator("#text-memo-original_call")).to_contain_text("C20261118-0107")

    shot = tmp_path / "form.png"
    page.screenshot(path=shot)
    print(f"screenshot: {shot}")
    if os.environ.get("FARE_SERVICE_UPDATE_DOCS_SCREENSHOT"):
        shutil.copyfile(shot, ROOT / "docs" / "form.png")


def test_copy_button_puts_the_script_on_the_clipboard(server: str, context, page: Page) -> None:  # type: ignore[no-untyped-def]
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page.goto(server)
    fill_completed_card_case(page)
    script = page.locator("#text-scripts-customer")
    expect(script).not_to_be_empty()
    button = page.locator("button[data-copy='scripts-customer']")
    button.click()
    expect(button).to_have_text("복사됨")
    assert page.evaluate("navigator.clipboard.readText()") == script.text_content()


def test_blocker_says_what_to_do(server: str, page: Page) -> None:
    page.goto(server)
    fill_completed_card_case(page, recalling=True)
    expect(page.locator("#outcome")).to_have_text("진행 불가: 조건 미충족")
    blocker = page.locator("#blockers [data-code='customer_recalling']")
    expect(blocker).to_contain_text("'호출 취소'")


@pytest.mark.parametrize(("typed", "message"), [("-5000", "0 이상"), ("이만오천", "숫자")])
def test_invalid_fare_is_shown_beside_the_fare_input(
    server: str, page: Page, typed: str, message: str
) -> None:
    page.goto(server)
    fill_completed_card_case(page)
    expect(page.locator("#headline")).not_to_be_empty()
    page.fill("#call-fare", typed)
    page.press("#call-fare", "Enter")

    error = page.locator("#call-fare-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(message)
    expect(page.locator("#call-fare")).to_have_attribute("aria-invalid", "true")
    field, note = page.locator("#call-fare").bounding_box(), error.bounding_box()
    assert field and note
    assert 0 <= note["y"] - (field["y"] + field["height"]) < 20, "the error sits under the input"
    assert abs(note["x"] - field["x"]) < 20

    page.fill("#call-fare", f"{ORIGINAL_FARE}")
    page.press("#call-fare", "Enter")
    expect(error).to_be_hidden()


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

    assert tab_sequence("#call-type", 4) == ["call-id", "call-state", "call-payment", "call-fare"]
    assert tab_sequence("#chk-identity", 7) == [
        "chk-driver-present",
        "chk-driver-consent",
        "chk-customer-consent",
        "chk-reconnections",
        "chk-recalling",
        "chk-on-duty",
        "forced-call-id",
    ]
