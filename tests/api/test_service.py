"""Everything around the quotes: auth, limits, errors, metrics, docs, tariffs, places."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, Request
from prometheus_client import REGISTRY

from fare_service.api.deps import get_runtime
from fare_service.api.fast_route import JsonBodyRoute
from fare_service.api.schemas import ADJUSTMENT_EXAMPLE, QuoteRequest
from fare_service.api.serve import is_loopback, serve
from fare_service.config import Settings
from tests.api.conftest import API_KEY, make_client

QUOTE = {
    "tariff_id": "seoul-taxi",
    "origin": {"lat": 37.5663, "lon": 126.9779},
    "destination": {"lat": 37.4979, "lon": 127.0276},
}


def test_healthz_needs_no_key(keyed_client):
    response = keyed_client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {API_KEY}"},
        {"Authorization": "Bearer"},
    ],
)
def test_missing_or_wrong_key_is_401_problem(keyed_client, headers):
    response = keyed_client.post("/v1/quotes", json=QUOTE, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert keyed_client.get("/v1/tariffs", headers=headers).status_code == 401


def test_each_configured_key_is_accepted(keyed_client):
    for key in (API_KEY, "another-key"):
        headers = {"Authorization": f"Bearer {key}"}
        assert keyed_client.post("/v1/quotes", json=QUOTE, headers=headers).status_code == 200


def test_keys_from_a_file(tmp_path):
    keys = tmp_path / "keys"
    keys.write_text("# agents\nfile-key-1\n\nfile-key-2\n")
    with make_client(api_keys_file=keys) as client:
        ok = client.get("/v1/tariffs", headers={"Authorization": "Bearer file-key-2"})
        assert ok.status_code == 200
        assert client.get("/v1/tariffs", headers={"Authorization": "Bearer #"}).status_code == 401


def test_without_keys_the_api_is_open(client):
    assert client.post("/v1/quotes", json=QUOTE).status_code == 200


def test_serve_refuses_a_public_address_without_keys(capsys):
    assert serve(Settings(), host="0.0.0.0", port=1, workers=1) == 2
    assert "refusing" in capsys.readouterr().err
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1")


def test_body_over_the_limit_is_413_before_parsing():
    with make_client(max_body_bytes=1000) as client:
        big = {**QUOTE, "padding": "x" * 2000}
        response = client.post("/v1/quotes", json=big)
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"

        def chunks():
            yield b'{"tariff_id": "seoul-taxi", "x": "'
            for _ in range(10):
                yield b"y" * 200
            yield b'"}'

        streamed = client.post(
            "/v1/quotes", content=chunks(), headers={"content-type": "application/json"}
        )
        assert streamed.status_code == 413


def test_start_up_state_is_frozen_out_of_full_collections(client):
    """What the lifespan loaded is in the collector's permanent generation (gc.freeze),
    so a full collection no longer walks the place index on every worker."""
    import gc

    runtime = client.app.state.runtime
    assert gc.get_freeze_count() > 50_000
    assert not any(tracked is runtime for tracked in gc.get_objects())


def test_dependency_overrides_reach_the_quote_and_adjustment_routes(client):
    """The hot routes take the runtime as an ordinary dependency: a test (or an operator's
    wrapper) can swap it. Here a runtime whose default tariff is another one prices a
    body that names no tariff with that tariff."""
    runtime = client.app.state.runtime
    other = dataclasses.replace(
        runtime, book=dataclasses.replace(runtime.book, default_id="seoul-taxi")
    )
    body = {
        "at": "2026-11-18T14:00:00+09:00",
        "origin": {"lat": 37.5702, "lon": 126.9831},
        "destination": {"lat": 37.5172, "lon": 127.0473},
    }
    assert client.post("/v1/quotes", json=body).json()["tariff"]["id"] == "daeri-standard"
    client.app.dependency_overrides[get_runtime] = lambda: other
    try:
        assert client.post("/v1/quotes", json=body).json()["tariff"]["id"] == "seoul-taxi"
        batch = client.post("/v1/quotes/batch", json={"items": [body]}).json()
        assert batch["items"][0]["quote"]["tariff"]["id"] == "seoul-taxi"
        adjustment = {**ADJUSTMENT_EXAMPLE, "tariff_id": None}
        answer = client.post("/v1/adjustments", json=adjustment).json()
        assert answer["quote"]["tariff"]["id"] == "seoul-taxi"
    finally:
        client.app.dependency_overrides.clear()
    assert client.post("/v1/quotes", json=body).json()["tariff"]["id"] == "daeri-standard"


def test_request_id_is_echoed_or_made(client):
    given = client.get("/healthz", headers={"X-Request-ID": "agent-42"})
    assert given.headers["x-request-id"] == "agent-42"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert made.headers["x-request-id"] != "bad id with spaces"
    assert len(made.headers["x-request-id"]) == 32


def test_an_unexpected_error_is_500_without_a_stack_trace(client, monkeypatch, caplog):
    import fare_service.api.routes_quotes as routes

    async def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(routes, "quote_route", broken)
    response = client.post("/v1/quotes", json=QUOTE, headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    problem = response.json()
    assert problem["request_id"] == "req-500"
    assert "secret" not in response.text and "Traceback" not in response.text


def test_unknown_route_and_method_are_problems(client):
    assert client.get("/v2/nothing").headers["content-type"] == "application/problem+json"
    assert client.get("/v1/quotes").status_code == 405


def test_metrics_count_requests_quotes_and_errors(client):
    client.post("/v1/quotes", json=QUOTE)
    client.post("/v1/quotes", json={**QUOTE, "tariff_id": "paris-taxi"})
    text = client.get("/metrics").text
    assert 'fare_requests_total{method="POST",route="/v1/quotes",status="200"}' in text
    assert 'fare_quotes_total{tariff="seoul-taxi"}' in text
    assert 'fare_errors_total{kind="tariff-not-found"}' in text
    assert "fare_request_seconds_bucket" in text


def test_quotes_are_counted_once_each_single_or_batch(client):
    def quotes_so_far() -> float:
        value = REGISTRY.get_sample_value("fare_quotes_total", {"tariff": "seoul-taxi"})
        return value or 0.0

    before = quotes_so_far()
    assert client.post("/v1/quotes", json=QUOTE).status_code == 200
    items = [QUOTE, {**QUOTE, "tariff_id": "paris-taxi"}, QUOTE]
    answer = client.post("/v1/quotes/batch", json={"items": items}).json()
    assert (answer["ok"], answer["failed"]) == (2, 1)
    assert quotes_so_far() - before == 3  # the refused item is not a quote


def test_tariffs_and_places(client):
    tariffs = client.get("/v1/tariffs").json()
    assert {t["id"] for t in tariffs} == {"seoul-taxi", "daeri-standard"}
    seoul = client.get("/v1/tariffs/seoul-taxi").json()
    assert [v["version"] for v in seoul["versions"]] == ["2019-02-16", "2022-12-01", "2023-02-01"]
    assert client.get("/v1/tariffs/nope").status_code == 404
    places = client.get("/v1/places", params={"q": "역삼동"}).json()
    assert places[0]["full_name"] == "서울특별시 강남구 역삼동"
    assert client.get("/v1/places", params={"q": ""}).status_code == 422


def test_openapi_names_each_body_and_the_bearer_key(client):
    """The hot handlers read their bodies themselves: the document must still say what."""
    document = client.get("/openapi.json").json()
    paths, schemas = document["paths"], document["components"]["schemas"]
    for path, model in [
        ("/v1/quotes", "QuoteRequest"),
        ("/v1/quotes/batch", "BatchQuoteRequest"),
        ("/v1/adjustments", "AdjustmentRequest"),
    ]:
        body = paths[path]["post"]["requestBody"]
        assert body["required"] is True
        assert body["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{model}"
        }
        assert paths[path]["post"]["security"] == [{"apiKey": []}]
    stop_ref = schemas["QuoteRequest"]["properties"]["destination"]["anyOf"][0]["$ref"]
    assert stop_ref.rsplit("/", 1)[1] in schemas  # nested models resolve in the document
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    assert "security" not in paths["/healthz"]["get"]


def test_guard_checks_the_key_before_the_content_type(keyed_client):
    """No key: 401 whatever the body; a key and a non-JSON body: 415, before parsing."""
    text = {"content-type": "text/plain"}
    assert keyed_client.post("/v1/adjustments", content="x", headers=text).status_code == 401
    assert keyed_client.get("/metrics").status_code == 401
    keyed = {**text, "Authorization": f"Bearer {API_KEY}"}
    response = keyed_client.post("/v1/adjustments", content="x", headers=keyed)
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"
    assert keyed_client.get("/", headers=text).status_code == 200  # the form is public


def test_cors_only_for_configured_origins():
    with make_client(cors_origins="https://admin.example") as client:
        allowed = client.options(
            "/v1/quotes",
            headers={"Origin": "https://admin.example", "Access-Control-Request-Method": "POST"},
        )
        assert allowed.headers.get("access-control-allow-origin") == "https://admin.example"
        denied = client.options(
            "/v1/quotes",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in denied.headers


def test_the_json_body_shortcut_answers_as_fastapis_own_handler(client):
    """``JsonBodyRoute`` reads the body in one pass; with an override in place the same
    route runs FastAPI's handler. Both must give the same answers and name the same
    fields."""
    good = {**QUOTE, "at": "2026-11-18T23:30:00+09:00"}
    bodies = [
        good,
        {**good, "origin": {"lat": 137.0, "lon": 127.0}},
        {**good, "at": "1763476200", "waiting_s": -1},
        {"destination": {"place": ""}},
        [],
    ]

    def answers() -> list[tuple[int, object]]:
        found = []
        for body in bodies:
            response = client.post("/v1/quotes", json=body)
            document = response.json()
            fields = sorted(e["field"] for e in document.get("errors") or []) or document
            found.append((response.status_code, fields))
        return found

    shortcut = answers()
    client.app.dependency_overrides[get_runtime] = get_runtime
    try:
        standard = answers()
    finally:
        client.app.dependency_overrides.clear()
    assert shortcut == standard
    assert [status for status, _ in shortcut] == [200, 422, 422, 422, 422]


async def _with_query(body: QuoteRequest, q: str) -> None: ...


def _needs_more(request: Request, limit: int) -> int:
    return limit


async def _with_odd_dependency(
    body: QuoteRequest, limit: Annotated[int, Depends(_needs_more)]
) -> None: ...


async def _two_bodies(body: QuoteRequest, other: QuoteRequest) -> None: ...


def test_the_shortcut_refuses_what_it_would_not_run():
    router = APIRouter(route_class=JsonBodyRoute)
    for endpoint in (_with_query, _with_odd_dependency, _two_bodies):
        with pytest.raises(TypeError, match=endpoint.__name__):
            router.add_api_route("/x", endpoint, methods=["POST"])
