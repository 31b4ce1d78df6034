"""Dependency aliases: what a handler may ask for, all loaded once at start-up."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from fare_service.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    """Async on purpose: FastAPI runs a plain ``def`` dependency in a thread pool."""
    return request.app.state.runtime


async def require_json(request: Request) -> None:
    """A POST body must be JSON: anything else is a 415, not a confusing 422."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise HTTPException(415, "send the body as application/json")


def json_response(model: BaseModel) -> Response:
    """Serialize once, with pydantic's own encoder: the model is already validated, so
    FastAPI's response_model pass (kept for the OpenAPI schema) would only repeat it."""
    return Response(model.model_dump_json(), media_type="application/json")


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
