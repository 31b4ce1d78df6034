"""Set-up a newcomer does not trip on: ``make run PORT=...``, the line saying where the
server listens, a taken port explained, and the system-deps script naming what is missing."""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.process_testing import stop

ROOT = Path(__file__).resolve().parents[1]
FARE_SERVICE = str(Path(sys.executable).with_name("fare-service"))
LISTENING = re.compile(r"listening on (http://\S+?)\"")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("FARE_SERVICE_")}


@pytest.mark.timeout(180)
@pytest.mark.parametrize("workers", [1, 2])
def test_serve_says_once_where_it_listens_when_it_answers(tmp_path, workers):
    port = free_port()
    log = tmp_path / "server.log"
    command = [FARE_SERVICE, "serve", "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, env=server_env(), stdout=out, stderr=out, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 120
        while not LISTENING.search(log.read_text()) and time.monotonic() < deadline:
            assert server.poll() is None, log.read_text()
            time.sleep(0.1)
        urls = LISTENING.findall(log.read_text())
        assert urls == [f"http://127.0.0.1:{port}"], log.read_text()
        # said only once it answers: the very next request is served
        assert httpx.get(urls[0] + "/healthz", timeout=5).status_code == 200
        time.sleep(1)  # every worker is up by now; still one line
        assert LISTENING.findall(log.read_text()) == urls
    finally:
        stop(server, group=True)


def test_a_taken_port_is_named_with_the_way_out(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [FARE_SERVICE, "serve", "--port", str(port)],
            env=server_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert "--port" in result.stderr and "make run PORT=" in result.stderr


def test_make_run_takes_the_port_and_host():
    dry = subprocess.run(
        ["make", "-n", "run", "PORT=8001", "HOST=0.0.0.0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert "fare-service serve --host 0.0.0.0 --port 8001" in dry.stdout
    default = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, timeout=30, check=True
    )
    assert "fare-service serve --host 127.0.0.1 --port 8000" in default.stdout


def fake_tools(tmp_path: Path, *, font: bool) -> Path:
    """``fc-list`` listing a Nanum font or not, and ``id`` saying we are not root."""
    tools = tmp_path / "bin"
    tools.mkdir()
    fonts = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf: NanumGothic" if font else ""
    for name, body in (("fc-list", f"echo '{fonts}'"), ("id", "echo 1000")):
        path = tools / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return tools


@pytest.mark.parametrize(
    ("chromium", "font", "named"),
    [
        (True, False, ["fonts-nanum"]),
        (False, True, ["chromium"]),
        (False, False, ["chromium", "fonts-nanum"]),
        (True, True, []),
    ],
)
def test_system_deps_script_names_exactly_what_is_missing(tmp_path, chromium, font, named):
    browser = tmp_path / "chromium"
    if chromium:
        browser.write_text("#!/bin/sh\n")
        browser.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{fake_tools(tmp_path, font=font)}:{os.environ['PATH']}",
        "CHROMIUM": str(browser),
    }
    result = subprocess.run(
        ["bash", str(ROOT / "scripts/install-system-deps.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if not named:
        assert (result.returncode, result.stderr) == (0, "")
        return
    assert result.returncode == 1
    assert ("Chromium" in result.stderr) == ("chromium" in named)
    assert ("Nanum" in result.stderr) == ("fonts-nanum" in named)
    assert f"apt-get install -y {' '.join(named)}'" in result.stderr
