"""The README's curl examples run as written, against the real server: a newcomer copies
them, so each must answer 200 (only the port is changed, to a free one)."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.process_testing import stop
from tests.test_setup import FARE_SERVICE, free_port, server_env

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def curl_examples() -> list[str]:
    """Each indented block of the README that starts with ``curl``, lines joined."""
    blocks = re.findall(r"(?m)^    curl .*(?:\n {4,}\S.*)*", README)
    return [block.strip() for block in blocks]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("readme") / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [FARE_SERVICE, "serve", "--port", str(port)],
            env=server_env(),
            stdout=out,
            stderr=out,
        )
    url = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert server.poll() is None, log.read_text()
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield url
    finally:
        stop(server)


def test_the_readme_has_the_examples_a_newcomer_needs():
    examples = curl_examples()
    assert len(examples) >= 4
    assert any("--data-urlencode 'q=" in e for e in examples)
    assert any("/v1/route-map" in e for e in examples)


@pytest.mark.skipif(shutil.which("curl") is None, reason="no curl on this machine")
@pytest.mark.parametrize("example", curl_examples())
def test_each_curl_example_answers_200(example, base_url, tmp_path):
    command = example.replace("localhost:8000", base_url.removeprefix("http://"))
    result = subprocess.run(
        ["bash", "-c", command + " -w '\\n%{http_code} %{content_type}'"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    status, content_type = result.stdout.rsplit("\n", 1)[-1].split(" ", 1)
    assert status == "200", result.stdout[-1000:]
    assert content_type in ("application/json", "image/svg+xml")
