"""The admin UI's traffic mix against a running fare-service (locust, ``FastHttpUser``).

70% ``POST /v1/quotes`` (coordinates, place names and caller legs; 0-3 waypoints; day and
night), 25% ``POST /v1/adjustments`` (every outcome), 5% ``POST /v1/quotes/batch`` with 100
items. Bodies come from seeded random data (``LOAD_SEED``); the key from
``FARE_SERVICE_LOAD_API_KEY``. Each user sends ``LOAD_USER_RPS`` requests per second, so
users x rate is the offered load. Run it through ``benchmarks/run_load.sh``, which only
ever targets 127.0.0.1.
"""

from __future__ import annotations

import itertools
import os
import random

from bodies import adjustment_body, batch_body, quote_body
from locust import FastHttpUser, constant_throughput, task

_seeds = itertools.count(int(os.environ.get("LOAD_SEED", "20261129")))


class AdminUI(FastHttpUser):
    wait_time = constant_throughput(float(os.environ.get("LOAD_USER_RPS", "10")))

    def on_start(self) -> None:
        self.rng = random.Random(next(_seeds))
        key = os.environ.get("FARE_SERVICE_LOAD_API_KEY", "")
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    @task(70)
    def quote(self) -> None:
        self.client.post("/v1/quotes", json=quote_body(self.rng), headers=self.headers)

    @task(25)
    def adjustment(self) -> None:
        self.client.post("/v1/adjustments", json=adjustment_body(self.rng), headers=self.headers)

    @task(5)
    def batch(self) -> None:
        self.client.post("/v1/quotes/batch", json=batch_body(self.rng), headers=self.headers)
