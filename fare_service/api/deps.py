"""What a handler may ask for (dependency aliases), and how it answers.

Everything a dependency returns was loaded once at start-up (``app.state.runtime``);
tests replace it with ``app.dependency_overrides[get_runtime]``.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from fare_service.service.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    """Async on purpose: FastAPI runs a plain ``def`` dependency in a thread pool."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


class ResultResponse(JSONResponse):
    """A service result (frozen dataclasses, enums, datetimes) written by orjson.

    The route declares the result type as its ``response_model``, so the OpenAPI document
    is generated from the same class whose fields are written here.
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
