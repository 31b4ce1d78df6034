"""HTTP hygiene: clients that leave, methods a route lacks, the OpenAPI document, security
headers, and settings that stop the start with one clear line."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from pydantic import BaseModel, ValidationError

from fare_service.api.app import create_app
from fare_service.config import Settings, SettingsError
from tests.api.conftest import API_KEY

QUOTE = {
    "tariff_id": "seoul-taxi",
    "origin": {"lat": 37.5663, "lon": 126.9779},
    "destination": {"lat": 37.4979, "lon": 127.0276},
}


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The service's log records, even after ``configure_logging`` (which another test may
    have run in this process) stopped them propagating to the root, where caplog listens."""
    caplog.set_level(logging.INFO, logger="fare_service")
    logger = logging.getLogger("fare_service")
    detached = not logger.propagate
    if detached:
        logger.addHandler(caplog.handler)
    yield caplog
    if detached:
        logger.removeHandler(caplog.handler)


def requests_counted(route: str, method: str, status: str) -> float:
    labels = {"route": route, "method": method, "status": status}
    return REGISTRY.get_sample_value("fare_requests_total", labels) or 0.0


def leave_mid_body(app: Any, path: str) -> list[dict[str, Any]]:
    """POST half a JSON body to ``path`` and hang up, as uvicorn reports it; returns what
    the app sent (to nobody)."""
    incoming = [
        {"type": "http.request", "body": b'{"tariff_id": "seo', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    asyncio.run(app(scope, receive, send))  # raises if the disconnect escapes the app
    return sent


def assert_counted_as_client_closed(app: Any, route: str, logs: pytest.LogCaptureFixture) -> None:
    before = {status: requests_counted(route, "POST", status) for status in ("499", "500", "400")}
    leave_mid_body(app, route)
    records = logs.records
    assert requests_counted(route, "POST", "499") == before["499"] + 1
    assert requests_counted(route, "POST", "500") == before["500"]
    assert requests_counted(route, "POST", "400") == before["400"]
    assert not [r for r in records if r.levelno >= logging.WARNING], records
    access = [r for r in records if r.name == "fare_service.access"]
    assert [r.fields["status"] for r in access] == [499]  # type: ignore[attr-defined]
    assert access[0].levelno == logging.INFO and access[0].exc_info is None


def test_a_client_that_leaves_mid_body_is_499_not_500(client, logs):
    """The quote handler reads its own body: Starlette raises ClientDisconnect."""
    assert_counted_as_client_closed(client.app, "/v1/quotes", logs)


class Echo(BaseModel):
    tariff_id: str


def test_a_client_that_leaves_a_plain_fastapi_body_is_499_too(logs):
    """A FastAPI body parameter turns ClientDisconnect into a 400 sent to nobody."""
    app = create_app(Settings())

    @app.post("/echo-body")
    async def echo(body: Echo) -> Echo:
        return body

    assert_counted_as_client_closed(app, "/echo-body", logs)


def test_a_disconnect_after_the_response_is_not_499():
    """uvicorn also answers ``receive()`` with a disconnect once the response is complete."""
    from fare_service.api.observe import ObserveMiddleware

    async def answer_then_listen(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        await receive()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        assert (await receive())["type"] == "http.disconnect"

    before = {status: requests_counted("unmatched", "POST", status) for status in ("204", "499")}
    sent = leave_mid_body(ObserveMiddleware(answer_then_listen, max_body_bytes=100), "/after")
    assert sent[0]["status"] == 204
    assert requests_counted("unmatched", "POST", "204") == before["204"] + 1
    assert requests_counted("unmatched", "POST", "499") == before["499"]


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "/v1/tariffs", "GET"),
        ("POST", "/v1/places?q=x", "GET"),
        ("POST", "/metrics", "GET"),
        ("POST", "/v1/tariffs/seoul-taxi", "GET"),
        ("GET", "/v1/quotes", "POST"),
        ("PUT", "/v1/adjustments", "POST"),
    ],
)
def test_a_method_the_route_lacks_is_405_with_allow(keyed_client, method, path, allow):
    """Whatever the body's type: the guard's 415 is only for routes that take a POST."""
    for headers in ({}, {"content-type": "text/plain"}, {"content-type": "application/json"}):
        keyed = {**headers, "Authorization": f"Bearer {API_KEY}"}
        response = keyed_client.request(method, path, content=b"x", headers=keyed)
        assert response.status_code == 405, (headers, response.text)
        assert response.headers["allow"] == allow
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 405


