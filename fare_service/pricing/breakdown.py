"""A priced route's breakdown: the lines a customer can be read, adding up to the fare."""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

from fare_service.money import RoundingMode
from fare_service.pricing.routes import LINE_FIELDS, PricedRoute
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


def breakdown(
    version: TariffVersion, priced: PricedRoute, *, area_after_exit: bool = False
) -> tuple[BreakdownLine, ...]:
    """The base line always, the others when not zero; they sum to the fare exactly.

    The time-of-day surcharge is a line per window the ride paid in, in the tariff's
    order. When the ride's steps crossed a window's boundary, each label names its
    window's hours, so an agent can say which part of the ride was charged at which rate
    ("심야 할증 40% (23:00~02:00 운행분)"). Likewise an out-of-area surcharge charged only
    after the route left the home area (``area_after_exit``) says so
    ("시계외 할증 20% (구역 밖 운행분)")."""
    named = _named_lines(version)
    labels = named.crossed if priced.window_crossings else named.boarded
    amounts = _amounts(priced)
    rows = zip(named.codes, labels, amounts, strict=True)
    base = BreakdownLine(*next(rows))
    lines = (base, *(BreakdownLine(code, label, amount) for code, label, amount in rows if amount))
    if area_after_exit:
        lines = tuple(_after_exit(line) if line.code == "out_of_area" else line for line in lines)
    if sum(amounts) != priced.fare:
        raise AssertionError(f"breakdown {lines} does not add up to {priced.fare}")
    return lines


def _after_exit(line: BreakdownLine) -> BreakdownLine:
    return BreakdownLine(line.code, f"{line.label} (구역 밖 운행분)", line.amount)


_WINDOWS_AT = LINE_FIELDS.index("time_surcharge")  # one line per window in its place
_BEFORE_WINDOWS = attrgetter(*LINE_FIELDS[:_WINDOWS_AT])
_AFTER_WINDOWS = attrgetter(*LINE_FIELDS[_WINDOWS_AT + 1 :])


def _amounts(priced: PricedRoute) -> tuple[int, ...]:
    """Every line's amount in :data:`LINE_FIELDS` order, the time-of-day windows' lines
    in place of ``time_surcharge``."""
    return (*_BEFORE_WINDOWS(priced), *priced.window_surcharges, *_AFTER_WINDOWS(priced))


@dataclass(frozen=True)
class _NamedLines:
    """A version's line codes, and their labels for a ride that crossed no window
    boundary (``boarded``) or did (``crossed``), in :func:`_amounts`' order.

    The same for every ride a version prices, so made once per version: labelling each
    line of each quote (a rounding rule's words, a window's hours) cost ~7 us a quote."""

    codes: tuple[str, ...]
    boarded: tuple[str, ...]
    crossed: tuple[str, ...]

    @classmethod
    def of(cls, version: TariffVersion) -> _NamedLines:
        codes, boarded, crossed = [], [], []
        for name in LINE_FIELDS:
            if name == "time_surcharge":
                for window in version.time_surcharges:
                    codes.append(window.code)
                    boarded.append(window.label)
                    crossed.append(_window_label(window))
            else:
                label = _label(version, name)
                codes.append(name)
                boarded.append(label)
                crossed.append(label)
        return cls(tuple(codes), tuple(boarded), tuple(crossed))


_NAMED: dict[int, tuple[TariffVersion, _NamedLines]] = {}
_NAMED_MOST = 256  # versions; a server loads a handful, property tests make many


def _named_lines(version: TariffVersion) -> _NamedLines:
    """:class:`_NamedLines` of ``version``, kept by identity (a version is never changed
    once loaded, and is not hashable: its windows are a list)."""
    held = _NAMED.get(id(version))
    if held is None or held[0] is not version:
        if len(_NAMED) >= _NAMED_MOST:
            _NAMED.clear()
        held = _NAMED[id(version)] = (version, _NamedLines.of(version))
    return held[1]


def _window_label(window: TimeWindow) -> str:
    return f"{window.label} ({window.start:%H:%M}~{window.end:%H:%M} 운행분)"


def _label(version: TariffVersion, name: str) -> str:
    """The line's label; a line the version never charges (no holiday rule) is never
    shown, its amount being 0, and keeps its code."""
    if name == "holiday" and version.holiday:
        return version.holiday.label
    if name == "out_of_area" and version.out_of_area:
        return version.out_of_area.label
    if name == "rounding":
        rule = version.rounding.fare
        return f"{rule.unit:,}원 단위 {_ROUNDING_WORDS[rule.mode]}"
    return _LABELS.get(name, name)
