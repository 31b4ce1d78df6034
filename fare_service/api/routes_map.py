"""``POST /v1/route-map``: the stops of a call (and its changed destination) as an SVG map,
for the agent's form and the admin UI alike."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ConfigDict, Field

from fare_service.api.deps import RuntimeDep
from fare_service.api.problems import PROBLEM_RESPONSES
from fare_service.api.schemas import MAX_WAYPOINTS, Body, Stop
from fare_service.geo import route_map
from fare_service.service.adjusting import stop_names

SVG = "image/svg+xml"
ROUTE_MAP_EXAMPLE: dict[str, Any] = {
    "origin": {"place": "강남구 역삼동"},
    "waypoints": [{"lat": 37.5172, "lon": 127.0473}],
    "destination": {"place": "분당구 정자동"},
    "changed_destination": {"place": "분당구 서현동"},
}

router = APIRouter(tags=["maps"], responses=PROBLEM_RESPONSES)


class RouteMapRequest(Body):
    """Stops as ``POST /v1/quotes`` takes them: coordinates or a place name."""

    model_config = ConfigDict(json_schema_extra={"examples": [ROUTE_MAP_EXAMPLE]})

    origin: Stop
    waypoints: list[Stop] = Field(default_factory=list, max_length=MAX_WAYPOINTS)
    destination: Stop
    changed_destination: Stop | None = Field(
        None, description="the destination the customer changed to, if any"
    )


@router.post(
    "/v1/route-map",
    response_class=Response,
    responses={
        200: {
            "description": "an SVG map (640 x 400): the 시군구 around the stops, the origin, "
            "numbered waypoints, the original and changed destination, labelled in Korean",
            "content": {SVG: {"schema": {"type": "string"}, "example": "<svg ...>...</svg>"}},
        }
    },
)
async def create_route_map(body: RouteMapRequest, runtime: RuntimeDep) -> Response:
    """The route drawn over the bundled 시군구 outlines (offline, no tiles); every stop
    that cannot be placed is reported at once, each naming its field."""
    stops = [
        (body.origin, "origin"),
        *((stop, f"waypoints[{i}]") for i, stop in enumerate(body.waypoints)),
        (body.destination, "destination"),
        *([(body.changed_destination, "changed_destination")] if body.changed_destination else []),
    ]
    values = [stop.value() for stop, _ in stops]
    changed = body.changed_destination is not None
    fields = [field for _, field in stops]
    points = runtime.resolve_stops(values, fields, alternatives=int(changed))
    names = [name or "" for name in stop_names(values, runtime)]
    svg = route_map.draw(route_map.route_stops(points, names, changed=changed), runtime.outlines)
    return Response(svg, media_type=SVG)
