"""Hot endpoints that FastAPI routes and documents but does not call through its solver.

The quote and adjustment handlers read their own bodies (``api/body.py``) and encode
their own responses (``deps.json_response``), and they take nothing but the request. For
such an endpoint, FastAPI's request handler still solves an empty set of dependencies and
wraps the call (about 40 us a request, measured in-process with
``benchmarks/bench_quote_path.py``). :class:`LeanRoute` keeps everything FastAPI builds
from the route's declaration (the path, methods, OpenAPI operation, response model and
problem responses) and calls the endpoint with the request directly. This is FastAPI's
documented extension point for custom route classes (``APIRouter(route_class=...)``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any, cast

from fastapi import Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

Endpoint = Callable[[Request], Coroutine[Any, Any, Response]]


class LeanRoute(APIRoute):
    """A route whose endpoint is ``async def endpoint(request: Request) -> Response``."""

    def get_route_handler(self) -> Endpoint:
        endpoint = self.endpoint
        if not inspect.iscoroutinefunction(endpoint):
            raise TypeError(f"{endpoint.__name__}: a lean route needs an async endpoint")
        return cast(Endpoint, endpoint)
