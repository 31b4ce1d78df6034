"""Input files -> ``ReadChunk``: the input columns, each row's ``source_line``, and why a
record could not be read (that row then becomes an error row; the run goes on).

CSV: :mod:`csv_records` finds the records and their lines; Arrow parses the readable ones
(every column as text, kept exactly as written); a record with the wrong number of fields
or an unbalanced quote becomes a row of empty values, and a value that is not UTF-8 is
shown with U+FFFD and flags its row. Parquet: ``source_line`` is the 1-based row number.

A CSV file is cut into ``CsvBlock`` s on record boundaries, so a block is parsed the same
wherever it is parsed: here for the pandas engine, on a Dask worker for ``--engine dask``.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from fare_service.batch.csv_records import CR, Records, split_records
from fare_service.batch.errors import BatchFileError

ObjectArray = npt.NDArray[np.object_]
BOM = b"\xef\xbb\xbf"
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
_SAMPLE_BYTES = 1 << 16


def file_format(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(FORMATS)
        raise BatchFileError(f"{path}: unknown file type {path.suffix!r}; use {known}") from None


@dataclass(frozen=True, slots=True)
class ReadChunk:
    table: pa.Table  # the input columns, one row per record
    source_line: npt.NDArray[np.int64]
    read_error: ObjectArray  # None where the record was read


@dataclass(frozen=True, slots=True)
class CsvBlock:
    """Whole records of a CSV file: its bytes and where each record lies in them."""

    data: bytes
    records: Records
    names: tuple[str, ...]


class CsvFile:
    """The header, then blocks of about ``chunk_rows`` records."""

    def __init__(self, path: Path, chunk_rows: int) -> None:
        self.path, self.chunk_rows = path, chunk_rows
        self.size = max(path.stat().st_size, 1)
        self.bytes_done = 0
        with path.open("rb") as file:
            sample = file.read(_SAMPLE_BYTES)
        self.names, self._data_start = _header(path, sample)
        bytes_per_row = len(sample) / max(sample.count(b"\n"), 1)
        self._block_bytes = int(min(max(bytes_per_row * chunk_rows, 1 << 16), 1 << 30))

    def blocks(self) -> Iterator[CsvBlock]:
        line, carry = 2, b""
        with self.path.open("rb") as file:
            file.seek(self._data_start)
            while True:
                read = file.read(self._block_bytes)
                data = carry + read if carry else read
                buffer = np.frombuffer(data, dtype=np.uint8)
                records, used, lines = split_records(buffer, line, len(self.names), final=not read)
                line += lines
                self.bytes_done = file.tell() - len(data) + used
                if used:
                    yield CsvBlock(data[:used], records, self.names)
                carry = data[used:]
                if not read:
                    return


def _header(path: Path, sample: bytes) -> tuple[tuple[str, ...], int]:
    start = len(BOM) if sample.startswith(BOM) else 0
    end = sample.find(b"\n", start)
    line = sample[start : end if end >= 0 else len(sample)]
    try:
        names = next(csv.reader([line.decode("utf-8").rstrip("\r")]), [])
    except UnicodeDecodeError as error:
        raise BatchFileError(f"{path}: the header line is not UTF-8 ({error.reason})") from None
    if not any(names):
        raise BatchFileError(f"{path}: no header line")
    if len(set(names)) != len(names):
        raise BatchFileError(f"{path}: a column name appears twice")
    return tuple(names), (end + 1 if end >= 0 else len(sample))


def parse_block(block: CsvBlock) -> ReadChunk:
    """One row per non-blank record, in order, each read or explained."""
    records, buffer = block.records, np.frombuffer(block.data, dtype=np.uint8)
    length = records.end - records.start
    first = buffer[np.minimum(records.start, max(len(buffer) - 1, 0))]
    row = ~((length == 0) | ((length == 1) & (first == CR)))  # blank lines are no records
    error = np.full(int(row.sum()), None, dtype=object)
    columns = len(block.names)
    fields, line = records.fields[row], records.line[row]
    wrong = fields != columns
    error[wrong] = [
        f"wrong number of fields: {n}, the header has {columns} ({_start_of(block, i)})"
        for n, i in zip(fields[wrong], np.flatnonzero(row)[wrong], strict=True)
    ]
    unbalanced = records.unbalanced[row]
    error[unbalanced] = [
        f"unbalanced quote: a quote opened on line {n} is not closed where the record should end"
        for n in line[unbalanced]
    ]
    readable = np.zeros(len(records), dtype=bool)
    readable[row] = ~wrong & ~unbalanced
    table = _read_records(buffer, records, readable, block.names)
    table = _rows_in_place(table, readable[row])
    table = _utf8_columns(table, error, wrong | unbalanced)
    return ReadChunk(table, line, error)


def _start_of(block: CsvBlock, record: int, chars: int = 40) -> str:
    """The first characters of a record, to recognise it by."""
    start = int(block.records.start[record])
    end = min(int(block.records.end[record]), start + 4 * chars)
    text = block.data[start:end].decode("utf-8", "replace").replace("\n", " ").strip()
    return text if len(text) <= chars else text[:chars] + "…"


def _read_records(
    buffer: npt.NDArray[np.uint8], records: Records, readable: np.ndarray, names: tuple[str, ...]
) -> pa.Table:
    """Arrow parses the readable records (every column as bytes: UTF-8 is checked later)."""
    wanted = int(readable.sum())
    empty = pa.table({name: pa.array([], pa.binary()) for name in names})
    if not wanted:
        return empty
    if readable.all():
        data = buffer
    else:
        lengths = np.minimum(records.end + 1, len(buffer)) - records.start
        data = buffer[np.repeat(readable, lengths)]
    table = pa_csv.read_csv(
        pa.py_buffer(data.tobytes() if data is not buffer else buffer),
        read_options=pa_csv.ReadOptions(column_names=list(names)),
        parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.binary() for name in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    if table.num_rows != wanted:  # a lone CR Arrow reads as a line end: no guessing
        raise BatchFileError(
            f"records at lines {records.line[readable][0]}-{records.line[readable][-1]} "
            "read differently by Arrow (a carriage return alone inside a record?)"
        )
    return table


def _rows_in_place(table: pa.Table, readable: np.ndarray) -> pa.Table:
    """The read rows at their records' places; unreadable records are null rows."""
    if readable.all():
        return table
    position = np.cumsum(readable) - 1
    indices = pa.array(position, mask=~readable)
    return pa.table({name: table.column(name).take(indices) for name in table.column_names})


