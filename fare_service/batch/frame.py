"""A DataFrame chunk of disputed rides -> a validated RouteTable -> the result columns.

The same :func:`price_chunk` runs on the pandas engine's chunks and on Dask partitions,
so both engines give the same rows. Validation is per row and vectorized: a bad value
becomes that row's ``error`` (first reason wins) and never stops the chunk.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fare_service.batch.table import ObjectArray, RouteTable, price_table
from fare_service.geo.embedded import EmbeddedRouter, RouteProfile
from fare_service.geo.places import PlaceIndex
from fare_service.tariff import SEOUL
from fare_service.tariff_book import TariffBook, load_tariff_book

INPUT_COLUMNS = (
    "call_id", "at", "tariff_id", "origin_lat", "origin_lon", "destination_lat",
    "destination_lon", "waypoints", "distance_m", "duration_s", "charged_fare",
)  # fmt: skip
ENDS = ("origin_lat", "origin_lon", "destination_lat", "destination_lon")
RESULT_SCHEMA = pa.schema(
    [("fare", pa.int64()), ("tariff_version", pa.string()), ("distance_m_priced", pa.int64()),
     ("duration_s_priced", pa.int64()), ("overcharge", pa.int64()), ("verdict", pa.string()),
     ("status", pa.string()), ("error", pa.string())]
)  # fmt: skip
RESULT_COLUMNS = tuple(RESULT_SCHEMA.names)
_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
_OFFSET = r"[T ].*(?:Z|[+-]\d{2}(?::?\d{2})?)$"  # a time of day with a UTC offset


@dataclass(frozen=True)
class BatchSettings:
    """What a worker needs to price chunks; small and picklable, so Dask can ship it."""

    tariff_dir: Path
    default_tariff: str
    tariff_override: str | None = None
    route_profile: Path | None = None
    verdict_tolerance_won: int = 0

    def pricer(self) -> ChunkPricer:
        return _pricer(self)


@dataclass(frozen=True)
class ChunkPricer:
    settings: BatchSettings
    book: TariffBook
    router: EmbeddedRouter
    places: PlaceIndex


@lru_cache(maxsize=4)
def _pricer(settings: BatchSettings) -> ChunkPricer:
    """Loaded once per process (tariffs, route profile, 시도 grid: about 0.4 s)."""
    book = load_tariff_book(settings.tariff_dir, settings.default_tariff)
    router = EmbeddedRouter(RouteProfile.load(settings.route_profile))
    return ChunkPricer(settings, book, router, PlaceIndex.load())


def price_chunk(chunk: pd.DataFrame, pricer: ChunkPricer) -> pd.DataFrame:
    """The result columns of ``chunk``, one row per input row, on the same index."""
    rows = _Rows.parse(chunk)
    table = rows.route_table()
    settings = pricer.settings
    result = price_table(table, pricer.book, pricer.router, pricer.places, settings.tariff_override)
    ok = result.ok
    overcharge = np.where(ok, rows.charged_fare - result.fare, np.nan)
    return pd.DataFrame(
        {
            "fare": _int_column(result.fare, ok),
            "tariff_version": pd.array(result.tariff_version, dtype="str"),
            "distance_m_priced": _int_column(result.distance_m, ok),
            "duration_s_priced": _int_column(result.duration_s, ok),
            "overcharge": _int_column(overcharge, ~np.isnan(overcharge)),
            "verdict": _verdicts(overcharge, settings.verdict_tolerance_won),
            "status": pd.array(np.where(ok, "ok", "error"), dtype="str"),
            "error": pd.array(result.error, dtype="str"),
        },
        index=chunk.index,
    )


def output_schema(input_schema: pa.Schema) -> pa.Schema:
    """The input's columns (a result column already there is recomputed), then the results."""
    kept = [field for field in input_schema if field.name not in RESULT_COLUMNS]
    return pa.schema([*kept, *RESULT_SCHEMA])


def price_batch(batch: pa.RecordBatch, pricer: ChunkPricer) -> pa.Table:
    """The pandas engine's chunk: only the columns pricing reads go through pandas."""
    needed = [name for name in INPUT_COLUMNS if name in batch.schema.names]
    chunk = batch.select(needed).to_pandas(types_mapper=pd.ArrowDtype)
    return join_results(pa.Table.from_batches([batch]), price_chunk(chunk, pricer))


def join_results(inputs: pa.Table, results: pd.DataFrame) -> pa.Table:
    """The input columns untouched, then the result columns in RESULT_SCHEMA's types."""
    table = inputs.drop_columns([name for name in RESULT_COLUMNS if name in inputs.column_names])
    computed = pa.Table.from_pandas(results, schema=RESULT_SCHEMA, preserve_index=False)
    for field, column in zip(RESULT_SCHEMA, computed.columns, strict=True):
        table = table.append_column(field, column)
    return table


