"""API keys (``Authorization: Bearer <key>``, compared in constant time) and the guard in
front of every ``/v1/`` and ``/metrics`` route.

The guard is a pure-ASGI middleware rather than a FastAPI dependency on each router: a
route added later cannot forget it, and on the hot path it costs a string comparison
instead of a pass through FastAPI's dependency solver (~30 us per dependency, measured
in-process with cProfile; ``benchmarks/bench_quote_path.py`` shows what a request costs).
"""

from __future__ import annotations

import hmac

from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from fare_service.api.problems import problem

PROTECTED = ("/v1/", "/metrics")  # everything else is public: /healthz, /, /docs, /static


class ApiKeys:
    def __init__(self, keys: list[str]) -> None:
        self._keys = [key.encode() for key in keys]

    @property
    def enabled(self) -> bool:
        return bool(self._keys)

    def accepts(self, presented: str) -> bool:
        """Every key is compared, whatever matched, so timing tells nothing."""
        candidate = presented.encode()
        matched = False
        for key in self._keys:
            matched |= hmac.compare_digest(key, candidate)
        return matched

    def authorizes(self, authorization: str) -> bool:
        """``Authorization`` header value -> may this caller use the API?"""
        if not self.enabled:
            return True
        scheme, _, token = authorization.partition(" ")
        return scheme.lower() == "bearer" and bool(token.strip()) and self.accepts(token.strip())


class ApiGuard:
    """401 without a valid key; 415 for a POST body that is not JSON (before any parsing),
    on a route that takes a POST: elsewhere routing answers, 404 or 405 with ``Allow``.

    Keys are read from ``app.state.api_keys``, which the lifespan loads.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PROTECTED):
            headers = dict(scope["headers"])
            keys: ApiKeys = scope["app"].state.api_keys
            if not keys.authorizes(headers.get(b"authorization", b"").decode("latin-1")):
                detail = "a valid API key is required: Authorization: Bearer <key>"
                response = problem(401, "Unauthorized", detail, "http")
                response.headers["WWW-Authenticate"] = "Bearer"
                await response(scope, receive, send)
                return
            content_type = headers.get(b"content-type", b"")
            if scope["method"] == "POST" and not _is_json(content_type) and _routed(scope):
                detail = "send the body as application/json"
                await problem(415, "Unsupported Media Type", detail, "http")(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _is_json(content_type: bytes) -> bool:
    return content_type.split(b";")[0].strip().lower() == b"application/json"


def _routed(scope: Scope) -> bool:
    """Does a route take this method at this path? Asked only of a body that is not JSON,
    so a well-formed POST never pays for matching the routes twice."""
    return any(route.matches(scope)[0] is Match.FULL for route in scope["app"].router.routes)
