"""What the form's browser tests share: typing a call like an agent, the API's own
answers for the same route, and where the answer sits on the screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Locator, Page, expect

from tests.web.conftest import VIEWPORT

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
