"""The same route through all five entrances answers the same.

200 seeded bodies (coordinates and place names, waypoints, caller legs, GPS traces, naive,
UTC and odd offsets, unknown tariffs, times out of range, points abroad, bad fields) go to
``POST /v1/quotes``, ``POST /v1/quotes/batch``, ``POST /v1/adjustments`` (as the changed
route), ``fare-service quote --request`` and ``fare-service batch`` (the rows a CSV can
hold). Each entrance that can express a body must give the single endpoint's fare,
breakdown, warnings and legs, or an error naming the same field.
"""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fare_service import cli
from fare_service.api.schemas import ADJUSTMENT_EXAMPLE
from fare_service.service import runtime as runtime_module
from tests.api.conftest import make_client

N_BODIES = 200
PLACES = [
    "강남구 역삼동",
    "종로구 청진동",
    "분당구 정자동",
    "마포구 서교동",
    "수원시 영통구 매탄동",
]
TIMES = [
    "2026-11-18T23:30:00+09:00",
    "2026-11-18T14:30:00Z",
    "2026-11-19T01:10:00",
    "2026-05-05T09:00:00+05:45",
    "2024-02-29T22:59:59.5+09:00",
]
BAD_TIMES = [
    "2101-01-01T00:00:00+09:00",  # out of range
    "9999-12-31T23:59:59Z",  # out of range; on Seoul's clock it would overflow
    "0001-01-01T00:00:00+14:00",
    "2015-03-01T12:00:00+09:00",  # before every seoul-taxi version, not daeri-standard's
    "1763476200",  # a numeric string is not a time
]
TARIFFS = [None, "seoul-taxi", "daeri-standard", "paris-taxi"]


def _point(rng: random.Random) -> dict[str, Any]:
    """Mostly Seoul and its surroundings; sometimes abroad or out of range."""
    roll = rng.random()
    if roll < 0.04:
        return {"lat": 35.68, "lon": 139.76}  # Tokyo
    if roll < 0.06:
        return {"lat": 137.0, "lon": 127.0}  # no such latitude
    if roll < 0.25:
        return {"place": rng.choice(PLACES)}
    return {
        "lat": round(rng.uniform(37.40, 37.70), 5),
        "lon": round(rng.uniform(126.80, 127.20), 5),
    }


def _trace(rng: random.Random) -> list[dict[str, Any]]:
    lat, lon = rng.uniform(37.45, 37.65), rng.uniform(126.85, 127.15)
    return [
        {
            "t": f"2026-11-18T23:{10 + i:02d}:00+09:00",
            "lat": round(lat + 0.004 * i, 6),
            "lon": round(lon + 0.003 * i, 6),
        }
        for i in range(rng.randint(2, 8))
    ]


def bodies() -> list[dict[str, Any]]:
    rng = random.Random(20261201)
    made = []
    for _ in range(N_BODIES):
        at = rng.choice(BAD_TIMES if rng.random() < 0.2 else TIMES)
        body: dict[str, Any] = {"tariff_id": rng.choice(TARIFFS), "at": at}
        if rng.random() < 0.12:
            body["trace"] = _trace(rng)
        else:
            body["origin"], body["destination"] = _point(rng), _point(rng)
            body["waypoints"] = [_point(rng) for _ in range(rng.choice([0, 0, 0, 1, 2]))]
            if rng.random() < 0.25:
                legs = len(body["waypoints"]) + 1 - (rng.random() < 0.1)  # sometimes short
                body["legs"] = [
                    {"distance_m": rng.uniform(300, 20_000), "duration_s": rng.uniform(60, 3000)}
                    for _ in range(legs)
                ]
        if rng.random() < 0.1:
            body["waiting_s"] = rng.choice([0.0, 300.0, 1200.0])
        made.append(body)
    return made


BODIES = bodies()


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with make_client() as test_client:
        yield test_client


@pytest.fixture(scope="module")
def singles(client: TestClient) -> list[tuple[int, dict[str, Any]]]:
    """The reference: each body's answer from ``POST /v1/quotes``."""
    answers = []
    for body in BODIES:
        response = client.post("/v1/quotes", json=body)
        assert response.status_code < 500, response.text
        answers.append((response.status_code, response.json()))
    return answers


def error_fields(problem: dict[str, Any]) -> set[str]:
    return {error["field"] for error in problem.get("errors") or []}


def test_the_bodies_cover_answers_and_every_kind_of_error(singles):
    statuses = [status for status, _ in singles]
    assert 60 <= statuses.count(200) <= 180
    assert {422, 404} <= set(statuses)
    fields = set().union(*(error_fields(answer) for status, answer in singles if status != 200))
    assert {"at", "tariff_id"} <= fields
    assert any(field.startswith(("origin", "destination", "waypoints")) for field in fields)


def test_the_batch_endpoint_answers_each_item_as_the_single_endpoint(client, singles):
    answer = client.post("/v1/quotes/batch", json={"items": BODIES}).json()
    for (status, single), item in zip(singles, answer["items"], strict=True):
        if status == 200:
            assert item["ok"] and item["quote"] == single
        else:
            assert not item["ok"] and item["problem"] == single


ADJUSTMENT_FIELDS = {
    "origin": "call.origin",
    "waypoints": "call.waypoints",
    "destination": "change.destination",
    "legs": "change.legs",
    "at": "call.requested_at",
    "tariff_id": "tariff_id",
}


