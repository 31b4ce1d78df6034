"""The admin UI's traffic mix against a running fare-service (locust, ``FastHttpUser``).

70% ``POST /v1/quotes`` (coordinates, place names and caller legs; 0-3 waypoints; day and
night), 25% ``POST /v1/adjustments`` (every outcome), 5% ``POST /v1/quotes/batch`` with 100
items. Bodies come from seeded random data (``LOAD_SEED``), made and encoded once at
start (a pool per kind, drawn from at random); the key from
``FARE_SERVICE_LOAD_API_KEY``. Each user is an agent sending ``LOAD_USER_RPS`` requests
per second on average, at Poisson arrival times of its own, so the offered load is a
Poisson stream of users x rate. (With locust's ``constant_throughput``, every user
started at the same instant and stayed in step: the server saw bursts of 40 requests
every 100 ms, and the last of each burst waited for the other 39. Agents on the phone
are independent.) A user whose request ran late sends its next ones back to back, and
locust times each from when it was sent, not when it was due: a stall of the server
shows in its own requests' times, not in those it delayed. Run it through
``benchmarks/run_load.sh``, which only ever targets 127.0.0.1. With ``LOAD_TRACE=path``,
each request's start (Unix seconds), name and milliseconds go to that CSV: when the slow
ones were sent tells a stall (one cluster per worker) from a tail spread over the run.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time

import gevent
from bodies import adjustment_body, batch_body, quote_body
from locust import FastHttpUser, events, task

SEED = int(os.environ.get("LOAD_SEED", "20261129"))
_seeds = itertools.count(SEED)


def encoded(make, count: int) -> list[bytes]:  # type: ignore[no-untyped-def]
    """``count`` seeded bodies, encoded once: the load generator shares the server's two
    cores, and encoding a 100-item batch per request cost it more CPU than sending it."""
    rng = random.Random(SEED)
    return [json.dumps(make(rng)).encode() for _ in range(count)]


QUOTES, ADJUSTMENTS, BATCHES = (
    encoded(quote_body, 2000),
    encoded(adjustment_body, 1000),
    encoded(batch_body, 100),
)


USER_RPS = float(os.environ.get("LOAD_USER_RPS", "10"))

if trace_path := os.environ.get("LOAD_TRACE"):
    trace = open(trace_path, "w", encoding="utf-8")  # noqa: SIM115 (closed when locust quits)
    events.quitting.add_listener(lambda **_: trace.close())

    @events.request.add_listener
    def record(name: str, response_time: float, start_time: float, **_: object) -> None:
        trace.write(f"{start_time:.3f},{name},{response_time:.1f}\n")


class AdminUI(FastHttpUser):
    def wait_time(self) -> float:
        """Until this agent's next arrival: exponential gaps between the starts of its
        requests (a Poisson process), however long the last request took."""
        self.next_start += self.rng.expovariate(USER_RPS)
        return max(0.0, self.next_start - time.monotonic())

    def on_start(self) -> None:
        self.rng = random.Random(next(_seeds))
        key = os.environ.get("FARE_SERVICE_LOAD_API_KEY", "")
        self.headers = {"content-type": "application/json"}
        if key:
            self.headers["Authorization"] = f"Bearer {key}"
        # The first arrival too is an exponential gap from the start: sent at once, the
        # users' first requests were a burst of 40 (batches among them), 6-17 of which
        # queued for 50-120 ms: most of the run's p99.9 once the start-up stall was gone.
        self.next_start = time.monotonic() + self.rng.expovariate(USER_RPS)
        gevent.sleep(max(0.0, self.next_start - time.monotonic()))

    def post(self, path: str, bodies: list[bytes]) -> None:
        self.client.post(path, data=self.rng.choice(bodies), headers=self.headers)

    @task(70)
    def quote(self) -> None:
        self.post("/v1/quotes", QUOTES)

    @task(25)
    def adjustment(self) -> None:
        self.post("/v1/adjustments", ADJUSTMENTS)

    @task(5)
    def batch(self) -> None:
        self.post("/v1/quotes/batch", BATCHES)
