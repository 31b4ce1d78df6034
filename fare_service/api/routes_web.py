"""The agents' quoting form at ``GET /``: one static page; all data comes from the API.

The page holds no data, so it needs no API key; it asks the agent for one when the API
answers 401. It is rendered once (the static files' hash busts browser caches on upgrade).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from fare_service import __version__

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
# The form's scripts in load order: each form-*.js registers its pieces, app.js starts the page.
SCRIPTS = (
    "form-base.js",
    "form-api.js",
    "form-request.js",
    "form-problems.js",
    "form-answer.js",
    "form-texts.js",
    "form-places.js",
    "app.js",
)
STATIC_FILES = (*SCRIPTS, "app.css")

router = APIRouter()


@cache
def render_form() -> str:
    """The page, with ``?v=`` on its assets so a new release is never served stale."""
    env = Environment(
        loader=FileSystemLoader(WEB_DIR / "templates"), autoescape=select_autoescape(["html"])
    )
    digest = hashlib.sha256()
    for name in STATIC_FILES:
        digest.update((WEB_DIR / "static" / name).read_bytes())
    return env.get_template("index.html").render(
        version=__version__, asset_tag=digest.hexdigest()[:12], scripts=SCRIPTS
    )


@router.get("/", include_in_schema=False, response_class=HTMLResponse)
async def quoting_form() -> HTMLResponse:
    return HTMLResponse(render_form(), headers={"Cache-Control": "no-cache"})