def as_adjustment(body: dict[str, Any]) -> dict[str, Any] | None:
    """The body's route as an adjustment's changed route: the call's origin and
    waypoints, then a new destination. None where an adjustment cannot say it."""
    if "trace" in body or body.get("waiting_s") or body.get("at") is None:
        return None
    return {
        "tariff_id": body["tariff_id"],
        "call": {
            "id": "C1",
            "type": "own_general",
            "state": "completed",
            "payment": "card",
            "fare": 25000,
            "requested_at": body["at"],
            "origin": body["origin"],
            "waypoints": body["waypoints"],
            "destination": {"place": "강남구 역삼동"},
            "driving_started": True,
        },
        "change": {"destination": body["destination"], "legs": body.get("legs")},
        "checks": ADJUSTMENT_EXAMPLE["checks"],
    }


def renamed(field: str) -> str:
    head, dot, rest = field.partition(".")
    stem, bracket, index = head.partition("[")
    return ADJUSTMENT_FIELDS[stem] + bracket + index + dot + rest


def test_the_adjustment_prices_its_changed_route_as_the_single_endpoint(client, singles):
    compared = 0
    for body, (status, single) in zip(BODIES, singles, strict=True):
        adjustment = as_adjustment(body)
        if adjustment is None:
            continue
        response = client.post("/v1/adjustments", json=adjustment)
        assert response.status_code == status, (body, response.text)
        if status == 200:
            assert response.json()["quote"] == single
        else:
            assert error_fields(response.json()) == {renamed(f) for f in error_fields(single)}
        compared += 1
    assert compared >= 100


def run_cli(args: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    sys_stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = cli.main(args)
    finally:
        sys.stdin = sys_stdin
    return code, out.getvalue(), err.getvalue()


def test_the_command_line_quotes_as_the_single_endpoint(client, singles, monkeypatch):
    """``fare-service quote --request -`` with each body; the runtime is the app's (what
    is compared is the road from a body to a quote, not loading the files again)."""
    monkeypatch.setattr(runtime_module, "load_runtime", lambda settings: client.app.state.runtime)
    for body, (status, single) in zip(BODIES, singles, strict=True):
        code, out, err = run_cli(["quote", "--request", "-"], json.dumps(body).encode())
        if status == 200:
            assert code == 0, err
            assert json.loads(out) == single
        else:
            assert code == 2, out
            named = {line.split(": ")[1] for line in err.splitlines() if line.count(": ") >= 2}
            assert named == error_fields(single), err


def as_row(body: dict[str, Any]) -> dict[str, Any] | None:
    """The body as a batch CSV row, where the columns can hold it: coordinates only,
    no trace, no waiting, and caller legs only as one leg without waypoints."""
    stops = [body.get("origin"), *body.get("waypoints", []), body.get("destination")]
    if "trace" in body or body.get("waiting_s") or any(s is None or "place" in s for s in stops):
        return None
    legs = body.get("legs")
    if legs is not None and (len(legs) != 1 or body["waypoints"]):
        return None
    return {
        "at": body["at"],
        "tariff_id": body["tariff_id"] or "",
        "origin_lat": body["origin"]["lat"],
        "origin_lon": body["origin"]["lon"],
        "destination_lat": body["destination"]["lat"],
        "destination_lon": body["destination"]["lon"],
        "waypoints": ";".join(f"{s['lat']},{s['lon']}" for s in body["waypoints"]),
        "distance_m": legs[0]["distance_m"] if legs else "",
        "duration_s": legs[0]["duration_s"] if legs else "",
    }


def test_the_batch_command_prices_each_row_as_the_single_endpoint(singles, tmp_path: Path):
    rows = [(i, row) for i, body in enumerate(BODIES) if (row := as_row(body)) is not None]
    assert len(rows) >= 60
    source, out = tmp_path / "rides.csv", tmp_path / "fares.csv"
    with source.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=["call_id", *rows[0][1]])
        writer.writeheader()
        for i, row in rows:
            writer.writerow({"call_id": f"R{i}", **row})
    command = [sys.executable, "-m", "fare_service.cli", "batch", str(source), "--out", str(out)]
    finished = subprocess.run(command, capture_output=True, timeout=300, check=False)
    assert finished.returncode in (0, 1), finished.stderr.decode()
    with out.open(encoding="utf-8-sig") as file:
        priced = {row["call_id"]: row for row in csv.DictReader(file)}
    for i, _ in rows:
        status, single = singles[i]
        row = priced[f"R{i}"]
        if status == 200:
            assert row["status"] == "ok", (BODIES[i], row["error"])
            assert int(row["fare"]) == single["fare"]
            assert int(row["distance_m_priced"]) == single["distance_m"]
            assert int(row["duration_s_priced"]) == single["duration_s"]
            assert row["tariff_version"] == single["tariff"]["version"]
        else:
            assert row["status"] == "error", (BODIES[i], single)


def test_the_command_line_runs_in_its_own_process():
    """One real ``fare-service quote`` start, to keep the monkeypatched test honest."""
    body = json.dumps(
        {
            "tariff_id": "seoul-taxi",
            "at": TIMES[0],
            "legs": None,
            "origin": {"place": PLACES[0]},
            "destination": {"place": PLACES[2]},
        }
    )
    finished = subprocess.run(
        [sys.executable, "-m", "fare_service.cli", "quote", "--request", "-"],
        input=body.encode(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr.decode()
    assert json.loads(finished.stdout)["tariff"]["id"] == "seoul-taxi"
