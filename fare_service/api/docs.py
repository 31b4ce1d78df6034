"""``/docs`` served from the ``swagger-ui-bundle`` package (no CDN, works offline), and
what FastAPI cannot infer for the OpenAPI document: the bearer key the ``ApiGuard`` asks
for (a middleware, not a dependency, so that no route can forget it)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from fare_service.api.security import PROTECTED


def install(app: FastAPI) -> None:
    app.mount("/docs-static", StaticFiles(directory=swagger_ui_path), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="fare-service API",
            swagger_js_url="/docs-static/swagger-ui-bundle.js",
            swagger_css_url="/docs-static/swagger-ui.css",
            swagger_favicon_url="/docs-static/favicon-32x32.png",
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
