"""Dependency aliases: what a handler may ask for, all loaded once at start-up."""

from __future__ import annotations

import functools
from typing import Annotated, Any

import orjson
from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, TypeAdapter
from pydantic_core import to_jsonable_python

from fare_service.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    """Async on purpose: FastAPI runs a plain ``def`` dependency in a thread pool."""
    return runtime_of(request)


def runtime_of(request: Request) -> Runtime:
    """For the hot handlers, which skip FastAPI's dependency solver (``api/body.py``)."""
    runtime: Runtime = request.app.state.runtime
    return runtime


def json_response(model: BaseModel) -> Response:
    """Serialize once, with pydantic's own encoder: the model is already validated, so
    FastAPI's response_model pass (kept for the OpenAPI schema) would only repeat it.

    A TypeAdapter gives the JSON as bytes; ``model_dump_json`` decodes it to a str that
    the Response encodes again (~6 us for 2.5 KB of mostly Hangul). The batch endpoint
    answers through this; quotes and adjustments through :func:`data_response`.
    """
    return Response(_adapter(type(model)).dump_json(model), media_type="application/json")


@functools.cache
def _adapter(model: type[BaseModel]) -> TypeAdapter[Any]:
    return TypeAdapter(model)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def data_response(data: dict[str, Any]) -> Response:
    """A model's fields as plain data (``quote_data``, ``instruction_data``), written as
    the model would write them, without building it: orjson, with dates written by
    pydantic (orjson writes "+00:00" where pydantic writes "Z")."""
    body = orjson.dumps(data, default=to_jsonable_python, option=orjson.OPT_PASSTHROUGH_DATETIME)
    return Response(body, media_type="application/json")
