"""The FastAPI application: start-up loading, middleware, error handling, routers."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from fare_service import __version__
from fare_service.api import (
    docs,
    problems,
    routes_adjustments,
    routes_map,
    routes_meta,
    routes_quotes,
    routes_web,
)
from fare_service.api.headers import SecurityHeaders
from fare_service.api.observe import ObserveMiddleware
from fare_service.api.security import ApiGuard, ApiKeys
from fare_service.config import Settings, get_settings
from fare_service.service.runtime import load_runtime

log = logging.getLogger("fare_service.api")
WEB_DIR = Path(__file__).resolve().parent.parent / "web"

DESCRIPTION = """Fares and reconnection instructions for designated-driver support agents.

Errors are RFC 9457 problem details (`application/problem+json`) naming the offending field.
With API keys configured, send `Authorization: Bearer <key>`."""


def load_state(app: FastAPI, settings: Settings) -> None:
    """What the lifespan loads once: tariffs, places, routers, templates and keys.

    Called by the lifespan; tests that drive the ASGI app without one call it directly.
    """
    app.state.runtime = load_runtime(settings)
    app.state.api_keys = ApiKeys(settings.all_api_keys())
    if not app.state.api_keys.enabled:
        log.warning("NO API KEYS CONFIGURED: the API is open to anyone who can reach it")


def settle_heap() -> None:
    """Take what start-up loaded out of the garbage collector's full collections.

    Tariffs, places, templates and the framework are ~110,000 objects that live as long
    as the worker. A full collection walked all of them: ~70 ms, every few thousand
    requests, with every request on that worker waiting (measured with ``gc.callbacks``
    under the admin UI's mix). Frozen, a full collection walks only what requests made
    since (~13 ms at most). See ``gc.freeze`` in the Python documentation.
    """
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not hasattr(app.state, "runtime"):
            load_state(app, settings)
        settle_heap()
        yield
        await app.state.runtime.aclose()

    app = FastAPI(
        title="fare-service",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    problems.install(app)
    for module in (routes_quotes, routes_adjustments, routes_map, routes_meta, routes_web):
        app.include_router(module.router)
    docs.install(app)
    if WEB_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    app.add_middleware(ApiGuard)  # inside CORS, so preflight requests need no key
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        )
    app.add_middleware(ObserveMiddleware, max_body_bytes=settings.max_body_bytes)
    # outermost, so that every answer of the middleware above (401, 413, 415) has them too
    app.add_middleware(SecurityHeaders, openapi_url=app.openapi_url or "/openapi.json")
    return app
