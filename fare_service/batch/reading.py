"""Input files -> ``ReadChunk``: the input columns, each row's ``source_line``, and why a
record could not be read (that row then becomes an error row; the run goes on).

CSV: :mod:`csv_records` finds the records and their lines; Arrow parses the readable ones
(every column as text, kept exactly as written); a record with the wrong number of fields
or an unbalanced quote becomes a row of empty values but its call_id (``_with_call_ids``),
and a value that is not UTF-8 is shown with U+FFFD and flags its row. Parquet:
``source_line`` is the 1-based row number.

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
BISECT_ROWS = 1 << 10


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
                records, used, lines = split_records(buffer, line, final=not read)
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
    error = np.full(len(records), None, dtype=object)
    unbalanced = records.unbalanced & row
    error[unbalanced] = [
        f"unbalanced quote: a quote opened on line {n} is not closed where the record should end"
        for n in records.line[unbalanced]
    ]
    table, wrong = _read_records(buffer, records, row & ~unbalanced, block.names)
    for record, fields in wrong.items():
        error[record] = (
            f"wrong number of fields: {fields}, the header has {len(block.names)} "
            f"({_start_of(block, record)})"
        )
    unread = np.zeros(len(records), dtype=bool)
    unread[list(wrong)] = True
    unread |= unbalanced
    table = _rows_in_place(table, (row & ~unread)[row])
    error = error[row]  # a copy, completed below
    table = _utf8_columns(table, error, unread[row])
    table = _with_call_ids(table, block, np.flatnonzero(unread & row), np.cumsum(row) - 1)
    return ReadChunk(table, records.line[row], error)


def _with_call_ids(
    table: pa.Table, block: CsvBlock, unread: np.ndarray, row_of: np.ndarray
) -> pa.Table:
    """An unread record keeps its call_id when that is the file's first column, so its
    error row can be joined back: the first field of its first line is the call_id
    whatever went wrong after it (a call_id holds no comma). Elsewhere in the record a
    missing or extra comma could have moved it, so other layouts leave it empty."""
    if not len(unread) or block.names[0] != "call_id":
        return table
    ids = [_first_field(block, int(record)) for record in unread]
    mask = np.zeros(table.num_rows, dtype=bool)
    mask[row_of[unread]] = True
    column = pc.replace_with_mask(one_array(table.column("call_id")), mask, pa.array(ids))
    return table.set_column(0, "call_id", column)


def _first_field(block: CsvBlock, record: int) -> str:
    start, end = int(block.records.start[record]), int(block.records.end[record])
    line = block.data[start:end].split(b"\n", 1)[0].decode("utf-8", "replace").rstrip("\r")
    field = next(csv.reader([line]), [""])[0].strip() if line else ""
    return "" if "," in field or '"' in field else field  # a quote left open swallowed more


def _start_of(block: CsvBlock, record: int, chars: int = 40) -> str:
    """The first characters of a record, to recognise it by."""
    start = int(block.records.start[record])
    end = min(int(block.records.end[record]), start + 4 * chars)
    text = block.data[start:end].decode("utf-8", "replace").replace("\n", " ").strip()
    return text if len(text) <= chars else text[:chars] + "…"


def _read_records(
    buffer: npt.NDArray[np.uint8], records: Records, readable: np.ndarray, names: tuple[str, ...]
) -> tuple[pa.Table, dict[int, int]]:
    """Arrow parses the readable records (every column as bytes: UTF-8 is checked later);
    also the records with the wrong number of fields ({record: fields}), not in the table.

    Parsing on threads, Arrow cannot number the rows it refuses; so a block with such
    rows is parsed once more on one thread, which numbers them. The columns are text, or
    bytes when some value is not UTF-8.
    """
    if not readable.any():
        return pa.table({name: pa.array([], pa.binary()) for name in names}), {}
    if readable.all():
        data = pa.py_buffer(buffer)
    else:
        lengths = np.minimum(records.end + 1, len(buffer)) - records.start
        data = pa.py_buffer(buffer[np.repeat(readable, lengths)].tobytes())
    refused: list[tuple[int | None, int]] = []
    try:  # as text: Arrow checks UTF-8 as it converts, and most files are clean
        table = _arrow_csv(data, names, refused, threads=True, kind=pa.string())
    except pa.ArrowInvalid:  # some value is not UTF-8: as bytes, checked row by row later
        refused.clear()
        table = _arrow_csv(data, names, refused, threads=True, kind=pa.binary())
    if refused:
        refused.clear()
        table = _arrow_csv(data, names, refused, threads=False, kind=table.schema.types[0])
    indices = np.flatnonzero(readable)
    wrong = {int(indices[number - 1]): fields for number, fields in refused if number}
    if table.num_rows + len(wrong) != len(indices):  # a lone CR Arrow reads as a line end
        lines = records.line[indices]
        raise BatchFileError(
            f"records at lines {lines[0]}-{lines[-1]} read differently by Arrow "
            "(a carriage return alone inside a record?)"
        )
    return table, wrong


def _arrow_csv(
    data: pa.Buffer,
    names: tuple[str, ...],
    refused: list[tuple[int | None, int]],
    *,
    threads: bool,
    kind: pa.DataType,
) -> pa.Table:
    def refuse(row: pa_csv.InvalidRow) -> str:
        refused.append((row.number, row.actual_columns))
        return "skip"

    return pa_csv.read_csv(
        data,
        read_options=pa_csv.ReadOptions(column_names=list(names), use_threads=threads),
        parse_options=pa_csv.ParseOptions(
            newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=refuse
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types=dict.fromkeys(names, kind),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _rows_in_place(table: pa.Table, readable: np.ndarray) -> pa.Table:
    """The read rows at their records' places; unreadable records are null rows."""
    if readable.all():
        return table
    position = np.cumsum(readable) - 1
    indices = pa.array(position, mask=~readable)
    return pa.table({name: table.column(name).take(indices) for name in table.column_names})


def _utf8_columns(table: pa.Table, error: ObjectArray, unread: np.ndarray) -> pa.Table:
    """Every column as text; a value that is not UTF-8 flags its row (if it was read).
    ``error`` is updated in place."""
    columns = {}
    for name in table.column_names:
        columns[name], bad = utf8_text(one_array(table.column(name)))
        fresh = bad & ~unread
        error[fresh] = f"not UTF-8: {name}"
        unread = unread | fresh
    return pa.table(columns)


def utf8_text(column: pa.Array) -> tuple[pa.Array, npt.NDArray[np.bool_]]:
    """Bytes as UTF-8 text, and where a value was not UTF-8 (shown with U+FFFD)."""
    bad = np.zeros(len(column), dtype=bool)
    if pa.types.is_string(column.type):
        return column, bad
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
    """Arrow's own check on halves down to BISECT_ROWS rows, then Python's (the same
    UTF-8 rules) value by value: a few casts when bad values are rare, no more than one
    decode per row when they are many."""
    try:
        pc.cast(column.slice(start, stop - start), pa.string())
        return
    except pa.ArrowInvalid:
        pass
    if stop - start <= BISECT_ROWS:
        for i, value in enumerate(column.slice(start, stop - start).to_pylist(), start):
            try:
                value is None or value.decode("utf-8")
            except UnicodeDecodeError:
                bad[i] = True
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


def one_array(column: pa.ChunkedArray) -> pa.Array:
    """The column as one array; a single chunk as it is (``combine_chunks`` would copy it)."""
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


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
