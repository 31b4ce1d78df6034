"""Chunked reading and atomic writing of CSV and Parquet, chosen by the file's extension.

CSV columns are read as text, whatever they look like: a later block that does not fit
a type guessed from the first one would otherwise stop the run, and the carried-through
columns come out exactly as they went in. Output goes to a temporary file beside the
target and is renamed only when complete, so a crash never leaves a half file.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
_SAMPLE_BYTES = 1 << 16
# Parquet falls back from dictionary to plain encoding once a column chunk's dictionary
# reaches this size. Arrow's 1 MiB default hashes ~130,000 distinct coordinates per
# column before giving up (~0.3 s of the writer per million rows); 64 KiB still keeps
# every column of few values (tariffs, statuses, fares) dictionary-encoded.
DICTIONARY_PAGE_BYTES = 1 << 16


class BatchFileError(Exception):
    """A usage or I/O problem with the files themselves (exit code 2), never a bad row."""


def file_format(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(FORMATS)
        raise BatchFileError(f"{path}: unknown file type {path.suffix!r}; use {known}") from None


class ChunkReader:
    """Record batches of about ``chunk_rows`` rows; ``fraction_done`` for the ETA."""

    def __init__(self, path: Path, chunk_rows: int) -> None:
        self.path, self.chunk_rows = path, chunk_rows
        self.format = file_format(path)
        self.total_rows: int | None = None
        self._file: BinaryIO | None = None
        self._size = max(path.stat().st_size, 1)
        if self.format == "parquet":
            self._parquet = pq.ParquetFile(path)
            self.schema = self._parquet.schema_arrow
            self.total_rows = self._parquet.metadata.num_rows
        else:
            self.schema = pa.schema([(name, pa.string()) for name in _csv_header(path)])

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        """Batches read one ahead on a thread: Arrow decodes without the GIL, so the
        next chunk is read while this one is priced (one chunk more in memory)."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-reader") as pool:
            batches = self._batches()
            ahead = pool.submit(next, batches, None)
            while (batch := ahead.result()) is not None:
                ahead = pool.submit(next, batches, None)
                yield batch

    def _batches(self) -> Iterator[pa.RecordBatch]:
        if self.format == "parquet":
            yield from self._parquet.iter_batches(batch_size=self.chunk_rows)
            return
        with self.path.open("rb") as self._file:
            reader = pa_csv.open_csv(
                self._file,
                read_options=pa_csv.ReadOptions(block_size=self._block_bytes()),
                convert_options=pa_csv.ConvertOptions(
                    column_types=dict(zip(self.schema.names, self.schema.types, strict=True)),
                    strings_can_be_null=False,
                ),
            )
            yield from reader

    def fraction_done(self, rows_done: int) -> float | None:
        if self.total_rows:
            return rows_done / self.total_rows
        if self._file is not None and not self._file.closed:
            return min(self._file.tell() / self._size, 1.0)
        return None

    def _block_bytes(self) -> int:
        """Bytes per block for about ``chunk_rows`` rows, from the first 64 KiB's lines."""
        with self.path.open("rb") as file:
            sample = file.read(_SAMPLE_BYTES)
        bytes_per_row = len(sample) / max(sample.count(b"\n"), 1)
        return int(min(max(bytes_per_row * self.chunk_rows, 1 << 16), 1 << 30))


def _csv_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as file:
        header = next(csv.reader(file), None)
    if not header:
        raise BatchFileError(f"{path}: no header line")
    if len(set(header)) != len(header):
        raise BatchFileError(f"{path}: a column name appears twice")
    return header


class AtomicWriter:
    """Writes tables to ``path`` through a temporary file renamed at the end."""

    def __init__(self, path: Path, schema: pa.Schema, *, source: Path) -> None:
        if path.exists() and os.path.samefile(path, source):
            raise BatchFileError(f"{path}: the output would overwrite the input")
        self.path, self.schema = path, schema
        self.format = file_format(path)
        self._temp = path.with_name(f".{path.name}.{os.getpid()}.partial")
        self._writer: pq.ParquetWriter | pa_csv.CSVWriter | None = None

    def __enter__(self) -> AtomicWriter:
        if self.format == "parquet":
            self._writer = pq.ParquetWriter(
                self._temp, self.schema, dictionary_pagesize_limit=DICTIONARY_PAGE_BYTES
            )
        else:
            options = pa_csv.WriteOptions(quoting_style="needed")
            self._writer = pa_csv.CSVWriter(self._temp, self.schema, write_options=options)
        return self

    def write(self, table: pa.Table) -> None:
        assert self._writer is not None
        self._writer.write_table(table.cast(self.schema))

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        assert self._writer is not None
        try:
            self._writer.close()
        finally:
            if exc_type is None:
                os.replace(self._temp, self.path)
            else:
                self._temp.unlink(missing_ok=True)


class BackgroundWriter:
    """Writes each chunk on a thread while the next one is priced.

    Arrow encodes and compresses without the GIL, so on two cores the write costs almost
    nothing on top of pricing. At most one chunk waits, so memory stays bounded; a
    failed write is raised on the next ``write`` or on leaving the block.
    """

    def __init__(self, writer: AtomicWriter) -> None:
        self._writer = writer
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-writer")
        self._pending: Future[None] | None = None

    def __enter__(self) -> BackgroundWriter:
        return self

    def write(self, table: pa.Table) -> None:
        self._wait()
        self._pending = self._pool.submit(self._writer.write, table)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        try:
            self._wait()
        finally:
            self._pool.shutdown(wait=True)
