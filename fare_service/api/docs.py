"""``/docs`` served from the ``swagger-ui-bundle`` package (no CDN, works offline), and
what FastAPI cannot infer for the OpenAPI document: the bodies read by ``api/body.py``
and the bearer key the ``ApiGuard`` asks for."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from swagger_ui_bundle import swagger_ui_path

from fare_service.api.body import add_body_schemas
from fare_service.api.security import PROTECTED


def install(app: FastAPI, body_models: Iterable[type[BaseModel]]) -> None:
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
    models = list(body_models)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()  # FastAPI's, cached by FastAPI in app.openapi_schema
            add_body_schemas(schema, models)
            _declare_bearer(schema)
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
