"""One pure-ASGI middleware for every request: id, body limit, JSON log line, metrics.

Pure ASGI rather than ``BaseHTTPMiddleware``, which costs a task and a copy per request
on the hot path. The log line holds no body, query text or header: never a customer's
name, phone number or free text.

A client that leaves before its response is complete is recorded here, and only here, as
499 (nginx's "client closed request"): the server did nothing wrong, so it is neither a
500 nor an error log. The server tells the app with an ``http.disconnect`` message, which
Starlette's body reader turns into ``ClientDisconnect`` (and FastAPI's own body parameter
into a 400 that nobody receives); both are seen in the wrapped ``receive`` below.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fare_service.api import metrics
from fare_service.api.problems import PROBLEM_JSON

log = logging.getLogger("fare_service.access")
CLIENT_CLOSED = 499  # nginx's status for a client that left before its response
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
        started = time.perf_counter()
        wire = _Exchange(_request_id(scope), receive, send, self.max_body_bytes)
        scope.setdefault("state", {})["request_id"] = wire.request_id
        try:
            if _declared_length(scope) > self.max_body_bytes:
                wire.status = 413
                await _too_large(wire.send, self.max_body_bytes)
            else:
                await self.app(scope, wire.receive, wire.send)
        except BodyTooLarge:
            wire.status = 413
            await _too_large(wire.send, self.max_body_bytes)
        except ClientDisconnect:
            wire.disconnected = True  # nobody is left to answer, and nothing went wrong
        finally:
            seconds = time.perf_counter() - started
            _record(scope, wire.outcome(), seconds, wire.request_id)


class _Exchange:
    """One request's messages: the status sent, the body bytes read, whether the client
    left before the response was complete. Slots, so it costs one small object."""

    __slots__ = (
        "_receive",
        "_send",
        "complete",
        "disconnected",
        "limit",
        "request_id",
        "seen",
        "status",
    )

    def __init__(self, request_id: str, receive: Receive, send: Send, limit: int) -> None:
        self.request_id, self._receive, self._send, self.limit = request_id, receive, send, limit
        self.status = 500  # stays so when an exception escapes before any response
        self.seen = 0
        self.complete = self.disconnected = False

    async def receive(self) -> Message:
        """Count a streamed (chunked) body and stop it at the limit; note a disconnect."""
        message = await self._receive()
        if message["type"] == "http.disconnect":
            # uvicorn also answers "disconnect" once the response is complete: not a 499
            self.disconnected |= not self.complete
            return message
        self.seen += len(message.get("body", b""))
        if self.seen > self.limit:
            raise BodyTooLarge(self.limit)
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            message["headers"] = [
                *message.get("headers", []),
                (b"x-request-id", self.request_id.encode()),
            ]
        elif not message.get("more_body"):
            self.complete = True
        await self._send(message)

    def outcome(self) -> int:
        return CLIENT_CLOSED if self.disconnected else self.status


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
