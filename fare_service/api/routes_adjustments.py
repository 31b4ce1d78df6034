"""``POST /v1/adjustments``: the agent's situation in, the exact instruction out."""

from __future__ import annotations

from fastapi import APIRouter

from fare_service.api.deps import ResultResponse, RuntimeDep
from fare_service.api.fast_route import JsonBodyRoute
from fare_service.api.problems import PROBLEM_RESPONSES
from fare_service.api.schemas import AdjustmentRequest
from fare_service.service.adjusting import AdjustmentResult, adjust

router = APIRouter(tags=["adjustments"], responses=PROBLEM_RESPONSES, route_class=JsonBodyRoute)


@router.post("/v1/adjustments", response_model=AdjustmentResult, response_class=ResultResponse)
async def create_adjustment(body: AdjustmentRequest, runtime: RuntimeDep) -> ResultResponse:
    """Outcome, blockers, payment instruction, scripts, SMS and memo for a re-linked ride."""
    return ResultResponse(await adjust(body.adjustment_query(runtime), runtime))
