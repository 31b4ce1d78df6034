"""Every operation in the OpenAPI document has an example that runs: what "Try it out" on
``/docs`` sends, filled from the document alone, answered with a 2xx."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import API_KEY


@pytest.fixture(scope="module")
def document(keyed_client) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return keyed_client.get("/openapi.json").json()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def example_request(document: dict[str, Any], path: str, operation: dict[str, Any]) -> dict:
    """The URL, query and body Swagger UI fills in from the document's examples."""
    query: dict[str, str] = {}
    for parameter in operation.get("parameters", []):
        examples = parameter.get("examples") or {}
        if not examples:
            assert not parameter.get("required"), f"{path}: {parameter['name']} has no example"
            continue
        value = next(iter(examples.values()))["value"]
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", str(value))
        else:
            query[parameter["name"]] = value
    request: dict[str, Any] = {"url": path, "params": query}
    body = operation.get("requestBody")
    if body:
        reference = body["content"]["application/json"]["schema"]["$ref"]
        schema = document["components"]["schemas"][reference.rsplit("/", 1)[1]]
        assert schema.get("examples"), f"{path}: the body has no example"
        request["json"] = schema["examples"][0]
    return request


def test_every_operation_is_documented_with_an_example_that_runs(keyed_client, document):
    ran = []
    for method, path, operation in operations(document):
        request = example_request(document, path, operation)
        headers = {"Authorization": f"Bearer {API_KEY}"} if operation.get("security") else {}
        response = keyed_client.request(method, headers=headers, **request)
        assert 200 <= response.status_code < 300, (method, path, response.text[:500])
        ran.append(f"{method.upper()} {path}")
    assert {"POST /v1/quotes", "POST /v1/route-map", "GET /v1/places"} <= set(ran)
    assert len(ran) == 9


def test_every_guarded_operation_declares_the_bearer_key(document):
    for _, path, operation in operations(document):
        guarded = path.startswith(("/v1/", "/metrics"))
        assert (operation.get("security") == [{"apiKey": []}]) == guarded, path
