"""The real server (``fare-service serve``) closes connections that clients hold open.

A client that sends nothing, half a request line or headers without their blank line,
and an idle keep-alive connection, are each cut off within the configured timeout (1 s
here) plus a margin for a busy machine; a head larger than the limit gets a 431 at once.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from fare_service.api.serve import HeadTimeoutProtocol
from tests.process_testing import stop

TIMEOUT_S = 1
MARGIN_S = 3  # a busy machine may run the timer late; under uvicorn's 5 s default


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    """Two workers, as deployed: the protocol reaches them through uvicorn's pickling."""
    port = free_port()
    env = {
        **os.environ,
        "FARE_SERVICE_ROUTER": "embedded",
        "FARE_SERVICE_API_KEYS": "",
        "FARE_SERVICE_REQUEST_HEAD_TIMEOUT_S": str(TIMEOUT_S),
        "FARE_SERVICE_KEEP_ALIVE_TIMEOUT_S": str(TIMEOUT_S),
    }
    command = [str(Path(sys.executable).with_name("fare-service")), "serve"]
    server = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_healthy(server, port)
        yield port
    finally:
        stop(server, group=True)


def wait_until_healthy(server: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"fare-service did not answer on port {port}")


def until_closed(sock: socket.socket) -> tuple[bytes, float]:
    """Everything the server sends until it closes, and the seconds that took."""
    started, received = time.monotonic(), b""
    sock.settimeout(TIMEOUT_S + MARGIN_S)
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    except TimeoutError:
        pytest.fail(f"still open after {TIMEOUT_S + MARGIN_S} s")
    return received, time.monotonic() - started


@pytest.mark.parametrize(
    "sent",
    [b"", b"GET /heal", b"GET /healthz HTTP/1.1\r\nHost: x\r\n"],
    ids=["nothing", "half a request line", "no blank line after the headers"],
)
def test_an_unfinished_request_head_is_cut_off(port, sent):
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(sent)
        received, seconds = until_closed(sock)
    assert received == b""
    assert seconds > TIMEOUT_S / 2  # closed by the timeout, not refused at once


def test_an_idle_keep_alive_connection_is_closed(port):
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        received, seconds = until_closed(sock)
    assert received.startswith(b"HTTP/1.1 200 ")
    assert b"connection: close" not in received.lower()  # kept alive, then timed out
    assert seconds > TIMEOUT_S / 2


def test_a_head_arriving_in_pieces_within_the_timeout_is_answered(port):
    with socket.create_connection(("127.0.0.1", port)) as sock:
        for piece in (b"GET /healthz HTTP/1.1\r\n", b"Host: x\r\n", b"\r\n"):
            sock.sendall(piece)
            time.sleep(TIMEOUT_S / 10)
        received, _ = until_closed(sock)
    assert received.startswith(b"HTTP/1.1 200 ")


def test_a_head_over_the_size_limit_is_refused_at_once(port):
    padding = b"a" * (HeadTimeoutProtocol.MAX_HEAD_BYTES + 1)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + padding)
        received, _ = until_closed(sock)
    assert received.startswith(b"HTTP/1.1 431 ")
