"""One pure-ASGI middleware for every request: id, body limit, JSON log line, metrics.

Pure ASGI rather than ``BaseHTTPMiddleware``, which costs a task and a copy per request
on the hot path. The log line holds no body, query text or header: never a customer's
name, phone number or free text.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fare_service.api import metrics
from fare_service.api.problems import PROBLEM_JSON

log = logging.getLogger("fare_service.access")
_REQUEST_ID_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


class BodyTooLarge(HTTPException):
    """An HTTPException so FastAPI's body reader passes it on instead of making it a 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the body is larger than {limit:,} bytes")


class ObserveMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            if _declared_length(scope) > self.max_body_bytes:
                status = 413
                await _too_large(send_with_id, self.max_body_bytes)
            else:
                await self.app(scope, self._limited(receive), send_with_id)
        except BodyTooLarge:
            status = 413
            await _too_large(send_with_id, self.max_body_bytes)
        finally:
            _record(scope, status, time.perf_counter() - started, request_id)

    def _limited(self, receive: Receive) -> Receive:
        """Count a streamed (chunked) body and stop it at the limit."""
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body_bytes:
                raise BodyTooLarge(self.max_body_bytes)
            return message

        return limited


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text = value.decode("latin-1")[:64]
            if text and set(text) <= _REQUEST_ID_OK:
                return text
    return uuid.uuid4().hex


def _declared_length(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "type": "https://fare-service.invalid/problems/body-too-large",
            "title": "Request body too large",
            "status": 413,
            "detail": f"the body is larger than {limit:,} bytes",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _record(scope: Scope, status: int, seconds: float, request_id: str) -> None:
    route = getattr(scope.get("route"), "path", None) or "unmatched"
    metrics.REQUESTS.labels(route, scope["method"], str(status)).inc()
    metrics.LATENCY.labels(route).observe(seconds)
    fields: dict[str, Any] = {
        "request_id": request_id,
        "method": scope["method"],
        "route": route,
        "status": status,
        "latency_ms": round(seconds * 1000, 2),
    }
    log.info("request", extra={"fields": fields})
