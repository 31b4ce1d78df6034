"""``POST /v1/quotes`` and ``POST /v1/quotes/batch``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from fare_service.api import metrics
from fare_service.api.body import json_body, openapi_body
from fare_service.api.deps import data_response, json_response, runtime_of
from fare_service.api.lean import LeanRoute
from fare_service.api.problems import PROBLEM_RESPONSES
from fare_service.api.schemas import (
    BatchQuoteRequest,
    BatchQuoteResponse,
    QuoteRequest,
    Stop,
)
from fare_service.quote import Quote
from fare_service.quoting import RouteQuery, quote_route

router = APIRouter(
    route_class=LeanRoute,
    tags=["quotes"],
    responses=PROBLEM_RESPONSES,
)


def stop_value(stop: Stop) -> tuple[float, float] | str:
    if stop.place is not None:
        return stop.place
    assert stop.lat is not None and stop.lon is not None
    return (stop.lat, stop.lon)


def stop_fields(prefix: str, count_waypoints: int) -> list[str]:
    """Field paths of the stops in route order, for error messages."""
    middle = [f"{prefix}waypoints[{i}]" for i in range(count_waypoints)]
    return [f"{prefix}origin", *middle, f"{prefix}destination"]


def to_query(body: QuoteRequest) -> RouteQuery:
    return RouteQuery(
        stops=[stop_value(stop) for stop in body.stops()],
        stops_field=stop_fields("", len(body.waypoints)),
        tariff_id=body.tariff_id,
        at=body.at,
        legs=[(leg.distance_m, leg.duration_s) for leg in body.legs] if body.legs else None,
        trace=[(p.t, p.lat, p.lon) for p in body.trace] if body.trace else None,
        waiting_s=body.waiting_s,
    )


@router.post("/v1/quotes", response_model=Quote, openapi_extra=openapi_body(QuoteRequest))
async def create_quote(request: Request) -> Response:
    """Price a route: stops (coordinates or place names), caller legs, or a GPS trace."""
    body = await json_body(request, QuoteRequest)
    quote = await quote_route(to_query(body), runtime_of(request))
    metrics.QUOTES.labels(quote["tariff"]["id"]).inc()
    return data_response(quote)


@router.post(
    "/v1/quotes/batch",
    response_model=BatchQuoteResponse,
    openapi_extra=openapi_body(BatchQuoteRequest),
)
async def create_quotes(request: Request) -> Response:
    """Up to 10,000 quotes, answered in order; a bad item gets its own problem.

    Priced on the event loop: in a worker thread the batch and the event loop contend
    for the GIL, which measured worse at 400 req/s (and more threads grew memory).
    """
    from fare_service.api.batch_quotes import quote_items

    body = await json_body(request, BatchQuoteRequest)
    return json_response(await quote_items(body.items, runtime_of(request)))
