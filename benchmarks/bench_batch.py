"""The batch command's throughput and memory, against merely reading and writing the file.

1. Parquet -> Parquet end to end for ``--rows`` (default 1,000,000) synthetic rides, as
   rows/s and as a ratio to pandas ``read_parquet`` + ``to_parquet`` of the same file in
   the same run (target: at least 50 %).
2. CSV -> CSV, the same rides, against pyarrow's plain ``read_csv`` + ``write_csv`` of
   the same file (target: at least 50 %).
   Both: ``--rounds`` (default 5) alternating runs of each side, the best of each side
   compared; every round's own ratio and their median are shown too, since other work
   on a shared machine can slow any single run.
3. The peak RSS of a ``--csv-rows`` (default 5,000,000) CSV -> CSV run with 5 % broken
   records (short rows, unquoted waypoints, bytes that are not UTF-8, stray quotes) and
   a memo over several lines in one row in ten, in a child process (its own VmHWM;
   target: under 1.5 GB).

Run: ``python benchmarks/bench_batch.py [--rows N] [--rounds N] [--csv-rows N]``
(``--csv-rows 0`` skips the memory run). Absolute times depend on the machine; CI never
gates on them.
"""

from __future__ import annotations

import argparse
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
            "distance_m": pa.array(distance, from_pandas=True),  # NaN -> missing
            "duration_s": pa.array(distance / 8.0, from_pandas=True),
            "charged_fare": (rng.integers(40, 400, n) * 100).astype(np.float64),
            "note": np.full(n, "carried through"),
        }
    )


def throughput(rows: int, folder: Path, rounds: int) -> None:
    """Plain read+write and the batch in alternation, ``rounds`` times each, so both see
    the same load from whatever else shares the machine; the ratio is of the best times
    (the first round of each also pays one-off page faults and caches)."""
    from fare_service.batch.command import Outputs, run_batch
    from fare_service.batch.frame import BatchSettings

    rides = synthetic_rides(rows)
    settings = BatchSettings(ROOT / "tariffs", "daeri-standard")
    settings.pricer()  # load once, outside the timing (the CLI pays ~0.4 s at start)
    parquet, csv = folder / "rides.parquet", folder / "rides.csv"
    pq.write_table(rides, parquet)
    pa_csv.write_csv(rides, csv)
    sides = {
        "parquet": (
            lambda: pd.read_parquet(parquet).to_parquet(folder / "copy.parquet"),
            lambda: run_batch(parquet, folder / "priced.parquet", settings),
            "pandas read_parquet+to_parquet",
        ),
        "csv": (
            lambda: pa_csv.write_csv(pa_csv.read_csv(csv), folder / "copy.csv"),
            lambda: run_batch(csv, Outputs(folder / "priced.csv"), settings),
            "pyarrow read_csv+write_csv",
        ),
    }
    for name, (plain, batch, plain_label) in sides.items():
        plain_s, batch_s = [], []
        for _ in range(rounds):
            plain_s.append(_seconds(plain))
            batch_s.append(_seconds(batch))
        ratios = [p / b for p, b in zip(plain_s, batch_s, strict=True)]
        print(
            f"{name} {rows:,} rows, best of {rounds}: {plain_label} "
            f"{rows / min(plain_s):,.0f} rows/s, batch {rows / min(batch_s):,.0f} rows/s, "
            f"ratio {min(plain_s) / min(batch_s):.0%} (target >= 50%); "
            f"per round {', '.join(f'{r:.0%}' for r in ratios)}, "
            f"median {statistics.median(ratios):.0%}",
            flush=True,
        )


def _seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


BROKEN_SHARE = 0.05


def messy_csv(path: Path, rows: int) -> int:
    """The synthetic rides as CSV, 1,000,000 at a time, with BROKEN_SHARE of the records
    broken and a memo over three lines in one in ten; returns the broken count."""
    broken = 0
    with path.open("wb") as file:
        for start in range(0, rows, 1_000_000):
            chunk = synthetic_rides(min(1_000_000, rows - start), seed=start)
            memo = np.where(np.arange(chunk.num_rows) % 10 == 0, "first\nsecond, more\nthird", "")
            chunk = chunk.append_column("memo", pa.array(memo))
            options = pa_csv.WriteOptions(include_header=start == 0)
            sink = pa.BufferOutputStream()
            pa_csv.write_csv(chunk, sink, write_options=options)
            lines = sink.getvalue().to_pybytes().split(b"\n")
            broken += _break(lines, start == 0, np.random.default_rng(start))
            file.write(b"\n".join(lines))
    return broken


def _break(lines: list[bytes], has_header: bool, rng: np.random.Generator) -> int:
    """Break BROKEN_SHARE of the single-line records in place, four ways in turn."""
    first = 1 if has_header else 0
    candidates = [i for i in range(first, len(lines)) if lines[i].endswith(b'""')]
    chosen = rng.choice(candidates, size=int(len(lines) * BROKEN_SHARE), replace=False)
    for n, i in enumerate(chosen.tolist()):
        kind = n % 4
        if kind == 0:  # a short row
            lines[i] = lines[i].split(b",")[0]
        elif kind == 1:  # an unquoted waypoint: one field too many
            lines[i] = lines[i].replace(b",", b",37.55,127.0,", 1)
        elif kind == 2:  # a byte that is not UTF-8
            lines[i] = lines[i][:-2] + b'"\xff"'
        else:  # a stray quote
            lines[i] = lines[i][:-2] + b'"oops'
    return len(chosen)


# The child reports its own peak: ru_maxrss of RUSAGE_CHILDREN would also count this
# process's pages at the fork (Linux keeps the high-water mark across exec), i.e. the
# throughput runs' gigabyte. VmHWM is the peak of the child's own address space.
CHILD = """
import atexit, sys
from fare_service.cli import main
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            print(int(line.split()[1]) // 1024, file=sys.stderr)
atexit.register(peak)
sys.exit(main(sys.argv[1:]))
"""


def peak_memory(rows: int, folder: Path) -> None:
    source = folder / "rides.csv"
    broken = messy_csv(source, rows)
    command = [sys.executable, "-c", CHILD, "batch", str(source), "--out", str(folder / "o.csv")]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, check=False, stderr=subprocess.PIPE, text=True)
    elapsed_s = time.perf_counter() - started
    peak_mb = int(done.stderr.strip().splitlines()[-1])
    print(
        f"csv {rows:,} rows, {broken:,} broken: {rows / elapsed_s:,.0f} rows/s, "
        f"exit {done.returncode}, peak RSS {peak_mb:,} MB (target < 1,500 MB)"
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
