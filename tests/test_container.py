"""The Dockerfile: linted with hadolint, and its entry command run outside a container.

No Docker engine runs here, so the image's ``CMD`` and ``HEALTHCHECK`` are read from the
Dockerfile and run as they are, with two substitutions a test must make: the loopback
address instead of 0.0.0.0 (tests never listen beyond 127.0.0.1) and a free port.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")  # join continued lines


def instruction(name: str) -> list[str]:
    """The exec-form JSON array of the last ``NAME [...]`` line."""
    match = re.findall(rf"^\s*(?:{name}[^\[]*?)(\[.*\])\s*$", DOCKERFILE, re.MULTILINE)
    assert match, f"no {name} in exec form"
    return json.loads(match[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_hadolint_passes():
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    result = subprocess.run(
        [hadolint, str(ROOT / "Dockerfile")], check=False, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_runs_as_non_root_with_tariffs_baked_in():
    assert re.search(r"^USER 10001", DOCKERFILE, re.MULTILINE)
    assert "COPY --chown=fare:fare tariffs /srv/fare-service/tariffs" in DOCKERFILE
    assert "FARE_SERVICE_TARIFF_DIR=/srv/fare-service/tariffs" in DOCKERFILE
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "tests"} <= set(ignored)


def test_entry_command_refuses_a_public_address_without_keys():
    command = instruction("CMD")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FARE_SERVICE_")}
    env.update(FARE_SERVICE_WORKERS="1", PATH=f"{Path(sys.executable).parent}:{env['PATH']}")
    result = subprocess.run(
        command, check=False, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "refusing to listen on 0.0.0.0 without API keys" in result.stderr


@pytest.mark.parametrize("workers", [1, 2])
def test_entry_command_serves_and_passes_the_healthcheck(tmp_path, workers):
    """With 2 workers each listens on a socket of its own (SO_REUSEPORT, Linux), so the
    kernel spreads connections between them instead of one worker taking most."""
    port = free_port()
    command = [
        part.replace("0.0.0.0", "127.0.0.1").replace("8000", str(port))
        for part in instruction("CMD")
    ]
    env = {
        **os.environ,
        "FARE_SERVICE_WORKERS": str(workers),
        "FARE_SERVICE_API_KEYS": "k",
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    log = tmp_path / "server.log"
    with log.open("w") as stderr:
        server = subprocess.Popen(command, env=env, stderr=stderr)
        try:
            wait_healthy(port, server, log)
            if workers > 1 and sys.platform == "linux":
                # /healthz answers once the first worker is up; wait for the others
                deadline = time.monotonic() + 30
                while len(listening := listeners(server.pid, port)) < workers:
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.2)
                # no socket shared from the supervisor: one socket per worker
                assert server.pid not in listening and len(listening) == workers
        finally:
            server.terminate()
            server.wait(timeout=10)


def listeners(pid: int, port: int) -> list[int]:
    """The processes of the server's tree that hold a listening socket on ``port``."""
    import psutil

    tree = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    return [
        p.pid
        for p in tree
        if any(c.status == "LISTEN" and c.laddr.port == port for c in p.net_connections("tcp"))
    ]


def wait_healthy(port: int, server: subprocess.Popen, log: Path) -> None:
    check = [part.replace("8000", str(port)) for part in instruction("HEALTHCHECK.*CMD")]
    check[0] = sys.executable if check[0] == "python" else check[0]
    deadline = time.monotonic() + 30
    while subprocess.run(check, check=False, capture_output=True).returncode != 0:
        assert server.poll() is None, log.read_text()
        if time.monotonic() > deadline:
            pytest.fail("the service did not pass its health check within 30 s")
        time.sleep(0.3)
