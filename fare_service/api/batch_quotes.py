"""Many quote requests, each answered exactly as ``POST /v1/quotes`` answers it.

Every item is read with the same schema and priced by the same
:func:`~fare_service.service.quoting.quote_route`, so an item's quote or problem is the
single endpoint's, byte for byte. Between items the event loop runs the worker's other
requests: an agent's quote waits for one item (~0.1 ms), not for the whole batch.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from fare_service.api.problems import service_problem, validation_problem
from fare_service.api.schemas import QuoteRequest
from fare_service.errors import FareServiceError
from fare_service.service.quoting import quote_route
from fare_service.service.results import QuoteResult
from fare_service.service.runtime import Runtime


@dataclass(frozen=True)
class BatchItem:
    ok: bool
    quote: QuoteResult | None = None
    problem: dict[str, Any] | None = None
    """An RFC 9457 problem, as ``/v1/quotes`` would answer this item."""


@dataclass(frozen=True)
class BatchQuoteResult:
    items: tuple[BatchItem, ...]
    ok: int
    failed: int


async def quote_items(items: list[dict[str, Any]], runtime: Runtime) -> BatchQuoteResult:
    answers = []
    for raw in items:
        answers.append(await _quote_item(raw, runtime))
        await asyncio.sleep(0)
    ok = sum(answer.ok for answer in answers)
    return BatchQuoteResult(tuple(answers), ok, len(answers) - ok)


async def _quote_item(raw: dict[str, Any], runtime: Runtime) -> BatchItem:
    try:
        query = QuoteRequest.model_validate(raw).route_query()
        return BatchItem(ok=True, quote=await quote_route(query, runtime))
    except ValidationError as exc:
        return BatchItem(ok=False, problem=validation_problem(exc.errors()))
    except FareServiceError as exc:
        return BatchItem(ok=False, problem=service_problem(exc))
