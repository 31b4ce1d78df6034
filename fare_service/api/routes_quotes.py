"""``POST /v1/quotes`` and ``POST /v1/quotes/batch``: one road for one quote or many."""

from __future__ import annotations

from fastapi import APIRouter

from fare_service.api import metrics
from fare_service.api.batch_quotes import BatchQuoteResult, quote_items
from fare_service.api.deps import ResultResponse, RuntimeDep
from fare_service.api.fast_route import JsonBodyRoute
from fare_service.api.problems import PROBLEM_RESPONSES
from fare_service.api.schemas import BatchQuoteRequest, QuoteRequest
from fare_service.errors import BadInput
from fare_service.service.quoting import quote_route
from fare_service.service.results import QuoteResult

router = APIRouter(tags=["quotes"], responses=PROBLEM_RESPONSES, route_class=JsonBodyRoute)


@router.post("/v1/quotes", response_model=QuoteResult, response_class=ResultResponse)
async def create_quote(body: QuoteRequest, runtime: RuntimeDep) -> ResultResponse:
    """Price a route: stops (coordinates or place names), caller legs, or a GPS trace."""
    quote = await quote_route(body.route_query(), runtime)
    metrics.count_quote(quote.tariff.id)
    return ResultResponse(quote)


@router.post("/v1/quotes/batch", response_model=BatchQuoteResult, response_class=ResultResponse)
async def create_quotes(body: BatchQuoteRequest, runtime: RuntimeDep) -> ResultResponse:
    """Many quotes, answered in order, each as ``/v1/quotes`` answers it; a bad item gets
    its own problem and never fails the others."""
    most = runtime.settings.max_batch_items
    if len(body.items) > most:
        raise BadInput(f"{len(body.items):,} items; at most {most:,} a request", field="items")
    return ResultResponse(await quote_items(body.items, runtime))
