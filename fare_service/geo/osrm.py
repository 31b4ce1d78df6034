"""A client for an OSRM server's route service, bounded in time and in failures.

    GET {base}/route/v1/driving/{lon},{lat};{lon},{lat}...?overview=false
    -> {"code": "Ok", "routes": [{"legs": [{"distance": m, "duration": s}, ...]}]}

Point it at a real server with ``FARE_SERVICE_ROUTER=osrm`` and
``FARE_SERVICE_OSRM_URL=http://osrm:5000`` (e.g. the ``osrm/osrm-backend`` image serving
a South Korea extract from Geofabrik, built with the car profile). Every call has a
timeout and a bounded retry; after ``failures_to_open`` failed calls in a row the circuit
opens and calls fail at once for ``open_s`` seconds, so a dead server costs each quote
nothing instead of a timeout. Every failure is ``RouterUnavailable``; the caller falls back.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx
import numpy as np

from fare_service.errors import RouterUnavailable

Point = tuple[float, float]  # (lat, lon) WGS84 degrees
RETRY_PAUSE_S = 0.05
QUERY = {"overview": "false"}  # legs only: no geometry to download or parse


@dataclass(frozen=True)
class OsrmLegs:
    distance_m: np.ndarray  # per leg, along the road
    duration_s: np.ndarray  # per leg, OSRM's free-flow estimate (no live traffic)


class CircuitBreaker:
    """Closed -> open after K failures in a row -> one trial call after T seconds."""

    def __init__(
        self,
        failures_to_open: int = 3,
        open_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failures_to_open, self.open_s, self._clock = failures_to_open, open_s, clock
        self._failures, self._opened_at = 0, -float("inf")
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return self._failures >= self.failures_to_open and (
            self._clock() - self._opened_at < self.open_s
        )

    def record(self, ok: bool) -> None:
        with self._lock:
            self._failures = 0 if ok else self._failures + 1
            if self._failures >= self.failures_to_open:
                self._opened_at = self._clock()  # a failed trial re-opens for another T


class OsrmClient:
    """``route`` a list of points; inject a ``transport`` to test without a server."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = 2.0,
        retries: int = 1,
        breaker: CircuitBreaker | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.retries = retries
        self.breaker = breaker or CircuitBreaker()
        options = {"base_url": base_url.rstrip("/"), "timeout": timeout_s}
        self._async = httpx.AsyncClient(transport=transport, **options)  # type: ignore[arg-type]

    async def route(self, points: Sequence[Point]) -> OsrmLegs:
        self._check_breaker()
        for attempt in range(self.retries + 1):
            try:
                return self._finish(await self._async.get(_path(points), params=QUERY), points)
            except _Retryable as error:
                if attempt == self.retries:
                    raise self._failed(error) from error
                await asyncio.sleep(RETRY_PAUSE_S)
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        await self._async.aclose()

    def _check_breaker(self) -> None:
        if self.breaker.is_open:
            raise RouterUnavailable("OSRM circuit open after repeated failures")

    def _failed(self, error: Exception) -> RouterUnavailable:
        self.breaker.record(ok=False)
        return RouterUnavailable(f"OSRM failed after {self.retries + 1} attempts: {error}")

    def _finish(self, response: httpx.Response, points: Sequence[Point]) -> OsrmLegs:
        """Parse an answer; 'no route' is OSRM working, so it does not trip the breaker."""
        if response.status_code >= 500:
            raise _ServerError(f"HTTP {response.status_code}")
        try:
            legs = _parse_legs(response.json(), len(points) - 1)
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise _ServerError(f"malformed answer ({error!r})") from error
        self.breaker.record(ok=True)
        return legs


class _ServerError(Exception):
    """A 5xx or a malformed answer: worth another attempt, like a transport error."""


_Retryable = (_ServerError, httpx.TransportError)


def _path(points: Sequence[Point]) -> str:
    coordinates = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)  # OSRM wants lon,lat
    return f"/route/v1/driving/{coordinates}"


def _parse_legs(body: dict, leg_count: int) -> OsrmLegs:
    if body.get("code") != "Ok":
        raise RouterUnavailable(f"OSRM answered {body.get('code')}: {body.get('message', '')}")
    legs = body["routes"][0]["legs"]
    if len(legs) != leg_count:
        raise ValueError(f"{len(legs)} legs for {leg_count}")
    distance_m = np.array([leg["distance"] for leg in legs], dtype=float)
    return OsrmLegs(distance_m, np.array([leg["duration"] for leg in legs], dtype=float))
