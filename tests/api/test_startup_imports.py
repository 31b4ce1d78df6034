"""Heavy libraries are imported at start-up or never, not by a request on the event loop.

An import on the API path runs on the worker's event loop: every request on that worker
waits for it (pandas and pyarrow: ~240 ms on an idle core, over a second on a busy one).
The check runs in a fresh interpreter, because this test process has long imported them.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "dask", "matplotlib")

# Starts the app with its lifespan, then answers one request per endpoint, in order, and
# prints the heavy modules each request imported.
PROBE = """
import json, sys
from fastapi.testclient import TestClient
from fare_service.api.app import create_app
from fare_service.api.schemas import ADJUSTMENT_EXAMPLE
from fare_service.config import Settings

HEAVY = {heavy!r}
STOPS = {{"origin": {{"lat": 37.5663, "lon": 126.9779}},
         "destination": {{"lat": 37.4979, "lon": 127.0276}}}}
REQUESTS = {{
    "quotes": ("/v1/quotes", STOPS),
    "adjustments": ("/v1/adjustments", ADJUSTMENT_EXAMPLE),
    "batch": ("/v1/quotes/batch", {{"items": [STOPS, STOPS]}}),
}}

def heavy_loaded():
    return {{name for name in sys.modules if name.split(".")[0] in HEAVY}}

found = {{}}
with TestClient(create_app(Settings())) as client:
    for endpoint, (path, body) in REQUESTS.items():
        before = heavy_loaded()
        status = client.post(path, json=body).status_code
        found[endpoint] = {{"status": status, "imported": sorted(heavy_loaded() - before)}}
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def imported_by_request() -> dict[str, dict]:
    run = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(run.stdout.splitlines()[-1])


@pytest.mark.parametrize(
    "endpoint",
    [
        "quotes",
        "adjustments",
        "batch",
    ],
)
def test_a_request_imports_no_heavy_library(imported_by_request, endpoint):
    answer = imported_by_request[endpoint]
    assert answer["status"] == 200
    assert answer["imported"] == []
