"""The one shortcut around FastAPI: JSON bodies read in one pass on the two hot routes.

``POST /v1/quotes`` and ``POST /v1/adjustments`` are declared as ordinary FastAPI
handlers (a pydantic body, dependency aliases, a response model), and FastAPI documents
them as such. :class:`JsonBodyRoute` only changes how such a handler is *called*: the body
is validated by pydantic straight from the bytes (``model_validate_json``) and each
dependency is called with the request, instead of FastAPI's ``json.loads`` then
``validate_python`` and its dependency solver. While ``app.dependency_overrides`` holds
anything (tests), the route runs FastAPI's own handler, so overrides behave as FastAPI
documents them.

Measured in-process (``benchmarks/bench_quote_path.py``, same bodies, alternating rounds):
a quote costs 16% less CPU than through FastAPI's own request handler, an adjustment 13%
less; through HTTP the share of ``/healthz`` throughput rises by about as much. That is
the floor the issue that introduced this set: a shortcut only where it saves >= 10%.

The handler may take exactly one pydantic body and any dependencies declared as
``Annotated[T, Depends(f)]`` where ``f(request)`` is a plain or async function; anything
else is refused when the route is made, so no declared check is ever silently skipped.
Errors are FastAPI's own ``RequestValidationError``, rendered by the same handler.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Coroutine
from typing import Any, get_args, get_origin

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.params import Depends
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class JsonBodyRoute(APIRoute):
    def get_route_handler(self) -> Handler:
        endpoint = self.endpoint
        body_name, model, dependencies = _parameters(endpoint)
        standard = super().get_route_handler()

        async def handler(request: Request) -> Response:
            if request.app.dependency_overrides:
                return await standard(request)
            try:
                body = model.model_validate_json(await request.body())
            except ValidationError as error:
                errors = error.errors(include_url=False)
                raise RequestValidationError(
                    [{**e, "loc": ("body", *e["loc"])} for e in errors]
                ) from None
            values: dict[str, Any] = {body_name: body}
            for name, dependency in dependencies.items():
                value = dependency(request)
                values[name] = await value if inspect.isawaitable(value) else value
            response: Response = await endpoint(**values)
            return response

        return handler


def _parameters(
    endpoint: Callable[..., Any],
) -> tuple[str, type[BaseModel], dict[str, Callable[..., Any]]]:
    """The body's name and model, and each dependency's name and function."""
    if not inspect.iscoroutinefunction(endpoint):
        raise TypeError(f"{endpoint.__name__}: a JsonBodyRoute needs an async endpoint")
    hints = typing.get_type_hints(endpoint, include_extras=True)
    bodies: list[tuple[str, type[BaseModel]]] = []
    dependencies: dict[str, Callable[..., Any]] = {}
    for name in inspect.signature(endpoint).parameters:
        hint = hints[name]
        marks = get_args(hint)[1:] if get_origin(hint) is typing.Annotated else ()
        depends = [mark for mark in marks if isinstance(mark, Depends)]
        if depends and depends[0].dependency is not None:
            dependencies[name] = _takes_the_request(depends[0].dependency, endpoint, name)
        elif isinstance(hint, type) and issubclass(hint, BaseModel):
            bodies.append((name, hint))
        else:
            raise TypeError(f"{endpoint.__name__}: {name} is neither the body nor a dependency")
    if len(bodies) != 1:
        raise TypeError(f"{endpoint.__name__}: a JsonBodyRoute takes exactly one JSON body")
    return bodies[0][0], bodies[0][1], dependencies


def _takes_the_request(
    dependency: Callable[..., Any], endpoint: Callable[..., Any], name: str
) -> Callable[..., Any]:
    hints = typing.get_type_hints(dependency)
    parameters = list(inspect.signature(dependency).parameters)
    if len(parameters) != 1 or hints.get(parameters[0]) is not Request:
        raise TypeError(f"{endpoint.__name__}: {name}'s dependency must take only the request")
    return dependency
