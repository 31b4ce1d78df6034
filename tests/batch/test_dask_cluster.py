"""The documented multi-machine path: a real ``dask scheduler`` and two ``dask worker``
processes on 127.0.0.1, driven by ``fare-service batch --engine dask --scheduler``."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from batch_testing import ROOT, make_row, messy_csv, write

pytestmark = pytest.mark.slow
START_S = 90  # the scheduler and both workers up, or the test fails


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _dask(*args: str, log: Path) -> subprocess.Popen[bytes]:
    dask = Path(sys.executable).with_name("dask")
    with log.open("wb") as out:
        return subprocess.Popen([str(dask), *args], cwd=ROOT, stdout=out, stderr=out)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    logs = tmp_path_factory.mktemp("dask-logs")
    address = f"tcp://127.0.0.1:{_free_port()}"
    common = ["--no-dashboard"]
    processes = [
        _dask(
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            address.rsplit(":", 1)[1],
            *common,
            log=logs / "scheduler.log",
        )
    ]
    try:
        for i in range(2):
            processes.append(
                _dask(
                    "worker",
                    address,
                    "--host",
                    "127.0.0.1",
                    "--nthreads",
                    "1",
                    "--nworkers",
                    "1",
                    "--memory-limit",
                    "1GiB",
                    *common,
                    log=logs / f"worker{i}.log",
                )
            )
        _wait_for_workers(address, 2)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)


def _wait_for_workers(address: str, count: int) -> None:
    from distributed import Client

    deadline = time.monotonic() + START_S
    while True:
        try:
            with Client(address, timeout=5) as client:
                client.wait_for_workers(count, timeout=max(deadline - time.monotonic(), 1))
                return
        except (OSError, TimeoutError):
            if time.monotonic() > deadline:
                raise


def _batch(source: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "fare_service.cli", "batch", str(source), "--out", str(out)]
    return subprocess.run(
        [*command, "--chunk-rows", "2000", *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _records_by_line(path: Path) -> list[bytes]:
    """The output's records (a memo may hold newlines) sorted by source_line."""
    import csv
    import io

    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    at = header.index("source_line")
    ordered = sorted(body, key=lambda row: int(row[at]))
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows([header, *ordered])
    return buffer.getvalue().encode().splitlines()


def test_csv_on_two_workers_equals_the_pandas_engine(scheduler: str, tmp_path: Path) -> None:
    source = tmp_path / "messy.csv"
    messy_csv(source, 12_000)
    pandas_run = _batch(source, tmp_path / "pandas.csv")
    dask_run = _batch(source, tmp_path / "dask.csv", "--engine", "dask", "--scheduler", scheduler)
    assert pandas_run.returncode == dask_run.returncode == 1, dask_run.stderr
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()
    assert _records_by_line(tmp_path / "dask.csv") == _records_by_line(tmp_path / "pandas.csv")


def test_parquet_on_two_workers_equals_the_pandas_engine(scheduler: str, tmp_path: Path) -> None:
    rows = [make_row(call_id=f"C{i}", distance_m=1000 + 37 * i) for i in range(9000)]
    rows[5].update(at="yesterday")
    source = write(tmp_path / "in.parquet", rows)
    pq.write_table(pq.read_table(source), source, row_group_size=1500)  # groups to share
    assert _batch(source, tmp_path / "pandas.parquet").returncode == 1
    dask_run = _batch(
        source, tmp_path / "dask.parquet", "--engine", "dask", "--scheduler", scheduler
    )
    assert dask_run.returncode == 1, dask_run.stderr
    pandas_out = pq.read_table(tmp_path / "pandas.parquet").sort_by("source_line")
    dask_out = pq.read_table(tmp_path / "dask.parquet").sort_by("source_line")
    assert dask_out.equals(pandas_out)
    assert dask_out["source_line"].to_pylist() == list(range(1, 9001))
