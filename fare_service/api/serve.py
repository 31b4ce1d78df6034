"""``fare-service serve``: uvicorn on the embedded defaults, safe by default."""

from __future__ import annotations

import asyncio
import errno
import functools
import ipaddress
import logging
import os
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from fare_service.api.logs import configure_logging
from fare_service.config import Settings

log = logging.getLogger("fare_service.api")
APP = "fare_service.api.app:create_app"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(settings: Settings, *, host: str, port: int, workers: int) -> int:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    configure_logging()
    if not settings.all_api_keys() and not is_loopback(host):
        print(
            f"refusing to listen on {host} without API keys: set FARE_SERVICE_API_KEYS "
            "(or FARE_SERVICE_API_KEYS_FILE), or listen on 127.0.0.1",
            file=sys.stderr,
        )
        return 2
    if (busy := port_in_use(host, port)) is not None:
        print(busy, file=sys.stderr)
        return 2
    if workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        # Each worker writes its metrics here, so /metrics adds them all up.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="fare-metrics-")
    options: dict[str, Any] = {
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "access_log": False,  # our middleware writes one JSON line per request instead
        "log_level": "warning",
        "server_header": False,
        # Idle keep-alive connections close after this; a request head must arrive within
        # the other (HeadTimeoutProtocol), so no held-open connection lasts forever.
        "timeout_keep_alive": settings.keep_alive_timeout_s,
        "http": functools.partial(
            HeadTimeoutProtocol, head_timeout_s=settings.request_head_timeout_s
        ),
    }
    if port:
        announce_when_listening(host, port)
    if workers > 1 and ReusePortListener.usable(port):
        listener = ReusePortListener(host, port).checked()
        config = uvicorn.Config(APP, **options)
        Multiprocess(config, sockets=[listener]).run()  # type: ignore[list-item]
    else:
        uvicorn.run(APP, **options)
    return 0


def port_in_use(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on, in words a newcomer can act on; None when
    it can. Checked before the app loads, so a taken port costs no start-up."""
    if not port:
        return None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return (
                    f"port {port} on {host} is in use: choose another with --port "
                    f"(make run PORT={port + 1})"
                )
            return f"cannot listen on {host}:{port}: {error.strerror}"
    return None


def announce_when_listening(host: str, port: int, *, timeout_s: float = 300) -> None:
    """Log ``listening on http://HOST:PORT`` once, when the port first accepts a
    connection, whatever the number of workers (uvicorn's own line is at info level,
    which ``serve`` keeps quiet, and it comes once per worker).

    A daemon thread tries to connect every 0.1 s; uvicorn binds only after the app has
    loaded, so the first connection accepted means requests are answered. It gives up
    silently after ``timeout_s`` (the server failed to start, and said why).
    """
    url_host = f"[{host}]" if ":" in host else host
    target = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)

    def wait() -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                socket.create_connection((target, port), timeout=1).close()
            except OSError:
                time.sleep(0.1)
                continue
            log.info("listening on http://%s:%d", url_host, port)
            return

    threading.Thread(target=wait, name="announce-listening", daemon=True).start()


class ReusePortListener:
    """A listening socket that each worker opens for itself, in one SO_REUSEPORT group.

    uvicorn's workers otherwise share the parent's one socket and race to accept, and
    long-lived (keep-alive) connections stay wherever they landed: measured at 400 req/s
    with 2 workers, one worker ran at 81% CPU and the other at 37%, and the busy one set
    the p99. With a socket per worker the kernel spreads connections by their address.

    uvicorn hands the workers its ``sockets`` list by pickling it; this object pickles as
    "bind host:port with SO_REUSEPORT", so every worker, restarted ones too, gets its own.

    That needs uvicorn's ``Multiprocess`` supervisor, which is not documented API: uvicorn
    0.54 has no reuse-port option (``Config`` and ``uvicorn --help``), and its public
    ``uvicorn.run(workers=2)`` shares one socket. Re-measured with 40 connections opened
    at once, five times each: the shared socket split them up to 35/5 (and 32/8, 31/9),
    this listener at worst 25/15. It also played no part in the load test's 1.7 s tail
    (the first batch importing pandas on the event loop, gone since the batch endpoint
    stopped using pandas). If an upgrade breaks it, ``tests/api/test_slow_clients.py``
    fails, since it starts two workers through this path.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    @staticmethod
    def usable(port: int) -> bool:
        """Linux balances a SO_REUSEPORT group; port 0 would give each worker its own port."""
        return sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT") and port != 0

    def checked(self) -> ReusePortListener:
        """Fail here, once, when the address cannot be bound (in use, not ours)."""
        reuse_port_socket(self.host, self.port).close()
        return self

    def __reduce__(self) -> tuple[Callable[[str, int], socket.socket], tuple[str, int]]:
        return reuse_port_socket, (self.host, self.port)


def reuse_port_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn decides
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


class HeadTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing a connection whose request head (request line
    and headers) is not in within ``head_timeout_s``, or grows past ``MAX_HEAD_BYTES``.

    uvicorn 0.54 has no such limit (read in ``uvicorn/protocols/http/httptools_impl.py``):
    its keep-alive timer runs only from a response to the next request's first byte, and
    nothing runs before the first request or while a head arrives, so a client that
    connected and sent nothing, or half a request line, held the connection forever; nor
    does httptools bound a head's size (``h11_max_incomplete_event_size`` is for h11). The
    app cannot help: uvicorn calls it once the head is complete. The hooks are the
    asyncio protocol's and httptools' parser callbacks, which uvicorn implements;
    ``tests/api/test_slow_clients.py`` checks them against the real server.
    """

    MAX_HEAD_BYTES = 32 * 1024  # nginx's default: 4 header buffers of 8 KB

    def __init__(self, *args: Any, head_timeout_s: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head_timeout_s = head_timeout_s
        self.head_deadline: asyncio.TimerHandle | None = None
        self.head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def data_received(self, data: bytes) -> None:
        if self.head_deadline is not None:
            self.head_bytes += len(data)
        super().data_received(data)
        if self.head_deadline is not None and self.head_bytes > self.MAX_HEAD_BYTES:
            self._cancel_head_deadline()
            self.transport.write(HEAD_TOO_LARGE)
            self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._await_head()

    def on_headers_complete(self) -> None:
        self._cancel_head_deadline()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_deadline()
        super().connection_lost(exc)

    def _await_head(self) -> None:
        """From the connection or a request's first byte, whichever is first."""
        if self.head_deadline is None:
            self.head_bytes = 0
            self.head_deadline = asyncio.get_running_loop().call_later(
                self.head_timeout_s, self.transport.close
            )

    def _cancel_head_deadline(self) -> None:
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None


HEAD_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-length: 0\r\nconnection: close\r\n\r\n"
)
