"""``fare-service serve``: uvicorn on the embedded defaults, safe by default."""

from __future__ import annotations

import ipaddress
import logging
import os
import sys
import tempfile

from fare_service.api.logs import configure_logging
from fare_service.config import Settings

log = logging.getLogger("fare_service.api")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(settings: Settings, *, host: str, port: int, workers: int) -> int:
    import uvicorn

    configure_logging()
    if not settings.all_api_keys() and not is_loopback(host):
        print(
            f"refusing to listen on {host} without API keys: set FARE_SERVICE_API_KEYS "
            "(or FARE_SERVICE_API_KEYS_FILE), or listen on 127.0.0.1",
            file=sys.stderr,
        )
        return 2
    if workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        # Each worker writes its metrics here, so /metrics adds them all up.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="fare-metrics-")
    uvicorn.run(
        "fare_service.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # our middleware writes one JSON line per request instead
        log_level="warning",
        server_header=False,
    )
    return 0
