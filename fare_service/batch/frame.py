"""A DataFrame chunk of disputed rides -> a validated RouteTable -> the result columns.

The same :func:`price_chunk` runs on the pandas engine's chunks and on Dask partitions,
so both engines give the same rows. Validation is per row and vectorized: a bad value
becomes that row's ``error`` (first reason wins) and never stops the chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fare_service.batch.columns import blank, strings
from fare_service.batch.fields import (
    Waypoints,
    flag,
    parse_amount,
    parse_charged_fare,
    parse_coordinate,
    parse_time,
)
from fare_service.batch.reading import ReadChunk, one_array, utf8_text
from fare_service.geo.embedded import EmbeddedRouter, RouteProfile
from fare_service.geo.places import PlaceIndex
from fare_service.pricing.table import (
    Labels,
    ObjectArray,
    Reasons,
    RouteTable,
    TableResult,
    price_table,
)
from fare_service.public_holidays import korean_holidays
from fare_service.tariff_book import TariffBook, load_tariff_book

INPUT_COLUMNS = (
    "call_id",
    "at",
    "tariff_id",
    "origin_lat",
    "origin_lon",
    "destination_lat",
    "destination_lon",
    "waypoints",
    "distance_m",
    "duration_s",
    "charged_fare",
)
ENDS = ("origin_lat", "origin_lon", "destination_lat", "destination_lon")
RESULT_SCHEMA = pa.schema(
    [
        ("source_line", pa.int64()),
        ("fare", pa.int64()),
        ("tariff_version", pa.string()),
        ("distance_m_priced", pa.int64()),
        ("duration_s_priced", pa.int64()),
        ("overcharge", pa.int64()),
        ("verdict", pa.string()),
        ("status", pa.string()),
        ("error", pa.string()),
    ]
)
RESULT_COLUMNS = tuple(RESULT_SCHEMA.names)
VERDICTS = pa.array(["fair", "overcharged", "undercharged"])
STATUSES = pa.array(["ok", "error"])


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
    """Loaded once per process (tariffs, route profile, places and grids, holidays: about 0.6 s)."""
    book = load_tariff_book(settings.tariff_dir, settings.default_tariff)
    korean_holidays()  # else the first chunk pays 0.2 s building the calendar
    router = EmbeddedRouter(RouteProfile.load(settings.route_profile))
    return ChunkPricer(settings, book, router, PlaceIndex.load())


def price_read(chunk: ReadChunk, pricer: ChunkPricer) -> pa.Table:
    """The chunk's input columns, then ``source_line`` and the result columns (both engines)."""
    inputs, rows = chunk.table, chunk.table.num_rows
    error = Reasons(chunk.read_error.copy())
    needed = {
        name: _text_or_value(one_array(inputs.column(name)), name, error)
        for name in INPUT_COLUMNS
        if name in inputs.column_names
    }
    results = price_columns(needed, rows, pricer, error)
    return _joined(inputs, [pa.array(chunk.source_line, pa.int64()), *results])


def _text_or_value(column: pa.Array, name: str, error: Reasons) -> pa.Array:
    """Bytes (Parquet ``binary``) become UTF-8 text, flagging values that are not."""
    if pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
        text, bad = utf8_text(column)
        error.flag(bad, f"not UTF-8: {name}")
        return text
    return column


def price_columns(
    columns: dict[str, pa.Array], rows: int, pricer: ChunkPricer, error: Reasons | None = None
) -> list[pa.Array]:
    """The result columns after ``source_line``, as Arrow arrays, of ``rows`` rides;
    ``error`` holds the reasons found while reading (the first reason wins)."""
    parsed = _Rows.parse(columns, rows, Reasons.none(rows) if error is None else error)
    settings = pricer.settings
    result = price_table(
        parsed.route_table(), pricer.book, pricer.router, pricer.places, settings.tariff_override
    )
    ok = result.ok
    overcharge = np.where(ok, parsed.charged_fare - result.fare, np.nan)
    charged = ~np.isnan(overcharge)
    return [
        pa.array(result.fare, mask=~ok),
        _tariff_versions(result),
        pa.array(result.distance_m, mask=~ok),
        pa.array(result.duration_s, mask=~ok),
        pa.array(np.where(charged, overcharge, 0).astype(np.int64), mask=~charged),
        _verdicts(overcharge, settings.verdict_tolerance_won),
        _decoded(np.where(ok, 0, 1), STATUSES),
        pa.array(result.error, type=pa.string()),
    ]


