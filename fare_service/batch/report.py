"""The ``--report`` file: one self-contained HTML page for the analysts, in Korean by
default (``--report-lang en``). The histogram is inline SVG drawn here, so the page needs
no network, no image files and no fonts beyond the reader's own (Korean labels included).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from jinja2 import Environment, FileSystemLoader, select_autoescape

from fare_service import clock
from fare_service.batch.summary import Summary
from fare_service.money import format_won

TEMPLATE = "report.html.j2"
LANGUAGES = ("ko", "en")
BINS = 40
PLOT_W, PLOT_H, LEFT, BOTTOM, TOP = 720, 220, 56, 40, 10
RIGHT = 32  # room for half the last tick's label ("-10,000원"), centred on the axis's end

LABELS = {
    "ko": {
        "title": "요금 재계산 보고서",
        "rows": "전체 행",
        "ok": "계산 완료",
        "errors": "오류 행",
        "charged_rows": "결제 금액이 있는 행",
        "total": "초과 청구 합계 (결제 - 재계산)",
        "median": "초과 청구 중앙값",
        "by_reason": "오류 사유별",
        "reason": "사유",
        "count": "행 수",
        "first_rows": "처음 나온 행 (call_id, 줄 번호)",
        "histogram": "초과 청구 분포 (결제 금액 - 재계산 요금)",
        "rides": "건수",
        "largest": "초과 청구가 큰 순 {n}건",
        "smallest": "과소 청구가 큰 순 {n}건",
        "line": "줄",
        "charged": "결제 금액",
        "fare": "재계산 요금",
        "difference": "차액",
        "none": "없음",
        "unread": "(읽을 수 없는 행)",
    },
    "en": {
        "title": "Fare recomputation report",
        "rows": "Rows",
        "ok": "Priced (ok)",
        "errors": "Error rows",
        "charged_rows": "Rows with a charge",
        "total": "Total overcharge (charged - recomputed)",
        "median": "Median overcharge",
        "by_reason": "Errors by reason",
        "reason": "Reason",
        "count": "Rows",
        "first_rows": "First rows (call_id, line)",
        "histogram": "Overcharges (charged - recomputed fare)",
        "rides": "rides",
        "largest": "The {n} largest overcharges",
        "smallest": "The {n} largest undercharges",
        "line": "line",
        "charged": "Charged",
        "fare": "Recomputed fare",
        "difference": "Difference",
        "none": "none",
        "unread": "(unreadable record)",
    },
}


# The reasons of the ``error`` column, as the Korean report names them (the column keeps
# the English text; the report shows both, so a reason can be found in the output).
KOREAN_REASONS = {
    "wrong number of fields": "열 개수가 머리글과 다름",
    "unbalanced quote": "닫히지 않은 따옴표",
    "not UTF-8": "UTF-8이 아닌 글자",
    "missing call_id": "call_id 없음",
    "missing time": "시각(at) 없음",
    "unparsable time": "시각(at)을 읽을 수 없음",
    f"time {clock.OUT_OF_RANGE}": (
        f"시각(at)이 {clock.EARLIEST:%Y-%m-%d}~{clock.LATEST:%Y-%m-%d} (서울 시각) 밖"
    ),
    "unknown tariff": "알 수 없는 요금표",
    "no tariff version in force": "그 시각에 시행 중인 요금표 없음",
    "missing coordinates": "좌표 없음",
    "invalid coordinates": "좌표 오류",
    "coordinates outside South Korea": "국외 좌표",
    "bad waypoints (want lat,lon;lat,lon)": "경유지 형식 오류 (lat,lon;lat,lon)",
    "invalid charged_fare": "결제 금액 형식 오류",
    "charged_fare above 10,000,000": "결제 금액이 10,000,000원 초과",
    "incomplete recorded route": "기록 경로 불완전 (distance_m, duration_s 둘 다 필요)",
    "leg must be finite, not negative and at most 10,000,000": "거리·시간이 범위를 벗어남",
    "a route's legs must add up to at most 10,000,000": "경로 합계가 범위를 벗어남",
}


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Histogram:
    bars: list[Bar]
    ticks: list[Tick]
    zero_x: float | None
    top_count: int
    width: int = PLOT_W
    height: int = PLOT_H
    left: int = LEFT
    bottom: int = BOTTOM
    top: int = TOP


def render_report(summary: Summary, *, source: Path, output: Path, lang: str = "ko") -> str:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent), autoescape=select_autoescape(["j2"])
    )
    return env.get_template(TEMPLATE).render(
        s=summary,
        t=LABELS[lang],
        lang=lang,
        reason_names=KOREAN_REASONS if lang == "ko" else {},
        source=source.name,
        output=output.name,
        histogram=histogram(summary),
        won=lambda amount: format_won(round(amount)),
        count=lambda n: f"{n:,}",
    )


def histogram(summary: Summary) -> Histogram | None:
    """Bars of rides per band of overcharge (won), weighted by the counts; None without charges."""
    if not summary.overcharge_counts:
        return None
    amounts = np.array(list(summary.overcharge_counts), dtype=np.int64)
    counts = np.array(list(summary.overcharge_counts.values()), dtype=np.int64)
    low, high = int(amounts.min()), int(amounts.max())
    if low == high:
        low, high = low - 500, high + 500
    heights, edges = np.histogram(amounts, bins=BINS, range=(low, high), weights=counts)
    scale_x = (PLOT_W - LEFT - RIGHT) / (high - low)
    top = max(int(heights.max()), 1)
    scale_y = (PLOT_H - BOTTOM - TOP) / top
    bars = [
        Bar(
            LEFT + (edges[i] - low) * scale_x,
            PLOT_H - BOTTOM - heights[i] * scale_y,
            max((edges[i + 1] - edges[i]) * scale_x - 1, 1),
            heights[i] * scale_y,
            f"{_band(edges[i], edges[i + 1])}: {int(heights[i]):,}",
        )
        for i in range(BINS)
        if heights[i] > 0
    ]
    ticks = [Tick(LEFT + (value - low) * scale_x, format_won(value)) for value in _ticks(low, high)]
    zero_x = LEFT + (0 - low) * scale_x if low <= 0 <= high else None
    return Histogram(bars, ticks, zero_x, top)


def _band(low: float, high: float) -> str:
    return f"{format_won(round(low))} ~ {format_won(round(high))}"


def _ticks(low: int, high: int) -> list[int]:
    """About five to eight round amounts (1, 2 or 5 times a power of ten won) between the bounds."""
    raw = (high - low) / 8
    power = 10 ** int(np.floor(np.log10(raw))) if raw > 0 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = -(-low // step) * step
    return list(range(first, high + 1, step))
