"""``--engine dask``: :func:`price_chunk` over ``dask.dataframe`` partitions on a cluster.

Workers read their partitions of the input themselves (the file must be reachable from
every worker), price them, and the client receives the priced partitions in input order,
a few at a time, and writes them through the same writer as the pandas engine: one file,
the same rows, bounded memory on the client.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa

from fare_service.batch.frame import RESULT_COLUMNS, BatchSettings, join_results, price_chunk
from fare_service.batch.io import file_format

IN_FLIGHT = 4  # partitions computed ahead of the writer


def dask_chunks(
    path: Path, settings: BatchSettings, *, scheduler: str | None, chunk_rows: int
) -> Iterator[tuple[pa.Table, float]]:
    """Priced partitions in input order, each with the share of partitions done."""
    from distributed import Client, LocalCluster

    cluster = None if scheduler else LocalCluster(processes=False, dashboard_address=None)
    with Client(scheduler or cluster) as client:
        try:
            parts = _priced_frame(path, settings, chunk_rows).to_delayed()
            for done, frame in enumerate(_in_order(client, parts), start=1):
                yield _to_arrow(frame), done / len(parts)
        finally:
            if cluster is not None:
                cluster.close()


def _in_order(client, parts: list) -> Iterator[pd.DataFrame]:  # type: ignore[no-untyped-def]
    """Results in submission order, with at most IN_FLIGHT partitions computed ahead."""
    pending: deque = deque()
    for part in parts:
        pending.append(client.compute(part))
        if len(pending) > IN_FLIGHT:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _priced_frame(path: Path, settings: BatchSettings, chunk_rows: int):  # type: ignore[no-untyped-def]
    import dask.dataframe as dd

    if file_format(path) == "parquet":
        frame = dd.read_parquet(path, dtype_backend="pyarrow")
    else:  # text verbatim, as the pandas engine reads CSV
        frame = dd.read_csv(
            path,
            dtype="string[pyarrow]",
            keep_default_na=False,
            na_filter=False,
            blocksize=max(chunk_rows * 100, 1 << 20),
        )
    meta = _with_results(frame._meta, None)
    return frame.map_partitions(_with_results, settings, meta=meta)


def _with_results(partition: pd.DataFrame, settings: BatchSettings | None) -> pd.DataFrame:
    """The partition's columns, then its result columns (empty for Dask's ``meta``)."""
    kept = partition.drop(columns=[c for c in RESULT_COLUMNS if c in partition.columns])
    if settings is None:
        results = pd.DataFrame(
            {
                "fare": pd.array([], dtype="Int64"),
                "tariff_version": pd.array([], dtype="str"),
                "distance_m_priced": pd.array([], dtype="Int64"),
                "duration_s_priced": pd.array([], dtype="Int64"),
                "overcharge": pd.array([], dtype="Int64"),
                "verdict": pd.array([], dtype="str"),
                "status": pd.array([], dtype="str"),
                "error": pd.array([], dtype="str"),
            },
            index=partition.index,
        )
    else:
        results = price_chunk(partition, settings.pricer())
    return pd.concat([kept, results], axis=1)


def _to_arrow(frame: pd.DataFrame) -> pa.Table:
    inputs = frame.drop(columns=list(RESULT_COLUMNS))
    table = pa.Table.from_pandas(inputs, preserve_index=False)
    return join_results(table, frame[list(RESULT_COLUMNS)])
