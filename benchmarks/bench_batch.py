"""The batch command's throughput and memory, against merely reading and writing the file.

1. Parquet -> Parquet end to end for ``--rows`` (default 1,000,000) synthetic rides, as
   rows/s and as a ratio to pandas ``read_parquet`` + ``to_parquet`` of the same file in
   the same run (target: at least 50 %): ``--rounds`` (default 5) alternating runs of
   each, the best of each side compared; every round's own ratio and their median are
   shown too, since other work on a shared machine can slow any single run.
2. The peak RSS of a ``--csv-rows`` (default 5,000,000) CSV -> CSV run, in a child process
   (``resource.getrusage(RUSAGE_CHILDREN)``; target: under 1.5 GB).

Run: ``python benchmarks/bench_batch.py [--rows N] [--rounds N] [--csv-rows N]``
(``--csv-rows 0`` skips the CSV run). Absolute times depend on the machine; CI never
gates on them.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def synthetic_rides(n: int, seed: int = 7) -> pa.Table:
    """Rides inside central Seoul; a third with a recorded route, 1 % bad rows."""
    rng = np.random.default_rng(seed)
    lat = rng.uniform(37.48, 37.60, (2, n))
    lon = rng.uniform(126.90, 127.08, (2, n))
    recorded = rng.random(n) < 0.33
    seconds = rng.integers(0, 365 * 86_400, n).astype("timedelta64[s]")
    at = (np.datetime64("2024-01-01T00:00:00") + seconds).astype(str)
    at[rng.random(n) < 0.01] = "not a time"
    distance = np.where(recorded, rng.uniform(1_000, 30_000, n).round(), np.nan)
    return pa.table(
        {
            "call_id": pa.array(np.char.add("C", np.arange(n).astype(str))),
            "at": at,
            "tariff_id": np.where(rng.random(n) < 0.5, "seoul-taxi", ""),
            "origin_lat": lat[0],
            "origin_lon": lon[0],
            "destination_lat": lat[1],
            "destination_lon": lon[1],
            "distance_m": distance,
            "duration_s": distance / 8.0,
            "charged_fare": (rng.integers(40, 400, n) * 100).astype(np.float64),
            "note": np.full(n, "carried through"),
        }
    )


def throughput(rows: int, folder: Path, rounds: int) -> None:
    """Plain read+write and the batch in alternation, ``rounds`` times each, so both see
    the same load from whatever else shares the machine; the ratio is of the best times
    (the first round of each also pays one-off page faults and caches)."""
    from fare_service.batch.command import run_batch
    from fare_service.batch.frame import BatchSettings

    source = folder / "rides.parquet"
    pq.write_table(synthetic_rides(rows), source)
    settings = BatchSettings(ROOT / "tariffs", "daeri-standard")
    settings.pricer()  # load once, outside the timing (the CLI pays ~0.4 s at start)
    plain_s, batch_s = [], []
    for _ in range(rounds):
        plain_s.append(
            _seconds(lambda: pd.read_parquet(source).to_parquet(folder / "copy.parquet"))
        )
        batch_s.append(_seconds(lambda: run_batch(source, folder / "priced.parquet", settings)))
    ratios = [plain / batch for plain, batch in zip(plain_s, batch_s, strict=True)]
    print(
        f"parquet {rows:,} rows, best of {rounds}: read+write {rows / min(plain_s):,.0f} rows/s, "
        f"batch {rows / min(batch_s):,.0f} rows/s, ratio {min(plain_s) / min(batch_s):.0%} "
        f"(target >= 50%); per round {', '.join(f'{r:.0%}' for r in ratios)}, "
        f"median {statistics.median(ratios):.0%}"
    )


def _seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def peak_memory(rows: int, folder: Path) -> None:
    source = folder / "rides.csv"
    with pa_csv.CSVWriter(source, synthetic_rides(1).schema) as writer:
        for start in range(0, rows, 1_000_000):
            writer.write_table(synthetic_rides(min(1_000_000, rows - start), seed=start))
    command = [
        sys.executable,
        "-m",
        "fare_service.cli",
        "batch",
        str(source),
        "--out",
        str(folder / "priced.csv"),
    ]
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=False, stderr=subprocess.DEVNULL)
    elapsed_s = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"csv {rows:,} rows: {rows / elapsed_s:,.0f} rows/s, peak RSS {peak_mb:,.0f} MB "
        f"(target < 1,500 MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5, help="timed runs of each side")
    parser.add_argument("--csv-rows", type=int, default=5_000_000, help="0 skips the CSV run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        throughput(args.rows, Path(folder), args.rounds)
    if args.csv_rows:
        with tempfile.TemporaryDirectory() as folder:
            peak_memory(args.csv_rows, Path(folder))


if __name__ == "__main__":
    main()
