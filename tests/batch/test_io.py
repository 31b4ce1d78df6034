"""The background writer: same file as writing in line, and a failed write is not lost."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fare_service.batch.io import AtomicWriter, BackgroundWriter


def test_background_writer_writes_every_chunk_in_order(tmp_path: Path) -> None:
    source, target = tmp_path / "in.parquet", tmp_path / "out.parquet"
    source.touch()
    chunks = [pa.table({"n": list(range(start, start + 3))}) for start in range(0, 12, 3)]
    with (
        AtomicWriter(target, chunks[0].schema, source=source) as writer,
        BackgroundWriter(writer) as background,
    ):
        for chunk in chunks:
            background.write(chunk)
    assert pq.read_table(target)["n"].to_pylist() == list(range(12))


def test_a_failed_background_write_raises_and_leaves_no_file(tmp_path: Path) -> None:
    source, target = tmp_path / "in.parquet", tmp_path / "out.parquet"
    source.touch()
    schema = pa.schema([("n", pa.int64())])
    with (
        pytest.raises(pa.ArrowInvalid),
        AtomicWriter(target, schema, source=source) as writer,
        BackgroundWriter(writer) as background,
    ):
        background.write(pa.table({"n": ["not a number"]}))
    assert not target.exists() and list(tmp_path.iterdir()) == [source]