def _utf8_columns(table: pa.Table, error: ObjectArray, unread: np.ndarray) -> pa.Table:
    """Every column as text; a value that is not UTF-8 flags its row (if it was read)."""
    columns = {}
    for name in table.column_names:
        columns[name], bad = utf8_text(table.column(name).combine_chunks())
        fresh = bad & ~unread
        error[fresh] = f"not UTF-8: {name}"
        unread = unread | fresh
    return pa.table(columns)


def utf8_text(column: pa.Array) -> tuple[pa.Array, npt.NDArray[np.bool_]]:
    """Bytes as UTF-8 text, and where a value was not UTF-8 (shown with U+FFFD)."""
    bad = np.zeros(len(column), dtype=bool)
    try:
        return pc.cast(column, pa.string()), bad
    except pa.ArrowInvalid:
        pass
    _mark_invalid(column, 0, len(column), bad)
    values = column.filter(pa.array(bad)).to_pylist()
    fixed = pa.array([value.decode("utf-8", "replace") for value in values], pa.string())
    lax = pc.cast(column, options=pc.CastOptions(pa.string(), allow_invalid_utf8=True))
    return pc.replace_with_mask(lax, pa.array(bad), fixed), bad


def _mark_invalid(column: pa.Array, start: int, stop: int, bad: np.ndarray) -> None:
    """Bisection with Arrow's own check: a few casts per bad value, never one per row."""
    try:
        pc.cast(column.slice(start, stop - start), pa.string())
        return
    except pa.ArrowInvalid:
        if stop - start == 1:
            bad[start] = True
            return
    middle = (start + stop) // 2
    _mark_invalid(column, start, middle, bad)
    _mark_invalid(column, middle, stop, bad)


class InputFile:
    """A CSV or Parquet input: its columns, its chunks, and how much of it is read."""

    def __init__(self, path: Path, chunk_rows: int) -> None:
        self.path, self.chunk_rows = path, chunk_rows
        self.format = file_format(path)
        self.csv: CsvFile | None = None
        self.parquet: pq.ParquetFile | None = None
        self.rows_done = 0
        with reading_errors(path):
            if self.format == "csv":
                self.csv = CsvFile(path, chunk_rows)
                self.schema = pa.schema([(name, pa.string()) for name in self.csv.names])
            else:
                self.parquet = pq.ParquetFile(path)
                self.schema = self.parquet.schema_arrow

    def chunks(self) -> Iterator[ReadChunk]:
        with reading_errors(self.path):
            if self.csv is not None:
                for block in self.csv.blocks():
                    chunk = parse_block(block)
                    self.rows_done += chunk.table.num_rows
                    yield chunk
                return
            assert self.parquet is not None
            for batch in self.parquet.iter_batches(batch_size=self.chunk_rows):
                yield parquet_chunk(pa.Table.from_batches([batch]), self.rows_done)
                self.rows_done += batch.num_rows

    def fraction_done(self) -> float | None:
        if self.parquet is not None:
            return self.rows_done / max(self.parquet.metadata.num_rows, 1)
        assert self.csv is not None
        return min(self.csv.bytes_done / self.csv.size, 1.0)


@contextlib.contextmanager
def reading_errors(path: Path) -> Iterator[None]:
    """A failure to read the file is one line naming it (exit 2), never a traceback."""
    try:
        yield
    except (OSError, pa.ArrowException, UnicodeDecodeError) as error:
        raise BatchFileError(f"{path}: cannot read ({_one_line(error)})") from None


def _one_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def parquet_chunk(table: pa.Table, rows_before: int) -> ReadChunk:
    lines = np.arange(rows_before + 1, rows_before + 1 + table.num_rows, dtype=np.int64)
    return ReadChunk(table, lines, np.full(table.num_rows, None, dtype=object))
