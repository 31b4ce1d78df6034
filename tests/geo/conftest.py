"""Fixtures of the geo tests: the place index (loaded once) and an OSRM server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from geo_testing import FakeOsrm, serve_fake_osrm

from fare_service.geo.places import PlaceIndex


@pytest.fixture(scope="session")
def places() -> PlaceIndex:
    return PlaceIndex.load()


@pytest.fixture
def osrm_server() -> Iterator[FakeOsrm]:
    fake, server, thread = serve_fake_osrm()
    yield fake
    server.shutdown()
    server.server_close()
    thread.join()
