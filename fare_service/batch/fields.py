"""The input columns read into arrays, each bad value flagging its row with a reason.

Each parser returns the clean values (NaN / NaT where missing or bad) and flags through
:class:`Reasons` (the first reason wins); only the flagged rows' values are formatted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fare_service import clock
from fare_service.batch.columns import blank, numbers, strings, wall_times, won_amounts
from fare_service.pricing.table import Reasons

MAX_CHARGED_FARE_WON = 10_000_000


@dataclass(frozen=True)
class Waypoints:
    """``lat,lon;lat,lon`` parsed: per row the count, per point its row and degrees."""

    count: np.ndarray
    row: np.ndarray
    lat: np.ndarray
    lon: np.ndarray

    @classmethod
    def parse(cls, column: pa.Array, error: Reasons) -> Waypoints:
        text = strings(column)
        present = pc.is_valid(text).to_numpy(zero_copy_only=False)
        count = np.zeros(len(column), dtype=np.int64)
        if not present.any():
            return cls(count, np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
        rows = np.flatnonzero(present)
        parts = pd.Series(text.filter(present).to_pylist(), index=rows).str.split(";").explode()
        parts = parts.str.strip()
        parts = parts[parts.notna() & (parts != "")]
        fields = parts.str.split(",", expand=True).reindex(columns=range(3))
        lat, lat_bad = numbers(_text(fields[0]))
        lon, lon_bad = numbers(_text(fields[1]))
        bad = (
            lat_bad
            | lon_bad
            | ~(np.abs(lat) <= 90)
            | ~(np.abs(lon) <= 180)
            | fields[2].notna().to_numpy()
        )
        row = parts.index.to_numpy(dtype=np.int64)
        bad_rows = np.zeros(len(column), dtype=bool)
        bad_rows[row[bad]] = True
        flag_with(error, bad_rows, "bad waypoints (want lat,lon;lat,lon)", text)
        keep = ~bad_rows[row]
        count += np.bincount(row[keep], minlength=len(column))
        return cls(count, row[keep], lat[keep], lon[keep])

    def place(self, lat: np.ndarray, lon: np.ndarray, rows: np.ndarray, first: np.ndarray) -> None:
        """Write the points of the priced ``rows`` into the stop arrays, after each origin."""
        first_of_row = np.full(len(self.count), -1, dtype=np.int64)
        first_of_row[rows] = first
        keep = first_of_row[self.row] >= 0
        row = self.row[keep]
        order = np.arange(len(row)) - np.searchsorted(row, row, side="left")
        position = first_of_row[row] + 1 + order
        lat[position], lon[position] = self.lat[keep], self.lon[keep]


def flag(error: Reasons, mask: np.ndarray, message: str) -> None:
    error.flag(mask, message)


def _text(series: pd.Series) -> pa.Array:
    """A pandas column of split-out text as Arrow strings (missing stays null)."""
    return pa.array(series.astype("str"), type=pa.string(), from_pandas=True)


def flag_with(error: Reasons, mask: np.ndarray, reason: str, column: pa.Array) -> None:
    """``reason: 'the value'`` on the rows ``mask`` newly flags; only bad rows are formatted."""
    mask = error.new(mask)
    if mask.any():
        values = strings(column.filter(pa.array(mask))).to_pylist()
        error.reason[mask] = [f"{reason}: {value!r}" for value in values]


def parse_time(column: pa.Array, error: Reasons) -> np.ndarray:
    missing = blank(column)
    start = wall_times(column, missing)
    flag(error, missing, "missing time")
    flag_with(error, np.isnat(start), "unparsable time", column)
    # before the table's own check (pricing.table), so the reason shows the text as written
    flag_with(error, clock.out_of_range(start), f"time {clock.OUT_OF_RANGE}", column)
    return start


def parse_coordinate(column: pa.Array, name: str, error: Reasons) -> np.ndarray:
    values, not_number = numbers(column)
    limit = 90 if name.endswith("_lat") else 180
    flag(error, np.isnan(values) & ~not_number, f"missing coordinates: {name}")
    flag_with(error, not_number | (np.abs(values) > limit), f"invalid coordinates: {name}", column)
    return values


def parse_charged_fare(column: pa.Array, error: Reasons) -> np.ndarray:
    """Whole won, as spreadsheets write it ("45000", "45,000", "45,000원"), at most
    MAX_CHARGED_FARE_WON; missing is NaN (nothing charged)."""
    values, invalid = won_amounts(column)
    flag_with(error, invalid, "invalid charged_fare", column)
    too_large = values > MAX_CHARGED_FARE_WON
    flag_with(error, too_large, f"charged_fare above {MAX_CHARGED_FARE_WON:,}", column)
    return np.where(invalid | too_large, np.nan, values)


def parse_amount(column: pa.Array, name: str, error: Reasons) -> np.ndarray:
    """A non-negative number or missing (NaN); anything else flags the row."""
    values, not_number = numbers(column)
    flag_with(error, not_number, f"invalid {name}", column)
    flag_with(error, values < 0, f"negative {name}", column)
    return values
