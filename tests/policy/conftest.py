"""The shipped template set, loaded once for all policy tests."""

from __future__ import annotations

import pytest

from fare_service.policy import TemplateSet


@pytest.fixture(scope="session")
def templates() -> TemplateSet:
    return TemplateSet.load(None)
