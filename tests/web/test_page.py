"""The form's HTML without a browser: served without a key, every input labelled, offline."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import httpx
import pytest
from fastapi import FastAPI

from fare_service.api import routes_web


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.label_targets: set[str] = set()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.controls.append(attributes)
        if tag == "label" and attributes.get("for"):
            self.label_targets.add(attributes["for"] or "")
        for name in ("src", "href"):
            if attributes.get(name):
                self.urls.append(attributes[name] or "")


@pytest.fixture(scope="module")
def page_html() -> str:
    app = FastAPI()
    app.include_router(routes_web.router)

    async def get_page() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://form") as client:
            return await client.get("/")

    # A thread of its own: Playwright's sync API may already run an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        response = pool.submit(asyncio.run, get_page()).result()
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def test_every_input_has_a_label(page_html: str) -> None:
    parsed = _Inputs()
    parsed.feed(page_html)
    # The waypoint rows are cloned from a <template> and labelled by app.js when added.
    static = [c for c in parsed.controls if c.get("id")]
    assert len(static) >= 20
    unlabelled = [c["id"] for c in static if c["id"] not in parsed.label_targets]
    assert unlabelled == []


def test_needs_nothing_from_outside(page_html: str) -> None:
    parsed = _Inputs()
    parsed.feed(page_html)
    external = [url for url in parsed.urls if re.match(r"^(https?:)?//", url)]
    assert external == []
    for name in routes_web.STATIC_FILES:
        text = (routes_web.WEB_DIR / "static" / name).read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), f"{name} must not load anything from outside"


def test_assets_carry_a_content_hash(page_html: str) -> None:
    assert re.search(r'/static/app\.js\?v=[0-9a-f]{12}"', page_html)
    assert re.search(r'/static/app\.css\?v=[0-9a-f]{12}"', page_html)


def test_no_inline_event_handlers(page_html: str) -> None:
    assert not re.search(r"\son[a-z]+=", page_html)


def test_every_field_an_error_can_name_has_its_korean_name(page_html: str) -> None:
    """The API's ``errors[].field`` lands on the control with that ``data-field``; its
    ``data-label`` is how the error names it, so none may be missing or English."""
    parsed = _Inputs()
    parsed.feed(page_html)
    fields = [c for c in parsed.controls if c.get("data-field")]
    assert len(fields) >= 20
    korean = re.compile(r"[가-힣]")
    unnamed = [c["data-field"] for c in fields if not korean.search(c.get("data-label") or "")]
    assert unnamed == []
    for name in ("call.state", "call.payment", "call.driving_started"):
        (control,) = [c for c in fields if c["data-field"] == name]
        assert "data-choice" in control, f"{name} starts unchosen"


def test_no_choice_that_decides_money_is_made_for_the_agent(page_html: str) -> None:
    for name in ("call.state", "call.payment", "call.driving_started"):
        pattern = rf'<select[^>]*data-field="{re.escape(name)}".*?</select>'
        select = re.search(pattern, page_html, re.S)
        assert select, name
        assert '<option value="">' in select.group(0)
        assert "selected" not in select.group(0)
    assert not re.search(r'<input[^>]*type="checkbox"[^>]*\schecked', page_html)


def test_every_script_is_loaded_once_in_order(page_html: str) -> None:
    loaded = re.findall(r'<script src="/static/([\w.-]+)\?v=[0-9a-f]{12}" defer>', page_html)
    shipped = sorted(p.name for p in (routes_web.WEB_DIR / "static").glob("*.js"))
    assert sorted(loaded) == shipped
    assert loaded[0] == "form-base.js" and loaded[-1] == "app.js"
