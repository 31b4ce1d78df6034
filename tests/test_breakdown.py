"""Breakdown labels come from the version that priced the route, however many versions
were labelled before it (the labels are made once per version and kept)."""

from __future__ import annotations

import gc
from datetime import datetime

from fare_service.pricing import breakdown as breakdown_module
from fare_service.pricing.breakdown import breakdown
from fare_service.pricing.engine import price_route
from fare_service.pricing.routes import Route
from fare_service.tariff import TariffVersion

NOON = datetime(2026, 11, 18, 12, 0)


def make_version(*, fare_unit: int, base: int = 4800) -> TariffVersion:
    return TariffVersion.model_validate(
        {
            "version": f"unit-{fare_unit}",
            "in_force_from": "2024-01-01T00:00:00+09:00",
            "base": {"amount": base},
            "distance": {"bands": [{"amount": 100, "per_m": 131}]},
            "rounding": {"fare": {"unit": fare_unit, "mode": "up"}},
        }
    )


def rounding_label(version: TariffVersion, distance_m: float) -> str:
    lines = breakdown(version, price_route(version, Route([(distance_m, 60.0)], NOON)))
    return {line.code: line.label for line in lines}["rounding"]


def test_each_version_labels_its_own_rounding_after_many_others() -> None:
    # 4,800 + 7 steps of 100 = 5,500: rounded up to 1,000 won is 6,000, a 500-won line;
    # to 300 won (a unit no shipped tariff uses) 5,700, a 200-won line
    metres = 7 * 131
    thousand = make_version(fare_unit=1000)
    assert rounding_label(thousand, metres) == "1,000원 단위 올림"
    others = [make_version(fare_unit=unit) for unit in range(300, 300 + 3 * 300, 3)]
    assert len(others) > breakdown_module._NAMED_MOST  # the kept labels are dropped once
    for version in others:
        unit = version.rounding.fare.unit
        if 5500 % unit:
            assert rounding_label(version, metres) == f"{unit:,}원 단위 올림"
    assert rounding_label(thousand, metres) == "1,000원 단위 올림"


def test_a_new_version_in_a_freed_versions_place_gets_its_own_labels() -> None:
    """Versions are kept by identity; a version made where a dropped one lived (the same
    ``id``) must not be read with the dropped one's labels."""
    metres = 7 * 131
    for unit in (300, 700, 900, 1000, 300, 700):
        assert rounding_label(make_version(fare_unit=unit), metres) == f"{unit:,}원 단위 올림"
        gc.collect()