def _int_column(values: np.ndarray, present: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(np.where(present, values, 0).astype(np.int64), ~present)


def _verdicts(overcharge: np.ndarray, tolerance_won: int) -> pd.api.extensions.ExtensionArray:
    """overcharge = charged - fare, won; within the tolerance either way is fair."""
    verdict = np.select(
        [overcharge > tolerance_won, overcharge < -tolerance_won, ~np.isnan(overcharge)],
        ["overcharged", "undercharged", "fair"],
        default=None,
    )
    return pd.array(verdict.astype(object), dtype="str")


def _column(chunk: pd.DataFrame, name: str) -> pd.Series:
    """The column, or all missing when the file has none (rows then fail with a reason)."""
    if name in chunk.columns:
        return chunk[name]
    return pd.Series([None] * len(chunk), index=chunk.index, dtype="str")


def _strings(series: pd.Series) -> pa.Array:
    """Stripped text of any column; missing and blank are null."""
    array = pa.array(series.astype("str"), type=pa.string(), from_pandas=True)
    trimmed = pc.utf8_trim_whitespace(array)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(float64 values with NaN where missing, bool where present but not a finite number)."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        return np.where(np.isinf(values), np.nan, values), np.isinf(values)
    text = _strings(series)
    number = pc.fill_null(pc.match_substring_regex(text, _NUMBER), False)
    values = pc.cast(pc.if_else(number, text, pa.scalar(None, pa.string())), pa.float64())
    present = pc.is_valid(text).to_numpy(zero_copy_only=False)
    return values.to_numpy(zero_copy_only=False), present & ~number.to_numpy(zero_copy_only=False)


def _wall_times(series: pd.Series) -> np.ndarray:
    """Asia/Seoul wall time, datetime64[s]; NaT where missing or unreadable."""
    if isinstance(series.dtype, pd.ArrowDtype) and pa.types.is_timestamp(
        series.dtype.pyarrow_dtype
    ):
        series = pd.Series(series.array._pa_array.to_pandas(), index=series.index)
    if pd.api.types.is_datetime64_any_dtype(series):
        if series.dt.tz is not None:
            series = series.dt.tz_convert(SEOUL).dt.tz_localize(None)
        return series.to_numpy().astype("datetime64[s]")
    text = pd.Series(_strings(series).to_pandas(), dtype="str")
    aware = text.str.contains(_OFFSET, regex=True, na=False).to_numpy(dtype=bool)
    naive = pd.to_datetime(text.where(~aware), format="ISO8601", errors="coerce")
    offset = pd.to_datetime(text.where(aware), format="ISO8601", errors="coerce", utc=True)
    local = offset.dt.tz_convert(SEOUL).dt.tz_localize(None)
    wall = np.where(aware, local.to_numpy(), naive.to_numpy())
    return wall.astype("datetime64[s]")


@dataclass(frozen=True)
class _Rows:
    """A chunk's columns as arrays, and the first reason each row cannot be priced."""

    error: ObjectArray
    tariff_id: ObjectArray
    start: np.ndarray
    ends: dict[str, np.ndarray]
    recorded: np.ndarray
    distance_m: np.ndarray
    duration_s: np.ndarray
    charged_fare: np.ndarray
    waypoints: _Waypoints

    @classmethod
    def parse(cls, chunk: pd.DataFrame) -> _Rows:
        error = np.full(len(chunk), None, dtype=object)
        call_id = _strings(_column(chunk, "call_id"))
        _flag(error, pc.is_null(call_id).to_numpy(zero_copy_only=False), "missing call_id")
        start = _parse_time(_column(chunk, "at"), error)
        ends = {name: _parse_coordinate(_column(chunk, name), name, error) for name in ENDS}
        waypoints = _Waypoints.parse(_column(chunk, "waypoints"), error)
        distance_m, duration_s = (
            _parse_amount(_column(chunk, name), name, error)
            for name in ("distance_m", "duration_s")
        )
        recorded = ~np.isnan(distance_m) & ~np.isnan(duration_s)
        partial = np.isnan(distance_m) != np.isnan(duration_s)
        _flag(error, partial, "incomplete recorded route: give both distance_m and duration_s")
        charged = _parse_amount(_column(chunk, "charged_fare"), "charged_fare", error)
        _flag(
            error,
            ~np.isnan(charged) & (charged != np.floor(charged)),
            "invalid charged_fare: not whole won",
        )
        tariff_id = _strings(_column(chunk, "tariff_id")).to_numpy(zero_copy_only=False)
        return cls(error, tariff_id.astype(object), start, ends, recorded, distance_m,
                   duration_s, charged, waypoints)  # fmt: skip

    def route_table(self) -> RouteTable:
        """Stops origin, waypoints..., destination; a recorded route is one leg end to end."""
        rows = np.flatnonzero(np.equal(self.error, None))
        count = 2 + self.waypoints.count[rows]
        first = (np.cumsum(count) - count).astype(np.int64)
        last = first + count - 1
        lat, lon = np.full(int(count.sum()), np.nan), np.full(int(count.sum()), np.nan)
        lat[first], lon[first] = self.ends["origin_lat"][rows], self.ends["origin_lon"][rows]
        lat[last] = self.ends["destination_lat"][rows]
        lon[last] = self.ends["destination_lon"][rows]
        self.waypoints.place(lat, lon, rows, first)
        leg_from, leg_to, leg_d, leg_t = self._legs(rows, first, last)
        return RouteTable(
            tariff_id=self.tariff_id, start=self.start, waypoints=self.waypoints.count,
            waiting_s=np.zeros(len(self.start)), error=self.error,
            stop_route=np.repeat(rows, count), stop_lat=lat, stop_lon=lon,
            leg_from=leg_from, leg_to=leg_to, leg_distance_m=leg_d, leg_duration_s=leg_t,
        )  # fmt: skip

    def _legs(
        self, rows: np.ndarray, first: np.ndarray, last: np.ndarray
    ) -> tuple[np.ndarray, ...]:
        """Recorded rows: one leg with the recorded figures; others: stop to stop, NaN."""
        recorded = self.recorded[rows]
        stop_is_last = np.zeros(int(last[-1]) + 1 if len(last) else 0, dtype=bool)
        stop_is_last[last] = True
        routed_from = np.flatnonzero(~stop_is_last & ~np.repeat(recorded, last - first + 1))
        leg_from = np.concatenate([first[recorded], routed_from])
        leg_to = np.concatenate([last[recorded], routed_from + 1])
        nans = np.full(len(routed_from), np.nan)
        leg_d = np.concatenate([self.distance_m[rows][recorded], nans])
        leg_t = np.concatenate([self.duration_s[rows][recorded], nans])
        return leg_from, leg_to, leg_d, leg_t


@dataclass(frozen=True)
class _Waypoints:
    """``lat,lon;lat,lon`` parsed: per row the count, per point its row and degrees."""

    count: np.ndarray
    row: np.ndarray
    lat: np.ndarray
    lon: np.ndarray

    @classmethod
    def parse(cls, series: pd.Series, error: ObjectArray) -> _Waypoints:
        text = _strings(series)
        present = pc.is_valid(text).to_numpy(zero_copy_only=False)
        count = np.zeros(len(series), dtype=np.int64)
        if not present.any():
            return cls(count, np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
        rows = np.flatnonzero(present)
        parts = pd.Series(text.filter(present).to_pylist(), index=rows).str.split(";").explode()
        parts = parts.str.strip()
        parts = parts[parts.notna() & (parts != "")]
        fields = parts.str.split(",", expand=True).reindex(columns=range(3))
        lat, lat_bad = _numbers(fields[0].astype("str"))
        lon, lon_bad = _numbers(fields[1].astype("str"))
        bad = (
            lat_bad
            | lon_bad
            | ~(np.abs(lat) <= 90)
            | ~(np.abs(lon) <= 180)
            | fields[2].notna().to_numpy()
        )
        row = parts.index.to_numpy(dtype=np.int64)
        bad_rows = np.zeros(len(series), dtype=bool)
        bad_rows[row[bad]] = True
        _flag_with(error, bad_rows, "bad waypoints (want lat,lon;lat,lon)", text)
        keep = ~bad_rows[row]
        count += np.bincount(row[keep], minlength=len(series))
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


def _flag(error: ObjectArray, mask: np.ndarray, message: str) -> None:
    error[mask & np.equal(error, None)] = message


def _flag_with(
    error: ObjectArray, mask: np.ndarray, reason: str, text: pa.Array | pd.Series
) -> None:
    """``reason: 'the value'`` on the rows ``mask`` newly flags; only bad rows are formatted."""
    mask = mask & np.equal(error, None)
    if mask.any():
        text = text if isinstance(text, pa.Array) else _strings(text)  # only when needed
        values = text.filter(pa.array(mask)).to_pylist()
        error[mask] = [f"{reason}: {value!r}" for value in values]


def _parse_time(series: pd.Series, error: ObjectArray) -> np.ndarray:
    start = _wall_times(series)
    text = _strings(series)
    missing = pc.is_null(text).to_numpy(zero_copy_only=False)
    _flag(error, missing, "missing time")
    _flag_with(error, np.isnat(start), "unparsable time", text)
    return start


def _parse_coordinate(series: pd.Series, name: str, error: ObjectArray) -> np.ndarray:
    values, not_number = _numbers(series)
    limit = 90 if name.endswith("_lat") else 180
    _flag(error, np.isnan(values) & ~not_number, f"missing coordinates: {name}")
    _flag_with(error, not_number | (np.abs(values) > limit), f"invalid coordinates: {name}",
               series)  # fmt: skip
    return values


def _parse_amount(series: pd.Series, name: str, error: ObjectArray) -> np.ndarray:
    """A non-negative number or missing (NaN); anything else flags the row."""
    values, not_number = _numbers(series)
    _flag_with(error, not_number, f"invalid {name}", series)
    _flag_with(error, values < 0, f"negative {name}", series)
    return values
