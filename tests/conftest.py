"""Shared test helpers: the shipped tariff book and small keyword-only factories."""

from __future__ import annotations

from pathlib import Path

import pytest

from fare_service.tariff_book import TariffBook, load_tariff_book

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def book() -> TariffBook:
    return load_tariff_book(ROOT / "tariffs", "daeri-standard")
