"""``/docs``: Swagger UI 5 (it reads OpenAPI 3.1, which FastAPI writes) from the
``fastapi-offline`` package, served by the service itself (no CDN, works offline), and
what FastAPI cannot infer for the OpenAPI document: the bearer key the ``ApiGuard`` asks
for (a middleware, not a dependency, so that no route can forget it).

The page is FastAPI's own (``get_swagger_ui_html``) with its default options:
``api/headers.py`` allows its one inline script by the hash of that script.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from fare_service.api.security import PROTECTED

# The package's data folder: swagger-ui-bundle.js, swagger-ui.css and favicon.png.
SWAGGER_UI_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
STATIC_URL = "/docs-static"


def install(app: FastAPI) -> None:
    app.mount(STATIC_URL, StaticFiles(directory=SWAGGER_UI_DIR), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="fare-service API",
            swagger_js_url=f"{STATIC_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_URL}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC_URL}/favicon.png",
        )

    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _declare_bearer(generate())  # FastAPI's, cached by FastAPI in app.openapi_schema
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def _declare_bearer(schema: dict[str, Any]) -> None:
    """The API key as an HTTP bearer scheme on every guarded operation ("Authorize")."""
    schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes["apiKey"] = {"type": "http", "scheme": "bearer", "description": "an API key"}
    for path, operations in schema.get("paths", {}).items():
        if path.startswith(PROTECTED):
            for operation in operations.values():
                operation["security"] = [{"apiKey": []}]