def test_the_key_is_still_asked_before_the_method(keyed_client):
    for method, path in [("POST", "/v1/tariffs"), ("POST", "/metrics"), ("GET", "/v1/quotes")]:
        response = keyed_client.request(method, path, content=b"x")
        assert response.status_code == 401, (method, path)
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_post_route_still_refuses_a_body_that_is_not_json(keyed_client):
    keyed = {"Authorization": f"Bearer {API_KEY}"}
    for path in ("/v1/quotes", "/v1/quotes/batch", "/v1/adjustments"):
        for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
            headers = {**keyed, "content-type": content_type} if content_type else keyed
            response = keyed_client.post(path, content=b"{}", headers=headers)
            assert response.status_code == 415, (path, content_type)
            assert response.headers["content-type"] == "application/problem+json"


def test_an_unknown_path_is_404_whatever_the_body(keyed_client):
    keyed = {"Authorization": f"Bearer {API_KEY}", "content-type": "text/plain"}
    assert keyed_client.post("/v1/nothing", content=b"x", headers=keyed).status_code == 404


def references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def resolve(document: dict[str, Any], reference: str) -> Any:
    """A local JSON pointer (RFC 6901) -> the node it names; KeyError if none."""
    assert reference.startswith("#/"), f"{reference}: the document must stand alone"
    node: Any = document
    for escaped in reference[2:].split("/"):
        token = escaped.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


@pytest.fixture(scope="module")
def document(client) -> dict[str, Any]:
    return client.get("/openapi.json").json()


def test_every_reference_in_the_openapi_document_resolves(document):
    found = list(references(document))
    assert len(found) > 50  # the walk reached the paths, not only the top
    dangling = sorted({ref for ref in found if not _resolves(document, ref)})
    assert dangling == []


def _resolves(document: dict[str, Any], reference: str) -> bool:
    try:
        resolve(document, reference)
    except (KeyError, IndexError, ValueError):
        return False
    return True


def test_every_problem_response_names_the_problem_schema(document):
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "errors"} <= set(problem["properties"])
    items = problem["properties"]["errors"]["anyOf"][0]["items"]
    assert resolve(document, items["$ref"])["required"] == ["field", "message"]
    problem_responses = [
        response
        for operations in document["paths"].values()
        for operation in operations.values()
        for status, response in operation["responses"].items()
        if status.startswith(("4", "5"))
    ]
    assert len(problem_responses) > 20
    for response in problem_responses:
        content = response["content"]
        assert "application/json" not in content  # a problem is never plain JSON
        assert content["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }


def test_the_openapi_document_matches_the_published_openapi_schema(document):
    """Against OAI's JSON Schema for OpenAPI 3.1 (the copy schemathesis ships), which
    checks the document's structure; references are the test above's job."""
    import jsonschema_rs
    from schemathesis.specs.openapi.definitions import OPENAPI_31

    assert document["openapi"].startswith("3.1.")
    errors = jsonschema_rs.Draft202012Validator(OPENAPI_31).iter_errors(document)
    assert [f"{e.instance_path}: {e.message}" for e in errors] == []


def test_the_openapi_document_passes_openapi_spec_validator(document):
    from openapi_spec_validator import validate

    validate(document)


def csp(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """``Content-Security-Policy`` -> {directive: sources}."""
    parts = response.headers["content-security-policy"].split(";")
    return {name: sources for name, _, sources in (p.strip().partition(" ") for p in parts)}


@pytest.mark.parametrize("path", ["/", "/docs", "/static/app.js", "/docs-static/swagger-ui.css"])
def test_pages_and_their_files_send_a_strict_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    directives = csp(response)
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    scripts = directives["script-src"].split()
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert "'unsafe-inline'" not in directives.get("style-src", "")


def test_the_form_has_no_inline_script_or_style(client):
    """What its policy (no inline anything) needs of the page."""
    html = client.get("/").text
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.DOTALL)
    assert scripts and all(" src=" in tag and not body.strip() for tag, body in scripts)
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)  # no onclick= and the like


def test_docs_allows_exactly_its_own_inline_script(client):
    """Swagger UI starts from one inline script: allowed by its hash, nothing else is."""
    response = client.get("/docs")
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert csp(response)["script-src"] == f"'self' 'sha256-{digest}'"
    assert f"sha256-{digest}" not in client.get("/").headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/healthz", "/v1/tariffs", "/metrics", "/v1/nothing"])
def test_every_response_says_nosniff(client, path):
    assert client.get(path).headers["x-content-type-options"] == "nosniff"