def output_schema(input_schema: pa.Schema) -> pa.Schema:
    """The input's columns (a result column already there is recomputed), then the results."""
    kept = [field for field in input_schema if field.name not in RESULT_COLUMNS]
    return pa.schema([*kept, *RESULT_SCHEMA])


def replaced_by_results(input_columns: Sequence[str]) -> tuple[str, ...]:
    """The input columns the output drops for the result columns of the same name."""
    return tuple(name for name in RESULT_COLUMNS if name in input_columns)


def _joined(inputs: pa.Table, results: list[pa.Array]) -> pa.Table:
    table = inputs.drop_columns(list(replaced_by_results(inputs.column_names)))
    for field, column in zip(RESULT_SCHEMA, results, strict=True):
        table = table.append_column(field, column)
    return table


def _decoded(indices: np.ndarray, labels: pa.Array, missing: np.ndarray | None = None) -> pa.Array:
    """``labels[indices]`` as a plain string array (null where ``missing``), without objects."""
    return labels.take(pa.array(indices, mask=missing))


def _tariff_versions(result: TableResult) -> pa.Array:
    """Each priced route's version, from its group: one string per group, not per row."""
    labels = pa.array([group.version.version for group in result.groups], type=pa.string())
    return _decoded(np.maximum(result.group, 0), labels, result.group < 0)


def _verdicts(overcharge: np.ndarray, tolerance_won: int) -> pa.Array:
    """overcharge = charged - fare, won; within the tolerance either way is fair."""
    verdict = np.where(overcharge > tolerance_won, 1, np.where(overcharge < -tolerance_won, 2, 0))
    return _decoded(verdict, VERDICTS, np.isnan(overcharge))


def _column(columns: dict[str, pa.Array], name: str, rows: int) -> pa.Array:
    """The column, or all missing when the file has none (rows then fail with a reason)."""
    return columns.get(name, pa.nulls(rows, pa.string()))


@dataclass(frozen=True)
class _Rows:
    """A chunk's columns as arrays, and the first reason each row cannot be priced."""

    error: ObjectArray
    clean: np.ndarray  # bool: no reason yet, the rows a RouteTable prices
    tariff_id: Labels
    start: np.ndarray
    ends: dict[str, np.ndarray]
    recorded: np.ndarray
    distance_m: np.ndarray
    duration_s: np.ndarray
    charged_fare: np.ndarray
    waypoints: Waypoints

    @classmethod
    def parse(cls, columns: dict[str, pa.Array], rows: int, error: Reasons) -> _Rows:
        flag(error, blank(_column(columns, "call_id", rows)), "missing call_id")
        start = parse_time(_column(columns, "at", rows), error)
        ends = {name: parse_coordinate(_column(columns, name, rows), name, error) for name in ENDS}
        waypoints = Waypoints.parse(_column(columns, "waypoints", rows), error)
        distance_m, duration_s = (
            parse_amount(_column(columns, name, rows), name, error)
            for name in ("distance_m", "duration_s")
        )
        recorded = ~np.isnan(distance_m) & ~np.isnan(duration_s)
        partial = np.isnan(distance_m) != np.isnan(duration_s)
        flag(error, partial, "incomplete recorded route: give both distance_m and duration_s")
        charged = parse_charged_fare(_column(columns, "charged_fare", rows), error)
        return cls(
            error.reason,
            error.clean.copy(),
            _labels(_column(columns, "tariff_id", rows)),
            start,
            ends,
            recorded,
            distance_m,
            duration_s,
            charged,
            waypoints,
        )

    def route_table(self) -> RouteTable:
        """Stops origin, waypoints..., destination; a recorded route is one leg end to end."""
        rows = np.flatnonzero(self.clean)
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
            tariff_id=self.tariff_id,
            start=self.start,
            waypoints=self.waypoints.count,
            waiting_s=np.zeros(len(self.start)),
            error=self.error,
            stop_route=np.repeat(rows, count),
            stop_lat=lat,
            stop_lon=lon,
            leg_from=leg_from,
            leg_to=leg_to,
            leg_distance_m=leg_d,
            leg_duration_s=leg_t,
        )

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


def _labels(column: pa.Array) -> Labels:
    """A column of few distinct values (tariff ids) as codes into its distinct values,
    each stripped (blank is None) once rather than on every row."""
    encoded = pc.dictionary_encode(column)
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    return Labels(codes.astype(np.int64), strings(encoded.dictionary).to_pylist())
