"""``POST /v1/quotes/batch``: each item checked on its own, then all priced in one table.

The pricing is the batch command's chunk core (:func:`fare_service.batch.table.price_table`):
the embedded router runs once over every leg, the engine once per tariff version. Only
the per-item checks (schema, place names, traces) are a Python loop.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import ValidationError

from fare_service.api.problems import TYPE_BASE, field_path
from fare_service.api.routes_quotes import to_query
from fare_service.api.schemas import BatchItem, BatchQuoteResponse, QuoteRequest
from fare_service.batch.table import RouteItem, RouteTable, price_table
from fare_service.errors import FareServiceError
from fare_service.quote import FareRange, RouteInfo
from fare_service.quoting import RouteQuery, ride_time, trace_route
from fare_service.runtime import Runtime


def _problem(status: int, title: str, detail: str, slug: str, errors: list) -> dict[str, Any]:
    return {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "errors": errors,
    }


def _route_item(query: RouteQuery, runtime: Runtime) -> tuple[RouteItem, str]:
    """The item and where its legs come from (``route.source``)."""
    at = ride_time(query.at)
    if query.trace is not None:
        legs, stops, _ = trace_route(query.trace)
        item = RouteItem(at, stops, query.tariff_id, legs, query.waiting_s, waypoints=0)
        return item, "trace"
    stops = runtime.resolve_stops(query.stops, query.stops_field)
    source = "caller" if query.legs is not None else "embedded"
    return RouteItem(at, stops, query.tariff_id, query.legs, query.waiting_s), source


def _check(raw: dict[str, Any], runtime: Runtime) -> tuple[RouteItem, str] | dict[str, Any]:
    """The item ready to price, or its problem document."""
    try:
        return _route_item(to_query(QuoteRequest.model_validate(raw)), runtime)
    except ValidationError as exc:
        errors = [{"field": field_path(e["loc"]), "message": e["msg"]} for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return _problem(422, "Invalid input", detail, "invalid-input", errors)
    except FareServiceError as exc:
        errors = [{"field": exc.field, "message": exc.detail}] if exc.field else []
        problem = _problem(exc.status, exc.title, str(exc), exc.slug, errors)
        return {**problem, **exc.extra}


SLICE = 50  # items priced between two yields to the event loop (~10 ms of CPU)


async def quote_items(items: list[dict[str, Any]], runtime: Runtime) -> BatchQuoteResponse:
    """Every item's answer, in order, priced slice by slice.

    Between slices the event loop runs the worker's other requests: a 10,000-item batch
    must not hold the quotes of agents on the phone behind it for seconds (threads were
    tried and measured worse, see ``create_quotes``).
    """
    answers: list[BatchItem] = []
    for start in range(0, len(items), SLICE):
        if start:
            await asyncio.sleep(0)
        answers += _quote_slice(items[start : start + SLICE], runtime)
    ok = sum(answer.ok for answer in answers)
    return BatchQuoteResponse(items=answers, ok=ok, failed=len(answers) - ok)


def _quote_slice(items: list[dict[str, Any]], runtime: Runtime) -> list[BatchItem]:
    checked = [_check(raw, runtime) for raw in items]
    routes = [item for item, _ in (c for c in checked if isinstance(c, tuple))]
    result = price_table(
        RouteTable.from_items(routes),
        runtime.book,
        runtime.routing.embedded,
        runtime.places,
        with_range=True,
    )
    answers: list[BatchItem] = []
    row = 0
    for item in checked:
        if isinstance(item, tuple):
            answers.append(_answer(result, row, *item))
            row += 1
        else:
            answers.append(BatchItem(ok=False, problem=item))
    return answers


def _answer(result: Any, row: int, item: RouteItem, source: str) -> BatchItem:
    if not result.ok[row]:
        detail = str(result.error[row])
        return BatchItem(
            ok=False, problem=_problem(422, "Cannot price", detail, "cannot-price", [])
        )
    quote = result.quote(row, item.at)
    quote.route = RouteInfo(source=source)
    assert result.fare_low is not None and result.fare_high is not None
    low, high = sorted((int(result.fare_low[row]), int(result.fare_high[row])))
    quote.range = FareRange(low=min(low, quote.fare), high=max(high, quote.fare))
    return BatchItem(ok=True, quote=quote)