def test_refusals_and_errors_say_nosniff_too(keyed_client, client, monkeypatch):
    assert keyed_client.get("/v1/tariffs").headers["x-content-type-options"] == "nosniff"  # 401
    too_large = client.post("/v1/quotes", content=b"x" * 9_000_000)
    assert too_large.status_code == 413
    assert too_large.headers["x-content-type-options"] == "nosniff"
    import fare_service.api.routes_quotes as routes

    async def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug")

    monkeypatch.setattr(routes, "quote_route", broken)
    failed = client.post("/v1/quotes", json=QUOTE)
    assert failed.status_code == 500
    assert failed.headers["x-content-type-options"] == "nosniff"


def start_with(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``fare-service serve`` with only these FARE_SERVICE_* variables; a bad one ends it
    before uvicorn binds anything (the timeout only guards a start that should not happen)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FARE_SERVICE_")}
    command = [sys.executable, "-m", "fare_service.cli", "serve", "--host", "127.0.0.1"]
    return subprocess.run(
        [*command, "--port", "0"],
        env={**environ, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("FARE_SERVICE_API_KEYS_FILE", "{tmp}/missing-keys", "cannot read"),
        ("FARE_SERVICE_MAX_BODY_BYTES", "abc", "valid integer"),
        ("FARE_SERVICE_ROUTER", "osrm", "FARE_SERVICE_OSRM_URL"),
        ("FARE_SERVICE_TARIFF_DIR", "{tmp}/nowhere", "does not exist"),
        ("FARE_SERVICE_TARIFF_DIR", "{tmp}", "no tariff files"),
    ],
)
def test_a_bad_setting_ends_the_start_with_one_line(tmp_path, variable, value, reason):
    result = start_with(tmp_path, **{variable: value.format(tmp=tmp_path)})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {variable}: ")
    assert reason in lines[0]


def test_a_setting_naming_a_wrong_file_ends_the_start_with_one_line(tmp_path):
    """The files' contents are checked once before any worker starts."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "headline.j2").write_text("{{ not_a_variable_of_ours }}", encoding="utf-8")
    profile = tmp_path / "profile.toml"
    profile.write_text("[circuity]\nfactor = 9\n", encoding="utf-8")
    for variable, value in (
        ("FARE_SERVICE_DEFAULT_TARIFF", "paris-taxi"),
        ("FARE_SERVICE_TEMPLATES_DIR", str(templates)),
        ("FARE_SERVICE_ROUTE_PROFILE", str(profile)),
    ):
        result = start_with(tmp_path, **{variable: value})
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert result.stderr.startswith(f"error: {variable}: "), result.stderr


def settings_error(**settings: object) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        Settings(**settings)
    return SettingsError(raised.value).lines


def test_each_check_names_its_variable(tmp_path):
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    assert settings_error(tariff_dir=tmp_path / "notes.txt") == [
        f"FARE_SERVICE_TARIFF_DIR: {tmp_path / 'notes.txt'} is not a folder"
    ]
    assert settings_error(templates_dir=tmp_path / "none") == [
        f"FARE_SERVICE_TEMPLATES_DIR: {tmp_path / 'none'} does not exist"
    ]
    assert settings_error(route_profile=tmp_path) == [
        f"FARE_SERVICE_ROUTE_PROFILE: {tmp_path} is not a file"
    ]
    assert settings_error(router="osrm", osrm_url="localhost:5000") == [
        "FARE_SERVICE_OSRM_URL: 'localhost:5000' is not an http:// or https:// address"
    ]
    assert settings_error(max_body_bytes=0, osrm_retries=9) == [  # each, in declared order
        "FARE_SERVICE_OSRM_RETRIES: Input should be less than or equal to 3",
        "FARE_SERVICE_MAX_BODY_BYTES: Input should be greater than 0",
    ]


def test_the_key_file_is_read_when_the_settings_load(tmp_path):
    keys = tmp_path / "keys"
    keys.write_text("# agents\nfile-key-1\n")
    settings = Settings(api_keys=["env-key"], api_keys_file=keys)
    keys.unlink()
    assert settings.all_api_keys() == ["env-key", "file-key-1"]


def test_a_key_file_without_keys_is_refused_rather_than_leaving_the_api_open(tmp_path):
    keys = tmp_path / "keys"
    keys.write_text("# every key was removed\n\n")
    assert settings_error(api_keys_file=keys) == [
        f"FARE_SERVICE_API_KEYS_FILE: no keys in {keys} (one a line, # for comments)"
    ]
    keys.write_bytes(b"\xff\xfe")
    assert settings_error(api_keys_file=keys) == [
        f"FARE_SERVICE_API_KEYS_FILE: {keys} is not UTF-8 text"
    ]
