"""Korean public holidays from the ``holidays`` package: a set of dates for one ride, a
sorted array of dates for many."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays
import numpy as np

FIRST_YEAR, LAST_YEAR = 2010, 2045


@lru_cache(maxsize=1)
def korean_holiday_dates() -> frozenset[date]:
    """Korea's public holidays, substitute days included, FIRST_YEAR to LAST_YEAR.

    Built once (about 0.2 s), at start-up by the service and the batch command.
    """
    return frozenset(holidays.country_holidays("KR", years=range(FIRST_YEAR, LAST_YEAR + 1)))


@lru_cache(maxsize=1)
def korean_holidays() -> np.ndarray:
    """The same dates as sorted ``datetime64[D]``, for :func:`is_korean_holiday`."""
    return np.array(sorted(korean_holiday_dates()), dtype="datetime64[D]")


def is_korean_holiday(days: np.ndarray) -> np.ndarray:
    """Element-wise: is each ``datetime64[D]`` a Korean public holiday?

    A binary search in the sorted calendar (``np.isin`` cost ~30x more on small arrays).
    """
    days = days.astype("datetime64[D]")
    calendar = korean_holidays()
    found = np.minimum(np.searchsorted(calendar, days), len(calendar) - 1)
    return calendar[found] == days
