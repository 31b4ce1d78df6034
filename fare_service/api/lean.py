"""Hot endpoints that FastAPI routes and documents but does not call through its solver.

The quote and adjustment handlers read their own bodies (``api/body.py``) and encode
their own responses (``deps.data_response``), and they take nothing but the request. For
such an endpoint, FastAPI's request handler still solves an empty set of dependencies and
wraps the call (about 23 us a quote, measured in-process with
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
    """A route whose endpoint is ``async def endpoint(request: Request) -> Response``.

    Nothing else declared on the route would run, so declaring it is an error at start-up:
    a dependency (an auth check, a rate limit) or a parameter other than the request.
    """

    def get_route_handler(self) -> Endpoint:
        endpoint, dependant = self.endpoint, self.dependant
        if not inspect.iscoroutinefunction(endpoint):
            raise TypeError(f"{endpoint.__name__}: a lean route needs an async endpoint")
        declared = [
            *dependant.dependencies,
            *dependant.path_params,
            *dependant.query_params,
            *dependant.header_params,
            *dependant.cookie_params,
            *dependant.body_params,
        ]
        if declared or dependant.request_param_name is None:
            raise TypeError(
                f"{endpoint.__name__}: a lean route takes the request and nothing else; "
                "use a plain APIRoute for dependencies or parameters"
            )
        return cast(Endpoint, endpoint)
