"""One request through an ASGI app in-process, no HTTP server: its status code.

Shared by the in-process benchmarks (``bench_quote_path.py``, ``compare_batch.py``); it
imports nothing from the service, so it runs against any commit's app.
"""

from __future__ import annotations

from typing import Any

KEY = "bench-key-0123456789"
"""The API key the benchmarks' apps are started with."""


async def call(app: Any, method: str, path: str, body: bytes = b"") -> int:
    headers = [
        (b"host", b"bench"),
        (b"content-type", b"application/json"),
        (b"authorization", f"Bearer {KEY}".encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "headers": headers,
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status
