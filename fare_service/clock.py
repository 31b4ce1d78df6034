"""Seoul time: the one rule for every time the service reads.

- A time is ISO 8601 text (``2026-11-18T23:30:00+09:00``); a bare number, or a numeric
  string, is not a time (pydantic would read ``"1763476200"`` as epoch seconds).
- A time without an offset is Asia/Seoul wall time; one with an offset is converted.
- Times are supported from :data:`EARLIEST` to :data:`LATEST`: a ride outside that range
  is a mistake to report, and near year 1 or 9999 converting to Seoul would overflow.

Tariffs, the router's hourly speeds and the late-night windows all run on Seoul's clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import numpy as np
from pydantic import BeforeValidator

SEOUL = ZoneInfo("Asia/Seoul")
EARLIEST = datetime(2000, 1, 1, tzinfo=SEOUL)
LATEST = datetime(2100, 12, 31, 23, 59, 59, tzinfo=SEOUL)
EARLIEST_WALL = np.datetime64(EARLIEST.replace(tzinfo=None), "s")
LATEST_WALL = np.datetime64(LATEST.replace(tzinfo=None), "s")
OUT_OF_RANGE = f"must be between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d} (Seoul time)"
NOT_ISO = "must be an ISO 8601 date-time, e.g. 2026-11-18T23:30:00+09:00"


def parse_time(text: str) -> datetime:
    """ISO 8601 text as an aware time on Seoul's clock; ValueError says what is wrong."""
    text = text.strip()
    if not text[:4].isdigit() or len(text) < 10 or text[4] != "-":
        raise ValueError(NOT_ISO)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(NOT_ISO) from None
    return seoul_time(parsed)


def seoul_time(at: datetime) -> datetime:
    """``at`` on Seoul's clock: naive is taken as Seoul wall time. ValueError when out of
    the supported range (checked before converting, which could overflow)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=SEOUL)
    try:
        in_range = EARLIEST <= at <= LATEST
    except OverflowError:  # an offset pushes it past year 1 or 9999
        in_range = False
    if not in_range:
        raise ValueError(OUT_OF_RANGE)
    return at.astimezone(SEOUL)


def out_of_range(wall: np.ndarray) -> np.ndarray:
    """Per Seoul wall time (datetime64[s]) whether it lies outside the supported range
    (:data:`OUT_OF_RANGE`); NaT does not."""
    return (wall < EARLIEST_WALL) | (wall > LATEST_WALL)


def now() -> datetime:
    return datetime.now(SEOUL)


def seoul_clock(at: datetime) -> datetime:
    """``at`` on Seoul's clock, for its hour, minute and date (naive: already Seoul).
    Free when ``at`` is already in Seoul's zone, as every parsed time is."""
    return at.astimezone(SEOUL) if at.tzinfo else at


def wall_clock(at: datetime) -> datetime:
    """Seoul wall time of ``at`` as a naive datetime (naive is taken as already Seoul)."""
    return at.astimezone(SEOUL).replace(tzinfo=None) if at.tzinfo else at


_EPOCH, _SECOND = datetime(1970, 1, 1), timedelta(seconds=1)


def wall_times(times: Sequence[datetime]) -> np.ndarray:
    """Seoul wall time of each of many times (:func:`wall_clock`) as numpy seconds, the
    unit of the vectorized paths: datetime64[s][N].

    Counted in Python ints, each distinct time once: numpy reads a datetime object
    several times slower than this arithmetic, and a quote's routes (its estimate and
    band) share one start."""
    seconds: dict[datetime, int] = {}  # equal times (one instant) have one wall time
    for at in times:
        if at not in seconds:
            seconds[at] = (wall_clock(at) - _EPOCH) // _SECOND
    return np.array([seconds[at] for at in times], dtype=np.int64).astype("datetime64[s]")


def _seoul_time_of(value: object) -> object:
    """A request's time: ISO text or (from Python callers) a datetime, on Seoul's clock."""
    if isinstance(value, str):
        return parse_time(value)
    if isinstance(value, datetime):
        return seoul_time(value)
    raise ValueError(NOT_ISO)


SeoulTime = Annotated[datetime, BeforeValidator(_seoul_time_of)]
"""A request field holding a time: ISO text only, in range, converted to Seoul."""
