"""A priced route as a quote, for tests that start from legs (no stops, no router)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from fare_service.pricing.engine import price_route
from fare_service.pricing.routes import Route
from fare_service.service.results import QuoteResult
from fare_service.tariff import Tariff, TariffVersion


def quote_legs(
    tariff: Tariff,
    version: TariffVersion,
    legs: Sequence[tuple[float, float]],
    at: datetime,
    *,
    waypoints: int = 0,
    waiting_s: float = 0.0,
    outside_area: bool = False,
    leg_start_s: Sequence[float] | None = None,
) -> QuoteResult:
    route = Route(legs, at, waypoints, waiting_s, outside_area, leg_start_s)
    return QuoteResult.of(tariff, version, price_route(version, route), at)
