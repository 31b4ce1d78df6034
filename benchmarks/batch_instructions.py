"""The batch endpoint's work per item as CPU instructions: a figure the machine's noise
cannot move.

On a shared machine, times per item swing by 20-50% from one minute to the next.
Valgrind (``cachegrind``, without its cache simulation) counts the instructions a process
runs; this script runs one checkout twice under it, loading the runtime and planning and
pricing one warm-up body both times, then ``--items`` more items of seeded bodies
(``bodies.batch_body``, 100 items each) the second time, and prints the difference per
item. ``PYTHONHASHSEED`` is fixed, so a run repeats to a few instructions in a million.

    python benchmarks/batch_instructions.py [--checkout DIR] [--python PY] [--items 1000]

``--checkout`` is a source tree whose ``fare_service`` has ``api.batch_quotes.quote_items``
(``git worktree add`` or ``git archive`` a commit to compare), ``--python`` an
interpreter with its dependencies. Each run takes a few minutes: the load is most of it.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkout", type=Path, default=HERE.parent)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--items", type=int, default=1000, help="a multiple of 100")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return
    counts = [instructions(args.checkout, args.python, items) for items in (0, args.items)]
    per_item = (counts[1] - counts[0]) / args.items
    print(f"{args.checkout}: {per_item:,.0f} instructions an item ({counts[0]:,} to load)")


def instructions(checkout: Path, python: str, items: int) -> int:
    command = [
        "valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
        python, str(Path(__file__).resolve()), "--child", str(items),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    run = subprocess.run(
        command, cwd=checkout, env=env, capture_output=True, text=True, check=False
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    if run.returncode != 0 or found is None:
        sys.exit(f"valgrind failed ({run.returncode}): {run.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def child(items: int) -> None:
    """Load the runtime of the checkout in the current folder, then price the bodies."""
    import asyncio
    import gc
    import json
    import random

    sys.path[:0] = [str(Path.cwd()), str(HERE)]
    from bodies import batch_body

    from fare_service.api.batch_quotes import quote_items
    from fare_service.config import Settings

    try:
        from fare_service.service.runtime import load_runtime
    except ImportError:  # before the service package (stop 13)
        from fare_service.runtime import load_runtime

    runtime = load_runtime(Settings())
    gc.collect()  # as the server does after loading (api.app.settle_heap)
    gc.freeze()
    rng = random.Random(11)
    bodies = [json.loads(json.dumps(batch_body(rng)))["items"] for _ in range(1 + items // 100)]

    async def run(some: list[list[dict[str, object]]]) -> None:
        for body in some:
            await quote_items(body, runtime)

    asyncio.run(run(bodies[:1]))  # warm-up: first-call imports and caches, in both runs
    asyncio.run(run(bodies[1:]))


if __name__ == "__main__":
    main()
