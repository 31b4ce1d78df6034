"""Peak throughput of the hot endpoints against ``GET /healthz`` on the same server.

For 1 and 2 uvicorn workers: start fare-service on 127.0.0.1, drive each endpoint with
Debian's ``wrk`` (closed loop, fixed connections and duration) and report requests/s,
the ratio to ``/healthz`` measured in the same run, and the server's CPU time per request
(user + system of the whole worker tree, from psutil). Targets: quotes >= 50% and
adjustments >= 40% of healthz throughput.

    python benchmarks/bench_api.py [--seconds 10] [--connections 32] [--workers 1 2]

The machine has 2 cores shared by wrk and the server: compare the ratios, not the
absolute figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bodies import adjustment_body, quote_body

ROOT = Path(__file__).resolve().parents[1]

LUA = """
wrk.method = "{method}"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {key}"
bodies = {{}}
for line in io.lines("{bodies}") do bodies[#bodies + 1] = line end
counter = 0
request = function()
  if #bodies == 0 then return wrk.format() end
  counter = counter % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[counter])
end
"""


def start_server(
    port: int, workers: int, key: str, root: Path = ROOT, extra_env: dict[str, str] | None = None
) -> subprocess.Popen:
    """fare-service from the source tree ``root`` (its package first on the path) on
    127.0.0.1, with the embedded router whatever the environment says: nothing leaves
    the machine; ``extra_env`` adds variables. Waits for ``/healthz`` from this process,
    not one left on the port."""
    env = {
        **os.environ,
        **(extra_env or {}),
        "FARE_SERVICE_API_KEYS": key,
        "FARE_SERVICE_ROUTER": "embedded",
        "PYTHONPATH": str(root),
    }
    cmd = [sys.executable, "-m", "fare_service.cli", "serve", "--host", "127.0.0.1"]
    server = subprocess.Popen(
        [*cmd, "--port", str(port), "--workers", str(workers)],
        env=env,
        cwd=root,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            if server.poll() is None:
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"the server from {root} did not start on port {port}")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def cpu_seconds(pid: int) -> float:
    root = psutil.Process(pid)
    total = 0.0
    for proc in [root, *root.children(recursive=True)]:
        times = proc.cpu_times()
        total += times.user + times.system
    return total


def run_wrk(url: str, script: Path, seconds: int, connections: int) -> tuple[float, int]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script), "--latency", url],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    ).stdout
    rate = float(next(line for line in out.splitlines() if "Requests/sec" in line).split()[1])
    total = int(next(line for line in out.splitlines() if "requests in" in line).split()[0])
    errors = [line for line in out.splitlines() if "Non-2xx" in line or "Socket errors" in line]
    if errors:
        print("   ", *errors)
    return rate, total


def add_env_arguments(parser: argparse.ArgumentParser, process: str) -> None:
    """``--this-env`` and ``--base-env`` NAME=VALUE (repeatable): a variable for one side's
    ``process`` only, read back with :func:`env_pairs`."""
    for side, whose in (("this", "this checkout's"), ("base", "the base commit's")):
        parser.add_argument(
            f"--{side}-env", action="append", default=[], metavar="NAME=VALUE",
            help=f"an environment variable for {whose} {process} only",
        )  # fmt: skip


def env_pairs(pairs: list[str]) -> dict[str, str]:
    """``NAME=VALUE`` arguments as a dict."""
    return dict(pair.split("=", 1) for pair in pairs)


def write_script(folder: Path, name: str, method: str, key: str, bodies: list[dict]) -> Path:
    lines = folder / f"{name}.jsonl"
    lines.write_text("".join(json.dumps(b, ensure_ascii=False) + "\n" for b in bodies))
    script = folder / f"{name}.lua"
    script.write_text(LUA.format(method=method, key=key, bodies=lines if bodies else "/dev/null"))
    return script


def bench(workers: int, seconds: int, connections: int, folder: Path) -> dict:
    key, port = secrets.token_urlsafe(16), 8790 + workers
    rng = random.Random(7)
    targets = {
        "healthz": ("GET", "/healthz", []),
        "quotes": ("POST", "/v1/quotes", [quote_body(rng) for _ in range(500)]),
        "adjustments": ("POST", "/v1/adjustments", [adjustment_body(rng) for _ in range(500)]),
    }
    server = start_server(port, workers, key)
    results = {}
    try:
        for name, (method, path, bodies) in targets.items():
            script = write_script(folder, name, method, key, bodies)
            url = f"http://127.0.0.1:{port}{path}"
            run_wrk(url, script, 2, connections)  # warm-up
            cpu_before = cpu_seconds(server.pid)
            rate, total = run_wrk(url, script, seconds, connections)
            cpu_ms = (cpu_seconds(server.pid) - cpu_before) / total * 1000
            results[name] = {"rps": rate, "cpu_ms_per_request": round(cpu_ms, 3)}
    finally:
        stop_server(server)
    for name in ("quotes", "adjustments"):
        results[name]["ratio_to_healthz"] = round(
            results[name]["rps"] / results["healthz"]["rps"], 3
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    with tempfile.TemporaryDirectory() as folder:
        report = {w: bench(w, args.seconds, args.connections, Path(folder)) for w in args.workers}
    for workers, results in report.items():
        print(f"workers={workers}")
        for name, figures in results.items():
            ratio = figures.get("ratio_to_healthz")
            ratio_text = f"  {ratio:.0%} of healthz" if ratio else ""
            print(
                f"  {name:12s} {figures['rps']:9,.0f} req/s  "
                f"{figures['cpu_ms_per_request']:.3f} ms CPU/req{ratio_text}"
            )
    out = Path(__file__).resolve().parent / "results" / "bench-api.json"
    out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
