"""``--engine dask``: the pandas engine's chunk function on a Dask cluster's workers.

CSV: this process finds the record boundaries (a quoted value may hold newlines, so a
worker cannot start reading at an arbitrary byte) and sends each block of whole records
to a worker, which parses and prices it exactly as the pandas engine does. Parquet: each
worker reads its row groups itself (the file must be reachable at the same path from
every worker). The priced blocks come back in input order, a few at a time, and go
through the same writer: one file, the same bytes as the pandas engine.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from fare_service.batch.frame import BatchSettings, price_read
from fare_service.batch.reading import (
    CsvBlock,
    InputFile,
    parquet_chunk,
    parse_block,
    reading_errors,
)

IN_FLIGHT = 4  # blocks computed ahead of the writer


def dask_tables(
    reader: InputFile, settings: BatchSettings, *, scheduler: str | None
) -> Iterator[pa.Table]:
    """Priced blocks in input order."""
    from distributed import Client, LocalCluster

    cluster = None if scheduler else LocalCluster(processes=False, dashboard_address=None)
    try:
        with Client(scheduler or cluster) as client:
            pending: deque[Any] = deque()
            for task in _tasks(client, reader, settings):
                pending.append(task)
                if len(pending) > IN_FLIGHT:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
    finally:
        if cluster is not None:
            cluster.close()


def _tasks(client: Any, reader: InputFile, settings: BatchSettings) -> Iterator[Any]:
    if reader.csv is not None:
        with reading_errors(reader.path):
            for block in reader.csv.blocks():
                reader.rows_done += len(block.records)
                yield client.submit(price_csv_block, client.scatter(block), settings, pure=False)
        return
    assert reader.parquet is not None
    rows_before = 0
    for groups, rows in _row_group_runs(reader.parquet, reader.chunk_rows):
        yield client.submit(
            price_row_groups, reader.path, groups, rows_before, reader.chunk_rows, settings
        )
        rows_before += rows
        reader.rows_done = rows_before


def _row_group_runs(parquet: pq.ParquetFile, chunk_rows: int) -> Iterator[tuple[list[int], int]]:
    """Consecutive row groups of at least ``chunk_rows`` rows together (the last fewer)."""
    groups: list[int] = []
    rows = 0
    for index in range(parquet.metadata.num_row_groups):
        groups.append(index)
        rows += parquet.metadata.row_group(index).num_rows
        if rows >= chunk_rows:
            yield groups, rows
            groups, rows = [], 0
    if groups:
        yield groups, rows


def price_csv_block(block: CsvBlock, settings: BatchSettings) -> pa.Table:
    return price_read(parse_block(block), settings.pricer())


def price_row_groups(
    path: Path, groups: list[int], rows_before: int, chunk_rows: int, settings: BatchSettings
) -> pa.Table:
    """The row groups, priced ``chunk_rows`` at a time as the pandas engine does."""
    table = pq.ParquetFile(path).read_row_groups(groups)
    pricer = settings.pricer()
    priced = [
        price_read(parquet_chunk(table.slice(start, chunk_rows), rows_before + start), pricer)
        for start in range(0, table.num_rows, chunk_rows)
    ]
    return pa.concat_tables(priced)
