"""The ASGI app under test, with its start-up state loaded once per settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from fare_service.api.app import create_app
from fare_service.config import Settings

API_KEY = "test-key-0123456789"


def make_client(**settings: object) -> TestClient:
    return TestClient(create_app(Settings(**settings)), raise_server_exceptions=False)


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    with make_client() as test_client:
        yield test_client


@pytest.fixture(scope="session")
def keyed_client() -> Iterator[TestClient]:
    with make_client(api_keys=[API_KEY, "another-key"]) as test_client:
        yield test_client
