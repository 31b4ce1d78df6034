"""A priced route's breakdown: the lines a customer can be read, adding up to the fare."""

from __future__ import annotations

from dataclasses import dataclass

from fare_service.money import RoundingMode
from fare_service.pricing.engine import LINE_FIELDS, PricedRoute
from fare_service.tariff import TariffVersion

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


@dataclass(frozen=True)
class BreakdownLine:
    code: str
    label: str
    amount: int


def breakdown(version: TariffVersion, priced: PricedRoute) -> tuple[BreakdownLine, ...]:
    """The base line always, the others when not zero; they sum to the fare exactly."""
    lines = tuple(
        BreakdownLine(_code(version, name, priced), _label(version, name, priced), amount)
        for name in LINE_FIELDS
        if (amount := priced.line(name)) != 0 or name == "base"
    )
    if sum(line.amount for line in lines) != priced.fare:
        raise AssertionError(f"breakdown {lines} does not add up to {priced.fare}")
    return lines


def _code(version: TariffVersion, name: str, priced: PricedRoute) -> str:
    if name == "time_surcharge":
        return version.time_surcharges[priced.window].code
    return name


def _label(version: TariffVersion, name: str, priced: PricedRoute) -> str:
    if name == "time_surcharge":
        return version.time_surcharges[priced.window].label
    if name == "holiday" and version.holiday:
        return version.holiday.label
    if name == "out_of_area" and version.out_of_area:
        return version.out_of_area.label
    if name == "rounding":
        rule = version.rounding.fare
        return f"{rule.unit:,}원 단위 {_ROUNDING_WORDS[rule.mode]}"
    return _LABELS[name]
