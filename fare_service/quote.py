"""A quote: one priced route as the outside world sees it (fare, breakdown, tariff, route)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from fare_service.money import RoundingMode
from fare_service.pricing import LINE_FIELDS, Route, price_route
from fare_service.tariff import Tariff, TariffVersion

_LABELS = {
    "base": "기본요금",
    "distance": "거리요금",
    "time": "시간요금",
    "waypoint": "경유지 요금",
    "waiting": "대기 요금",
    "minimum": "최저요금 보정",
}
_ROUNDING_WORDS = {
    RoundingMode.UP: "올림",
    RoundingMode.DOWN: "버림",
    RoundingMode.HALF_UP: "반올림",
}


class BreakdownLine(BaseModel):
    code: str
    label: str
    amount: int


class TariffRef(BaseModel):
    id: str
    version: str
    name: str
    example_values: bool = False


class Leg(BaseModel):
    distance_m: int
    duration_s: int


class RouteInfo(BaseModel):
    source: str = Field(description="caller | embedded | osrm | osrm-fallback-embedded | trace")
    # a [] default is deep-copied for every instance; the schema still says []
    legs: list[Leg] = Field(default_factory=list, json_schema_extra={"default": []})
    dropped_points: int | None = None


class FareRange(BaseModel):
    low: int
    high: int


CURRENCY = "KRW"


class Quote(BaseModel):
    fare: int
    currency: str = CURRENCY
    distance_m: int
    duration_s: int
    breakdown: list[BreakdownLine]
    tariff: TariffRef
    at: datetime
    route: RouteInfo | None = None
    range: FareRange | None = None
    warnings: list[str] = Field(default_factory=list, json_schema_extra={"default": []})


def breakdown(version: TariffVersion, row: dict[str, int]) -> list[dict[str, Any]]:
    """A priced route's lines (``PricedRoutes.row``) as :class:`BreakdownLine` fields:
    base always, others only when not zero; they sum to the fare."""
    lines: list[dict[str, Any]] = [
        {
            "code": _code(version, name, row),
            "label": _label(version, name, row),
            "amount": row[name],
        }
        for name in LINE_FIELDS
        if name == "base" or row[name] != 0
    ]
    assert sum(line["amount"] for line in lines) == row["fare"], "breakdown must add up"
    return lines


def _code(version: TariffVersion, name: str, row: dict[str, int]) -> str:
    if name == "time_surcharge":
        return version.time_surcharges[row["window"]].code
    return name


def _label(version: TariffVersion, name: str, row: dict[str, int]) -> str:
    if name == "time_surcharge":
        return version.time_surcharges[row["window"]].label
    if name == "holiday" and version.holiday:
        return version.holiday.label
    if name == "out_of_area" and version.out_of_area:
        return version.out_of_area.label
    if name == "rounding":
        rule = version.rounding.fare
        return f"{rule.unit:,}원 단위 {_ROUNDING_WORDS[rule.mode]}"
    return _LABELS[name]


QuoteData = dict[str, Any]
"""A :class:`Quote`'s fields as plain data, in the model's order (see :func:`quote_data`)."""


def quote_data(
    tariff: Tariff,
    version: TariffVersion,
    row: dict[str, int],
    at: datetime,
    *,
    route: dict[str, Any] | None = None,
    band: dict[str, int] | None = None,
    warnings: Sequence[str] = (),
) -> QuoteData:
    """A priced route (:func:`price_route`, or :meth:`PricedRoutes.row`) as a quote, with
    its :class:`RouteInfo` and :class:`FareRange` fields (``band``) when known.

    Plain data, every field in :class:`Quote`'s order (defaults too): the API writes it as
    its JSON directly, and ``Quote.model_validate`` makes the model of it. Validating
    and serializing the model cost ~14 us a quote; a test holds the two JSONs equal.
    """
    return {
        "fare": row["fare"],
        "currency": CURRENCY,
        "distance_m": row["distance_m"],
        "duration_s": row["duration_s"],
        "breakdown": breakdown(version, row),
        "tariff": {
            "id": tariff.id,
            "version": version.version,
            "name": tariff.name,
            "example_values": tariff.example_values,
        },
        "at": at,
        "route": route,
        "range": band,
        "warnings": list(warnings),
    }


def fare_range(fare: int, low: int, high: int) -> dict[str, int]:
    """:class:`FareRange` fields from the fares of the low and high routes, widened to
    hold ``fare`` (their order is not assumed)."""
    low, high = sorted((low, high))
    return {"low": min(low, fare), "high": max(high, fare)}


def quote_legs(
    tariff: Tariff,
    version: TariffVersion,
    legs: Sequence[tuple[float, float]],
    at: datetime,
    *,
    waypoints: int = 0,
    waiting_s: float = 0.0,
    outside_area: bool = False,
) -> Quote:
    """Price one route (the engine's one-route path) as a quote."""
    route = Route(legs, at, waypoints=waypoints, waiting_s=waiting_s, outside_area=outside_area)
    return Quote.model_validate(quote_data(tariff, version, price_route(version, route), at))
