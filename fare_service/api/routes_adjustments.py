"""``POST /v1/adjustments``: the agent's situation in, the exact instruction out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from fare_service.adjusting import Adjustment, AdjustmentQuery, adjust, stop_names
from fare_service.api.body import json_body, openapi_body
from fare_service.api.deps import data_response, runtime_of
from fare_service.api.lean import LeanRoute
from fare_service.api.problems import PROBLEM_RESPONSES
from fare_service.api.routes_quotes import stop_value
from fare_service.api.schemas import AdjustmentRequest
from fare_service.policy import models as policy
from fare_service.quoting import ride_time
from fare_service.runtime import Runtime

router = APIRouter(
    route_class=LeanRoute,
    tags=["adjustments"],
    responses=PROBLEM_RESPONSES,
)


def to_query(body: AdjustmentRequest, runtime: Runtime) -> AdjustmentQuery:
    call, change = body.call, body.change
    origin, destination = stop_value(call.origin), stop_value(call.destination)
    new_destination = stop_value(change.destination) if change and change.destination else None
    add_waypoints = [stop_value(stop) for stop in change.add_waypoints] if change else []
    origin_name, destination_name, new_destination_name, *added_names = stop_names(
        [origin, destination, new_destination, *add_waypoints], runtime
    )
    return AdjustmentQuery(
        call=policy.Call(
            id=call.id,
            type=policy.CallType(call.type),
            state=policy.CallState(call.state),
            payment=policy.PaymentMethod(call.payment),
            fare=call.fare,
            requested_at=ride_time(call.requested_at),
            origin_name=origin_name or "",
            destination_name=destination_name or "",
            driving_started=call.driving_started,
        ),
        origin=origin,
        waypoints=[stop_value(stop) for stop in call.waypoints],
        destination=destination,
        new_destination=new_destination,
        add_waypoints=add_waypoints,
        legs=[(leg.distance_m, leg.duration_s) for leg in change.legs]
        if change and change.legs
        else None,
        agreed_fare=change.agreed_fare if change else None,
        checks=policy.Checks(**vars(body.checks)),  # the fields as they are: no dump, no iter
        tariff_id=body.tariff_id,
        forced_call_id=body.forced_call_id,
        new_destination_name=new_destination_name,
        added_waypoint_names=[name or "" for name in added_names],
    )


@router.post(
    "/v1/adjustments", response_model=Adjustment, openapi_extra=openapi_body(AdjustmentRequest)
)
async def create_adjustment(request: Request) -> Response:
    """Outcome, blockers, payment instruction, scripts, SMS and memo for a re-linked ride."""
    body, runtime = await json_body(request, AdjustmentRequest), runtime_of(request)
    adjusted = await adjust(to_query(body, runtime), runtime)
    return data_response(adjusted.data())
