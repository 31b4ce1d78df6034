"""Many quote requests, each answered exactly as ``POST /v1/quotes`` answers it.

Every item is read with the same schema and planned by the same
:func:`~fare_service.service.quoting.plan_route` (tariff version, stops, legs, the
out-of-area rule); each :data:`CHUNK` items' plans are then priced together by
:func:`~fare_service.service.quoting.price_plans`, the engine's array twin, which a
property test holds equal to the one-route engine. ``tests/test_entrances.py`` holds each
item's answer to the single endpoint's, byte for byte.

The event loop runs the worker's other requests before every :data:`STEP` items planned
or answered. Pricing item by item through ``quote_route`` cost ~250 us an item, and
batches piled up under the admin UI's load mix (client p99 of quotes 75 ms,
``benchmarks/run_load.sh``); planned and priced ten at a time, the engine's fixed cost per
call (~250 us, one call per tariff version) was a third of an item's CPU. Priced a chunk
at a time, planning and pricing cost 1.1x what stop 13's tables did (commit 7eff519;
``benchmarks/batch_instructions.py`` and ``benchmarks/compare_batch.py``,
``docs/performance.md``), before the search for a route's last exit from the home area
(issue 16), ~0.1-0.3 ms for each ``seoul-taxi`` ride that ends outside it. The longest
slice, the engine for a chunk and ten answers, is ~2-3 ms; a slice planning ten items
~0.7 ms, a little more when it searches exits.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from fare_service.api import metrics
from fare_service.api.problems import service_problem, validation_problem
from fare_service.api.schemas import QuoteRequest
from fare_service.errors import FareServiceError
from fare_service.service.quoting import RoutePlan, plan_route, price_plans
from fare_service.service.results import QuoteResult
from fare_service.service.runtime import Runtime

STEP = 10  # items planned between two yields to the event loop
CHUNK = 100  # items priced together: one engine call per tariff version


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
    answers: list[BatchItem] = []
    for start in range(0, len(items), CHUNK):
        answers += await _chunk(items[start : start + CHUNK], runtime)
    ok = sum(answer.ok for answer in answers)
    return BatchQuoteResult(tuple(answers), ok, len(answers) - ok)


async def _chunk(items: list[dict[str, Any]], runtime: Runtime) -> list[BatchItem]:
    """Plan each item, price the plans together, answer in order; the event loop runs
    the worker's other requests before every :data:`STEP` items planned or answered."""
    planned: list[RoutePlan | BatchItem] = []
    for start in range(0, len(items), STEP):
        await asyncio.sleep(0)
        planned += [await _plan(raw, runtime) for raw in items[start : start + STEP]]
    priced = price_plans([plan for plan in planned if isinstance(plan, RoutePlan)])
    answers: list[BatchItem] = []
    for start in range(0, len(planned), STEP):
        await asyncio.sleep(0)
        step = planned[start : start + STEP]
        answers += [_answer(next(priced)) if isinstance(p, RoutePlan) else p for p in step]
    return answers


async def _plan(raw: dict[str, Any], runtime: Runtime) -> RoutePlan | BatchItem:
    try:
        query = QuoteRequest.model_validate(raw).route_query()
        return await plan_route(query, runtime)
    except ValidationError as exc:
        return BatchItem(ok=False, problem=validation_problem(exc.errors()))
    except FareServiceError as exc:
        return BatchItem(ok=False, problem=service_problem(exc))


def _answer(priced: QuoteResult | FareServiceError) -> BatchItem:
    if isinstance(priced, FareServiceError):
        return BatchItem(ok=False, problem=service_problem(priced))
    metrics.count_quote(priced.tariff.id)
    return BatchItem(ok=True, quote=priced)
