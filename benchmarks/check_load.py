"""Check a locust run against the thresholds; write a JSON summary and a latency chart.

    python benchmarks/check_load.py rss --pid PID          # RSS (bytes) of a process tree
    python benchmarks/check_load.py cpu --pid PID          # CPU seconds of each worker
    python benchmarks/check_load.py tcp                    # the kernel's TCP counters
    python benchmarks/check_load.py check --csv benchmarks/results/load --p99-ms 25 ...

Thresholds: no failed request; p99 and p99.9 of quotes and adjustments under ``--p99-ms``
and ``--p999-ms``; RSS growth under 10% between start (after a warm-up) and end, in soak
mode. Exit 1 on a miss. Called by ``run_load.sh``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

CHECKED = {"/v1/quotes": "quotes", "/v1/adjustments": "adjustments"}
# A dropped SYN or a full accept queue costs the client a 1 s retransmission, which the
# server's own histogram never sees; these tell it from a stall in the server.
TCP_COUNTERS = (
    "ListenOverflows",
    "ListenDrops",
    "TCPSynRetrans",
    "TCPTimeouts",
    "PassiveOpens",
    "EstabResets",
)


def tcp_counters() -> dict[str, int]:
    """The machine's (not only this server's) TCP counters from /proc, as nstat shows them."""
    found: dict[str, int] = {}
    for source in ("/proc/net/snmp", "/proc/net/netstat"):
        lines = Path(source).read_text().splitlines()
        for names, values in zip(lines[::2], lines[1::2], strict=True):
            pairs = zip(names.split()[1:], values.split()[1:], strict=True)
            found.update((n, int(v)) for n, v in pairs if n in TCP_COUNTERS)
    return found


def tcp_delta(start: str | None, end: str | None) -> dict[str, int] | None:
    if not start or not end:
        return None
    before, after = json.loads(start), json.loads(end)
    return {name: after[name] - before.get(name, 0) for name in after}


def rss_of_tree(pid: int) -> int:
    import psutil

    root = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])


def cpu_of_workers(pid: int) -> list[float]:
    """User + system CPU seconds of the server process and of each of its children."""
    import psutil

    root = psutil.Process(pid)
    procs = [root, *root.children(recursive=True)]
    return [round(sum(p.cpu_times()[:2]), 2) for p in procs]


def cpu_share(start: str | None, end: str | None, seconds: float) -> list[float] | None:
    """Per process, the share of one core used between two ``cpu`` readings."""
    if not start or not end:
        return None
    before, after = json.loads(start), json.loads(end)
    if len(before) != len(after):
        return None
    return [round((b - a) / seconds, 2) for a, b in zip(before, after, strict=True)]


def server_latency(start: str | None, end: str | None) -> dict[str, dict[str, float]] | None:
    """Per route, from the server's ``fare_request_seconds`` histogram over the run (end
    minus start): requests, the share served within 25 ms, and the bucket holding p99.

    This is the time from the app receiving a request to its last byte sent; what locust
    reports on top is waiting in the worker's queue, the network stack and the client.
    """
    if not start or not end:
        return None
    before, after = _buckets(Path(start).read_text()), _buckets(Path(end).read_text())
    result = {}
    for route, counts in after.items():
        run = {le: n - before.get(route, {}).get(le, 0.0) for le, n in counts.items()}
        total = run[float("inf")]
        if total <= 0:
            continue
        p99 = min(le for le, n in run.items() if n >= 0.99 * total)
        result[route] = {
            "requests": int(total),
            "within_25ms": round(run.get(0.025, 0.0) / total, 4),
            "p99_at_most_ms": p99 * 1000,
        }
    return result


def _buckets(text: str) -> dict[str, dict[float, float]]:
    """``route -> {upper bound (s): cumulative count}`` from Prometheus text."""
    from prometheus_client.parser import text_string_to_metric_families

    found: dict[str, dict[float, float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "fare_request_seconds_bucket":
                bound = float(sample.labels["le"])
                found.setdefault(sample.labels["route"], {})[bound] = sample.value
    return found


def check(args: argparse.Namespace) -> int:
    import pandas as pd

    stats = pd.read_csv(f"{args.csv}_stats.csv")
    failures: list[str] = []
    endpoints = {}
    for _, row in stats.iterrows():
        name, count = row["Name"], int(row["Request Count"])
        endpoints[name] = {
            "requests": count,
            "failures": int(row["Failure Count"]),
            "rps": round(float(row["Requests/s"]), 1),
            "p50_ms": row["50%"],
            "p99_ms": row["99%"],
            "p999_ms": row["99.9%"],
            "max_ms": round(float(row["Max Response Time"]), 1),
        }
        if int(row["Failure Count"]):
            failures.append(f"{name}: {int(row['Failure Count'])} failed requests")
        if name in CHECKED and float(row["99%"]) > args.p99_ms:
            failures.append(f"{name}: p99 {row['99%']} ms > {args.p99_ms} ms")
        if name in CHECKED and float(row["99.9%"]) > args.p999_ms:
            failures.append(f"{name}: p99.9 {row['99.9%']} ms > {args.p999_ms} ms")
    growth = (args.rss_end - args.rss_start) / args.rss_start if args.rss_start else None
    if growth is not None and growth > 0.10:
        failures.append(f"server RSS grew {growth:.1%} (limit 10%)")
    summary = {
        "offered_rps": args.rate,
        "workers": args.workers,
        "run_time": args.run_time,
        "p99_limit_ms": args.p99_ms,
        "p999_limit_ms": args.p999_ms,
        "endpoints": endpoints,
        "rss_start_mb": round(args.rss_start / 2**20, 1) if args.rss_start else None,
        "rss_end_mb": round(args.rss_end / 2**20, 1) if args.rss_end else None,
        "rss_growth": round(growth, 4) if growth is not None else None,
        # share of one core per process (the supervisor first, then each worker)
        "server_cpu_cores": cpu_share(args.cpu_start, args.cpu_end, args.elapsed_s or 1),
        "server_latency": server_latency(args.metrics_start, args.metrics_end),
        "tcp_counters": tcp_delta(args.tcp_start, args.tcp_end),
        "failed_thresholds": failures,
        "passed": not failures,
    }
    Path(args.summary).write_text(json.dumps(summary, indent=2), encoding="utf-8")
    chart(f"{args.csv}_stats_history.csv", args.chart)
    print(json.dumps(summary, indent=2))
    return 1 if failures else 0


def chart(history_csv: str, out: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    history = pd.read_csv(history_csv)
    history = history[history["Name"] != "Aggregated"]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for name, rows in history.groupby("Name"):
        seconds = rows["Timestamp"] - history["Timestamp"].min()
        for pct, style in (("50%", ":"), ("99%", "-")):
            values = pd.to_numeric(rows[pct], errors="coerce")
            ax.plot(seconds, values, style, label=f"{name} p{pct[:-1]}")
    ax.set_xlabel("seconds")
    ax.set_ylabel("latency (ms, percentile over the last few seconds)")
    ax.set_yscale("log")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rss = commands.add_parser("rss")
    rss.add_argument("--pid", type=int, required=True)
    cpu = commands.add_parser("cpu")
    cpu.add_argument("--pid", type=int, required=True)
    commands.add_parser("tcp")
    run = commands.add_parser("check")
    for name in ("--csv", "--summary", "--chart", "--run-time"):
        run.add_argument(name, required=True)
    run.add_argument("--p99-ms", type=float, default=25.0)
    run.add_argument("--p999-ms", type=float, default=50.0)
    for name in ("--rate", "--workers"):
        run.add_argument(name, type=int, required=True)
    run.add_argument("--rss-start", type=int, help="bytes, after warm-up (soak mode)")
    run.add_argument("--rss-end", type=int)
    run.add_argument("--cpu-start", help="JSON list from the cpu command, before the run")
    run.add_argument("--cpu-end", help="the same after the run")
    run.add_argument("--elapsed-s", type=float, help="seconds between the two cpu readings")
    run.add_argument("--metrics-start", help="/metrics text saved before the run")
    run.add_argument("--metrics-end", help="/metrics text saved after the run")
    run.add_argument("--tcp-start", help="JSON from the tcp command, before the run")
    run.add_argument("--tcp-end", help="the same after the run")
    args = parser.parse_args()
    if args.command == "rss":
        print(rss_of_tree(args.pid))
        return 0
    if args.command == "cpu":
        print(json.dumps(cpu_of_workers(args.pid)))
        return 0
    if args.command == "tcp":
        print(json.dumps(tcp_counters()))
        return 0
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
