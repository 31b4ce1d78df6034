"""Prometheus metrics: requests and latency by route, quotes by tariff, errors by kind.

With several workers, set ``PROMETHEUS_MULTIPROC_DIR`` (``fare-service serve`` does) so
that ``/metrics`` adds up every worker's figures.
"""

from __future__ import annotations

import functools
import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

REQUESTS = Counter(
    "fare_requests_total",
    "HTTP requests by route template, method and status",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "fare_request_seconds",
    "Request latency by route template",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0),
)
QUOTES = Counter(
    "fare_quotes_total", "Quotes priced (single or batch items), by tariff", ["tariff"]
)
ERRORS = Counter("fare_errors_total", "Error responses by kind (problem type)", ["kind"])


def count_quote(tariff_id: str) -> None:
    """One more quote priced with this tariff."""
    _quotes_of(tariff_id).inc()


@functools.cache  # one child per tariff the server has: ``labels`` took ~5 us a quote
def _quotes_of(tariff_id: str) -> Counter:
    return QUOTES.labels(tariff_id)


def render() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
