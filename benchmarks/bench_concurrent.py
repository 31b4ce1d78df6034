"""Single quotes while two 10,000-item batches run on the same server.

Starts fare-service on 127.0.0.1 (``bench_api.start_server``), sends two concurrent
``POST /v1/quotes/batch`` of 10,000 items each (``bodies.batch_body``), and meanwhile
``POST /v1/quotes`` one after another on one keep-alive connection for as long as the
batches run. Reports p50/p99/max of the single quotes, how many there were, and how long
each batch took. Target: single quotes' p99 within 50 ms while the batches run, so an
agent on the phone does not wait behind a back-office batch.

    python benchmarks/bench_concurrent.py [--workers 1] [--runs 1] [--limit-s 300]

With one worker (the default) both batches share the quotes' event loop, the hard case;
with two, the kernel places each connection on either worker. The machine has 2 cores
shared by this client and the server: compare runs of the same day, not absolute figures.
Every request and the whole run are bounded by ``--limit-s``.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import random
import secrets
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api import start_server, stop_server
from bodies import batch_body, quote_body

BATCH_ITEMS = 10_000
TARGET_P99_MS = 50.0


def post(conn: http.client.HTTPConnection, path: str, body: bytes, key: str) -> int:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def run_batch(port: int, body: bytes, key: str, limit_s: float, out: dict) -> None:
    """One batch on its own connection; its status and seconds go into ``out``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=limit_s)
    started = time.perf_counter()
    try:
        out["status"] = post(conn, "/v1/quotes/batch", body, key)
    except OSError as error:
        out["status"] = repr(error)
    finally:
        out["seconds"] = round(time.perf_counter() - started, 2)
        conn.close()


def single_quotes(
    port: int, bodies: list[bytes], key: str, until: threading.Event, out: dict
) -> None:
    """Sends quotes one after another until ``until`` is set; their ms and statuses to ``out``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    times, statuses = out.setdefault("times", []), out.setdefault("statuses", {})
    try:
        for body in itertools.cycle(bodies):
            if until.is_set():
                break
            started = time.perf_counter()
            status = post(conn, "/v1/quotes", body, key)
            times.append((started, (time.perf_counter() - started) * 1000))
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        conn.close()


def one_run(port: int, key: str, limit_s: float, seed: int) -> dict:
    rng = random.Random(seed)
    quotes = [json.dumps(quote_body(rng)).encode() for _ in range(500)]
    batches = [json.dumps(batch_body(rng, BATCH_ITEMS)).encode() for _ in range(2)]
    warm = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for body in quotes[:20]:
        post(warm, "/v1/quotes", body, key)
    warm.close()

    done, singles, outcomes = threading.Event(), {}, [{}, {}]
    threads = [
        threading.Thread(target=run_batch, args=(port, body, key, limit_s, out))
        for body, out in zip(batches, outcomes, strict=True)
    ]
    quoting = threading.Thread(target=single_quotes, args=(port, quotes, key, done, singles))
    started = time.perf_counter()
    quoting.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, limit_s - (time.perf_counter() - started)))
    done.set()
    quoting.join(timeout=15)
    seconds = time.perf_counter() - started
    times = [(round(at - started, 2), ms) for at, ms in singles.get("times", [])]
    return summary(times, singles.get("statuses", {}), outcomes, seconds)


def summary(
    times: list[tuple[float, float]], statuses: dict, batches: list[dict], seconds: float
) -> dict:
    """``times``: (seconds since the batches were sent, milliseconds) of each single quote."""
    ordered = sorted(ms for _, ms in times)

    def pct(p: float) -> float | None:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1) if ordered else None

    return {
        "singles": len(ordered),
        "single_statuses": statuses,
        "single_p50_ms": pct(0.50),
        "single_p99_ms": pct(0.99),
        "single_max_ms": round(ordered[-1], 1) if ordered else None,
        "single_mean_ms": round(statistics.fmean(ordered), 1) if ordered else None,
        # when the slowest were sent tells which step of a batch held the event loop
        "single_slowest_at_s_ms": [
            (at, round(ms, 1)) for at, ms in sorted(times, key=lambda t: -t[1])[:5]
        ],
        "batches": batches,
        "run_s": round(seconds, 2),
        "target_p99_ms": TARGET_P99_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--limit-s", type=float, default=300, help="bound on each run")
    parser.add_argument("--port", type=int, default=8795)
    args = parser.parse_args()
    key = secrets.token_urlsafe(16)
    server = start_server(args.port, args.workers, key)
    try:
        runs = [one_run(args.port, key, args.limit_s, seed) for seed in range(args.runs)]
    finally:
        stop_server(server)
    for run in runs:
        met = run["single_p99_ms"] is not None and run["single_p99_ms"] <= TARGET_P99_MS
        print(
            f"workers={args.workers}  {run['singles']} single quotes: "
            f"p50 {run['single_p50_ms']} ms  p99 {run['single_p99_ms']} ms  "
            f"max {run['single_max_ms']} ms  (target p99 <= {TARGET_P99_MS:.0f} ms: "
            f"{'met' if met else 'missed'})"
        )
        for i, batch in enumerate(run["batches"], 1):
            print(f"  batch {i}: {batch.get('seconds')} s, status {batch.get('status')}")
        print("  slowest single quotes (sent at s, ms):", run["single_slowest_at_s_ms"])
    out = Path(__file__).resolve().parent / "results" / "bench-concurrent.json"
    out.write_text(json.dumps({"workers": args.workers, "runs": runs}, indent=2))


if __name__ == "__main__":
    main()
