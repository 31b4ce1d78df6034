"""A priced route's breakdown: the lines a customer can be read, adding up to the fare."""

from __future__ import annotations

from dataclasses import dataclass

from fare_service.money import RoundingMode
from fare_service.pricing.engine import LINE_FIELDS, PricedRoute
from fare_service.tariff import TariffVersion, TimeWindow

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
    lines = tuple(line for name in LINE_FIELDS for line in _lines(version, name, priced))
    if sum(line.amount for line in lines) != priced.fare:
        raise AssertionError(f"breakdown {lines} does not add up to {priced.fare}")
    return lines


def _lines(version: TariffVersion, name: str, priced: PricedRoute) -> tuple[BreakdownLine, ...]:
    if name == "time_surcharge":
        return _window_lines(version, priced)
    amount = priced.line(name)
    if amount == 0 and name != "base":
        return ()
    return (BreakdownLine(name, _label(version, name), amount),)


def _window_lines(version: TariffVersion, priced: PricedRoute) -> tuple[BreakdownLine, ...]:
    """A line per window the ride paid in, in the tariff's order. When the ride's steps
    crossed a window's boundary, each label names its window's hours, so an agent can say
    which part of the ride was charged at which rate ("심야 할증 40% (23:00~02:00 운행분)")."""
    crossed = priced.window_crossings > 0
    return tuple(
        BreakdownLine(window.code, _window_label(window) if crossed else window.label, amount)
        for window, amount in zip(version.time_surcharges, priced.window_surcharges, strict=True)
        if amount != 0
    )


def _window_label(window: TimeWindow) -> str:
    return f"{window.label} ({window.start:%H:%M}~{window.end:%H:%M} 운행분)"


def _label(version: TariffVersion, name: str) -> str:
    if name == "holiday" and version.holiday:
        return version.holiday.label
    if name == "out_of_area" and version.out_of_area:
        return version.out_of_area.label
    if name == "rounding":
        rule = version.rounding.fare
        return f"{rule.unit:,}원 단위 {_ROUNDING_WORDS[rule.mode]}"
    return _LABELS[name]
