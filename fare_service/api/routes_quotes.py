"""``POST /v1/quotes`` and ``POST /v1/quotes/batch``."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from fare_service.api import metrics
from fare_service.api.deps import RuntimeDep, json_response, require_json
from fare_service.api.problems import PROBLEM_RESPONSES
from fare_service.api.schemas import (
    BatchQuoteRequest,
    BatchQuoteResponse,
    QuoteRequest,
    Stop,
)
from fare_service.api.security import require_api_key
from fare_service.quote import Quote
from fare_service.quoting import RouteQuery, quote_route

router = APIRouter(
    tags=["quotes"],
    dependencies=[Depends(require_api_key), Depends(require_json)],
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


@router.post("/v1/quotes", response_model=Quote)
async def create_quote(body: QuoteRequest, runtime: RuntimeDep) -> Response:
    """Price a route: stops (coordinates or place names), caller legs, or a GPS trace."""
    quote = await quote_route(to_query(body), runtime)
    metrics.QUOTES.labels(quote.tariff.id).inc()
    return json_response(quote)


@router.post("/v1/quotes/batch", response_model=BatchQuoteResponse)
async def create_quotes(body: BatchQuoteRequest, runtime: RuntimeDep) -> Response:
    """Up to 10,000 quotes, answered in order; a bad item gets its own problem.

    Priced on the event loop: in a worker thread the batch and the event loop contend
    for the GIL, which measured worse at 400 req/s (and more threads grew memory).
    """
    from fare_service.api.batch_quotes import quote_items

    return json_response(quote_items(body.items, runtime))
