"""Writing without harm: the background writer, the all-or-nothing renames, the checks
that no target is the input, and the removal of stale temporary files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fare_service.batch.errors import BatchFileError
from fare_service.batch.io import (
    AtomicWriter,
    BackgroundWriter,
    check_distinct,
    commit,
    remove_stale_partials,
)


def test_background_writer_writes_every_chunk_in_order(tmp_path: Path) -> None:
    target = tmp_path / "out.parquet"
    chunks = [pa.table({"n": list(range(start, start + 3))}) for start in range(0, 12, 3)]
    with (
        AtomicWriter(target, chunks[0].schema) as writer,
        BackgroundWriter(writer) as background,
    ):
        for chunk in chunks:
            background.write(chunk)
    assert not target.exists()  # nothing is renamed before the command commits
    commit([(writer.temporary, target)])
    assert pq.read_table(target)["n"].to_pylist() == list(range(12))
    assert list(tmp_path.iterdir()) == [target]


def test_a_failed_background_write_raises_and_leaves_no_file(tmp_path: Path) -> None:
    schema = pa.schema([("n", pa.int64())])
    with (
        pytest.raises(BatchFileError, match=r"out\.parquet: cannot write"),
        AtomicWriter(tmp_path / "out.parquet", schema) as writer,
        BackgroundWriter(writer) as background,
    ):
        background.write(pa.table({"n": ["not a number"]}))
    assert list(tmp_path.iterdir()) == []


def test_a_failed_rename_puts_back_what_the_user_had(tmp_path: Path) -> None:
    out, report = tmp_path / "out.csv", tmp_path / "report.html"
    out.write_text("the user's old output")
    new_out = tmp_path / "new-out"
    new_out.write_text("new output")
    missing_report = tmp_path / "never-written"  # the second rename fails
    with pytest.raises(OSError):
        commit([(new_out, out), (missing_report, report)])
    assert out.read_text() == "the user's old output"
    assert not report.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_failed_rename_leaves_no_new_file(tmp_path: Path) -> None:
    new_out = tmp_path / "new-out"
    new_out.write_text("new output")
    with pytest.raises(OSError):
        commit([(new_out, tmp_path / "out.csv"), (tmp_path / "absent", tmp_path / "r.html")])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "spell",
    [
        lambda p: p,
        lambda p: p.parent / "." / p.name,
        lambda p: p.parent / "sub" / ".." / p.name,
    ],
)
def test_targets_must_differ_from_the_input_and_each_other(tmp_path: Path, spell) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "sub").mkdir()
    source = tmp_path / "in.csv"
    source.write_text("call_id\n")
    with pytest.raises(BatchFileError, match="--out would overwrite the input"):
        check_distinct(source, out=spell(source), report=None)
    with pytest.raises(BatchFileError, match="--report would overwrite the input"):
        check_distinct(source, out=tmp_path / "out.csv", report=spell(source))
    out = tmp_path / "out.csv"
    with pytest.raises(BatchFileError, match="--report would overwrite --out"):
        check_distinct(source, out=out, report=spell(out))


def test_links_to_the_input_are_the_input(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("call_id\n")
    (tmp_path / "soft.csv").symlink_to(source)
    os.link(source, tmp_path / "hard.csv")
    for name in ("soft.csv", "hard.csv"):
        with pytest.raises(BatchFileError, match="overwrite the input"):
            check_distinct(source, out=tmp_path / name)
        with pytest.raises(BatchFileError, match="overwrite the input"):
            check_distinct(source, out=tmp_path / "o.csv", report=tmp_path / name)


def test_stale_partials_of_ended_processes_are_removed(tmp_path: Path) -> None:
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead_pid = int(ended.stdout)
    target = tmp_path / "out.parquet"
    stale = tmp_path / f".out.parquet.{dead_pid}.partial"
    running = tmp_path / f".out.parquet.{os.getpid()}.partial"  # a live run: left alone
    other = tmp_path / f".other.parquet.{dead_pid}.partial"  # not this output's
    for path in (stale, running, other):
        path.write_bytes(b"x" * 100)
    assert remove_stale_partials(target) == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([running.name, other.name])
