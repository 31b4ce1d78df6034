"""The OSRM client against a real HTTP server on 127.0.0.1 speaking OSRM's format."""

from __future__ import annotations

import asyncio

import pytest
from geo_testing import FakeOsrm

from fare_service.errors import RouterUnavailable
from fare_service.geo.osrm import CircuitBreaker, OsrmClient

POINTS = [(37.5663, 126.9779), (37.4979, 127.0276), (37.3947, 127.1112)]


def make_client(url: str, **overrides: object) -> OsrmClient:
    options = {"timeout_s": 0.2, "retries": 1, "breaker": CircuitBreaker(3, 30.0)}
    return OsrmClient(url, **{**options, **overrides})  # type: ignore[arg-type]


async def route_then_close(client: OsrmClient, calls: int = 1) -> list:
    results: list = []
    try:
        for _ in range(calls):
            try:
                results.append(await client.route(POINTS))
            except RouterUnavailable as error:
                results.append(error)
    finally:
        await client.aclose()
    return results


def test_legs_are_read_from_the_route_answer(osrm_server: FakeOsrm) -> None:
    [legs] = asyncio.run(route_then_close(make_client(osrm_server.url)))
    assert legs.distance_m.tolist() == [1000.0, 2000.0]
    assert legs.duration_s.tolist() == [100.0, 200.0]
    assert osrm_server.paths == [
        "/route/v1/driving/126.977900,37.566300;127.027600,37.497900;127.111200,37.394700"
        "?overview=false"
    ]


def test_a_server_error_is_retried_once(osrm_server: FakeOsrm) -> None:
    osrm_server.script = ["500", "ok"]
    [legs] = asyncio.run(route_then_close(make_client(osrm_server.url)))
    assert legs.distance_m.tolist() == [1000.0, 2000.0] and len(osrm_server.paths) == 2


def test_a_slow_server_times_out_after_the_bounded_retries(osrm_server: FakeOsrm) -> None:
    osrm_server.script = ["slow"]
    [error] = asyncio.run(route_then_close(make_client(osrm_server.url, retries=2)))
    assert isinstance(error, RouterUnavailable) and "3 attempts" in error.detail
    assert len(osrm_server.paths) == 3


def test_the_circuit_opens_after_k_failed_calls_then_tries_again(osrm_server: FakeOsrm) -> None:
    now = [0.0]
    breaker = CircuitBreaker(failures_to_open=2, open_s=10.0, clock=lambda: now[0])
    osrm_server.script = ["500"]
    client = make_client(osrm_server.url, retries=0, breaker=breaker)

    async def scenario() -> list:
        results = await route_then_close_keep_open(client, calls=3)  # 2 fail, 3rd short-circuits
        now[0] = 11.0
        osrm_server.script = ["ok"]
        results += await route_then_close(client)  # half-open trial succeeds, closes
        return results

    results = asyncio.run(scenario())
    assert [type(r).__name__ for r in results] == [
        "RouterUnavailable",
        "RouterUnavailable",
        "RouterUnavailable",
        "OsrmLegs",
    ]
    assert "circuit open" in results[2].detail
    assert len(osrm_server.paths) == 3  # the short-circuited call never reached the server
    assert not breaker.is_open


async def route_then_close_keep_open(client: OsrmClient, calls: int) -> list:
    results: list = []
    for _ in range(calls):
        try:
            results.append(await client.route(POINTS))
        except RouterUnavailable as error:
            results.append(error)
    return results


@pytest.mark.parametrize("behaviour", ["noroute", "garbage"])
def test_no_route_and_garbage_are_router_unavailable(osrm_server: FakeOsrm, behaviour: str) -> None:
    osrm_server.script = [behaviour]
    breaker = CircuitBreaker(1, 30.0)
    [error] = asyncio.run(
        route_then_close(make_client(osrm_server.url, retries=0, breaker=breaker))
    )
    assert isinstance(error, RouterUnavailable)
    # OSRM saying "no route" is a healthy server: only the garbage answer trips the breaker
    assert breaker.is_open == (behaviour == "garbage")
