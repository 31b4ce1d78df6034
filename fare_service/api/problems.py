"""RFC 9457 problem details: the one place where errors become HTTP responses."""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.responses import Response

from fare_service.api import metrics
from fare_service.errors import FareServiceError, field_path

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://fare-service.invalid/problems/"
log = logging.getLogger("fare_service.api")


def problem_document(
    status: int, title: str, detail: str, slug: str, **extra: Any
) -> dict[str, Any]:
    """An RFC 9457 problem as data: a response's body, or a batch item's ``problem``."""
    body = {"type": TYPE_BASE + slug, "title": title, "status": status, "detail": detail}
    body.update({key: value for key, value in extra.items() if value is not None})
    return body


def problem(status: int, title: str, detail: str, slug: str, **extra: Any) -> Response:
    return problem_response(problem_document(status, title, detail, slug, **extra))


def validation_problem(errors: Sequence[Any]) -> dict[str, Any]:
    """Pydantic's errors (``ValidationError.errors()``) as one 422 naming every field."""
    fields = [{"field": field_path(error["loc"]), "message": error["msg"]} for error in errors]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in fields[:5])
    return problem_document(422, "Invalid input", detail, "invalid-input", errors=fields)


def service_problem(exc: FareServiceError) -> dict[str, Any]:
    errors = exc.field_errors() or None
    return problem_document(exc.status, exc.title, str(exc), exc.slug, errors=errors, **exc.extra)


async def on_validation_error(request: Request, exc: RequestValidationError) -> Response:
    return problem_response(validation_problem(exc.errors()))


async def on_service_error(request: Request, exc: FareServiceError) -> Response:
    if exc.status >= 500:
        log.error("service error", exc_info=exc, extra={"request_id": _request_id(request)})
    return problem_response(service_problem(exc))


def problem_response(document: dict[str, Any]) -> Response:
    metrics.ERRORS.labels(document["type"].removeprefix(TYPE_BASE)).inc()
    return Response(orjson.dumps(document), status_code=document["status"], media_type=PROBLEM_JSON)


async def on_http_error(request: Request, exc: HTTPException) -> Response:
    response = problem(exc.status_code, _title(exc.status_code), str(exc.detail), "http")
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def on_unexpected_error(request: Request, exc: Exception) -> Response:
    """A bug: log the stack with the request id, show the caller nothing of it."""
    request_id = _request_id(request)
    log.error("unhandled error", exc_info=exc, extra={"request_id": request_id})
    detail = f"an unexpected error occurred; quote request id {request_id}"
    response = problem(500, "Internal error", detail, "internal", request_id=request_id)
    # Starlette sends this answer outside every middleware, api/headers.py's too
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _request_id(request: Request) -> str | None:
    return request.scope.get("state", {}).get("request_id")


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def install(app: FastAPI) -> None:
    """The handlers, and the problem schemas in the OpenAPI document's components."""
    app.add_exception_handler(RequestValidationError, on_validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(FareServiceError, on_service_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, on_http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, on_unexpected_error)
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        document = generate()
        components = document.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in _PROBLEM_SCHEMAS.items():
            if name not in components:
                components[name] = copy.deepcopy(schema)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


class FieldError(BaseModel):
    field: str | None
    message: str
    candidates: list[str] | None = Field(
        None, description="for a place name: the places it could mean, best first"
    )


class Problem(BaseModel):
    """RFC 9457 problem details; extra members (``candidates``, ``request_id``) may appear."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


def _component_schemas(model: type[BaseModel]) -> dict[str, dict[str, Any]]:
    """``model`` and the models it uses, each under its name, their references pointing
    into the document's components: FastAPI does not see models named only in
    ``responses`` content, and pydantic's default ``#/$defs/...`` resolves nowhere there."""
    schema = model.model_json_schema(ref_template=COMPONENTS + "{model}")
    return {**schema.pop("$defs", {}), model.__name__: schema}


COMPONENTS = "#/components/schemas/"
_PROBLEM_SCHEMAS = _component_schemas(Problem)
_PROBLEM_CONTENT = {PROBLEM_JSON: {"schema": {"$ref": COMPONENTS + Problem.__name__}}}
_STATUSES = {
    400: "the body could not be read (not UTF-8 or not JSON)",
    401: "missing or wrong API key",
    404: "unknown tariff, or none in force at that time",
    413: "request body too large",
    415: "the body is not application/json",
    422: "invalid input: each offending field is named",
    500: "unexpected error (no details; quote the request id)",
    503: "a backend is unavailable",
}
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": description, "content": _PROBLEM_CONTENT}
    for status, description in _STATUSES.items()
}
