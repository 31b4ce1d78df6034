"""Where a running server's time goes: py-spy samples one worker while wrk drives an endpoint.

Starts fare-service on 127.0.0.1 (1 worker, a fresh API key), drives ``--endpoint`` with
wrk for ``--seconds`` over the same seeded bodies as ``bench_api.py``, records the worker
with py-spy (raw stacks) after a 2 s warm-up, and prints the functions holding the most
samples: inclusive (the function or anything it called) and self. Unlike cProfile
in-process, this sees the HTTP server, the framework and the access log as they run.

    python benchmarks/profile_server.py [--endpoint adjustments] [--seconds 10] [--top 40]

py-spy needs to attach to the process (root, or ptrace allowed); it is in the dev extras.
"""

from __future__ import annotations

import argparse
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api import start_server, stop_server, write_script
from bodies import adjustment_body, quote_body

ENDPOINTS = {
    "healthz": ("GET", "/healthz", None),
    "quotes": ("POST", "/v1/quotes", quote_body),
    "adjustments": ("POST", "/v1/adjustments", adjustment_body),
}
FRAME = re.compile(r"(?P<function>.*) \((?P<file>.*?):\d+\)$")


def frame_name(frame: str) -> str:
    """``function (file:line)`` as ``function (package/module.py)``, without the line."""
    match = FRAME.match(frame)
    if match is None:
        return frame
    where = match["file"].split("site-packages/")[-1]
    return f"{match['function']} ({where.split('/fare_service/')[-1]})"


def shares(raw_stacks: str) -> tuple[int, Counter[str], Counter[str]]:
    """Total samples, and samples per function: inclusive (once per stack) and self."""
    total, inclusive, own = 0, Counter[str](), Counter[str]()
    for line in raw_stacks.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        names = [frame_name(frame) for frame in stack.split(";")]
        total += int(count)
        inclusive.update(dict.fromkeys(names, int(count)))
        own[names[-1]] += int(count)
    return total, inclusive, own


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", choices=ENDPOINTS, default="adjustments")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    for tool in ("wrk", "py-spy"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing (wrk: apt-get install wrk; py-spy: pip install py-spy)")
    method, path, make = ENDPOINTS[args.endpoint]
    rng = random.Random(7)
    bodies = [make(rng) for _ in range(500)] if make else []
    key, port = secrets.token_urlsafe(16), 8799
    with tempfile.TemporaryDirectory() as folder:
        script = write_script(Path(folder), args.endpoint, method, key, bodies)
        stacks = Path(folder) / "stacks.txt"
        server = start_server(port, 1, key)
        try:
            url = f"http://127.0.0.1:{port}{path}"
            wrk = ["wrk", "-t2", "-c32", f"-d{args.seconds + 4}s", "-s", str(script), url]
            load = subprocess.Popen(wrk, stdout=subprocess.DEVNULL)
            time.sleep(2)  # warm-up
            spy = ["py-spy", "record", "-p", str(server.pid), "-d", str(args.seconds), "-r", "200"]
            spy += ["--format", "raw", "-o", str(stacks)]
            subprocess.run(spy, check=True, capture_output=True, timeout=args.seconds + 30)
            load.wait(timeout=args.seconds + 30)
        finally:
            stop_server(server)
        total, inclusive, own = shares(stacks.read_text())
    print(f"{args.endpoint}: {total} samples over {args.seconds} s")
    for title, counts in (("inclusive", inclusive), ("self", own)):
        print(f"--- {title}")
        for name, count in counts.most_common(args.top):
            print(f"{count / total:6.1%}  {name}")


if __name__ == "__main__":
    main()
