"""Request bodies, with ranges on every number and a real example; each turns itself into
the service's query (``route_query``, ``adjustment_query``).

Waypoints are capped here at the most any setting allows (50); the configured limit
(``FARE_SERVICE_MAX_WAYPOINTS``) is applied when the stops are resolved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)

from fare_service.clock import SeoulTime
from fare_service.geo.routing import Stop as StopValue
from fare_service.policy import models as policy
from fare_service.policy.text import clean_text
from fare_service.pricing.anchoring import Basis
from fare_service.service.adjusting import AdjustmentQuery, stop_names
from fare_service.service.quoting import RouteQuery
from fare_service.service.runtime import Runtime

# Strict numbers and booleans: "25000" or 0 where a number or a boolean belongs is a
# mistake to report, not to coerce.
Latitude = Annotated[float, Strict(), Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Strict(), Field(ge=-180, le=180, allow_inf_nan=False)]
Time = SeoulTime
TariffId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
MAX_WAYPOINTS = 50  # the settings' ceiling; see the module's docstring


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Stop(Body):
    """Coordinates (WGS84) or a Korean place name, e.g. ``{"place": "강남구 역삼동"}``."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"lat": 37.5702, "lon": 126.9831}, {"place": "역삼동"}]}
    )
    lat: Latitude | None = None
    lon: Longitude | None = None
    place: Annotated[str, Field(min_length=1, max_length=100)] | None = None

    @model_validator(mode="after")
    def _coordinates_or_place(self) -> Self:
        has_point = self.lat is not None and self.lon is not None
        if has_point == (self.place is not None) or (self.lat is None) != (self.lon is None):
            raise ValueError("give either lat and lon, or place")
        return self

    def value(self) -> StopValue:
        """The place name, or the coordinates as ``(lat, lon)``."""
        if self.place is not None:
            return self.place
        assert self.lat is not None and self.lon is not None
        return (self.lat, self.lon)


class LegIn(Body):
    distance_m: Annotated[float, Strict(), Field(ge=0, le=1_000_000)]
    duration_s: Annotated[float, Strict(), Field(ge=0, le=172_800)]


def _leg_pairs(legs: Sequence[LegIn] | None) -> list[tuple[float, float]] | None:
    return [(leg.distance_m, leg.duration_s) for leg in legs] if legs else None


class TracePoint(Body):
    t: Time
    lat: Latitude
    lon: Longitude


QUOTE_EXAMPLE: dict[str, Any] = {
    "tariff_id": "seoul-taxi",
    "at": "2026-11-18T23:30:00+09:00",
    "origin": {"lat": 37.5702, "lon": 126.9831},
    "waypoints": [],
    "destination": {"place": "강남구 신사동"},
    "legs": None,
}


class QuoteRequest(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [QUOTE_EXAMPLE]})

    tariff_id: TariffId | None = None
    at: Time | None = Field(None, description="ride start; naive is Asia/Seoul; default now")
    origin: Stop | None = None
    waypoints: Annotated[list[Stop], Field(max_length=MAX_WAYPOINTS)] = []
    destination: Stop | None = None
    legs: Annotated[list[LegIn], Field(min_length=1, max_length=MAX_WAYPOINTS + 1)] | None = None
    trace: Annotated[list[TracePoint], Field(min_length=2, max_length=20_000)] | None = None
    waiting_s: Annotated[float, Strict(), Field(ge=0, le=86_400)] = 0.0

    @model_validator(mode="after")
    def _route_given(self) -> Self:
        if self.trace is None and (self.origin is None or self.destination is None):
            raise ValueError("give origin and destination, or a GPS trace")
        if self.trace is not None and self.legs is not None:
            raise ValueError("give legs or a trace, not both")
        return self

    def route_query(self) -> RouteQuery:
        middle = [f"waypoints[{i}]" for i in range(len(self.waypoints))]
        ends = [
            (s, name)
            for s, name in ((self.origin, "origin"), (self.destination, "destination"))
            if s
        ]
        stops = [*ends[:1], *zip(self.waypoints, middle, strict=True), *ends[1:]]
        return RouteQuery(
            stops=[stop.value() for stop, _ in stops if stop is not None],
            stop_fields=[name for stop, name in stops if stop is not None],
            at=self.at,
            tariff_id=self.tariff_id,
            legs=_leg_pairs(self.legs),
            trace=[(p.t, p.lat, p.lon) for p in self.trace] if self.trace else None,
            waiting_s=self.waiting_s,
        )


class BatchQuoteRequest(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [QUOTE_EXAMPLE, {**QUOTE_EXAMPLE, "at": None}]}]}
    )
    items: Annotated[
        list[dict[str, Any]],
        Field(
            min_length=1,
            description="quote requests (each a QuoteRequest), checked one by one so that "
            "a bad item gets its own problem and never fails the others; at most "
            "FARE_SERVICE_MAX_BATCH_ITEMS (10,000 by default)",
        ),
    ]


CallType = Literal[
    "own_general", "own_vip", "partner", "partner_delivery", "consigned", "reservation", "other"
]
CallState = Literal["cancelled_after_assignment", "completed"]
PaymentMethod = Literal["card", "cash"]
Won = Annotated[int, Strict(), Field(ge=0, le=10_000_000)]
CallId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


class CallIn(Body):
    """The original call (원콜) as the admin tool shows it."""

    id: CallId
    type: CallType
    state: CallState
    payment: PaymentMethod
    fare: Won = Field(description="the original call's fare, in won")
    requested_at: Time = Field(description="time of the original call; naive is Asia/Seoul")
    origin: Stop
    waypoints: Annotated[list[Stop], Field(max_length=MAX_WAYPOINTS)] = []
    destination: Stop
    legs: Annotated[list[LegIn], Field(min_length=1, max_length=MAX_WAYPOINTS + 1)] | None = Field(
        default=None,
        description="the call's own route as the admin UI's map has it (one leg per pair of "
        "stops); without it the router prices the call's route too",
    )
    driving_started: StrictBool = Field(description="the driver had started driving (운행 시작)")

    @field_validator("driving_started")
    @classmethod
    def _completed_was_driven(cls, driven: bool, info: ValidationInfo) -> bool:
        if info.data.get("state") == "completed" and not driven:
            raise ValueError("a completed call (운행완료) was driven: must be true")
        return driven


class ChangeIn(Body):
    """What changed: a new destination, added waypoints, and/or a fare both sides agreed."""

    destination: Stop | None = None
    add_waypoints: Annotated[list[Stop], Field(max_length=MAX_WAYPOINTS)] = []
    legs: Annotated[list[LegIn], Field(min_length=1, max_length=MAX_WAYPOINTS + 1)] | None = None
    agreed_fare: Won | None = None
    basis: Literal["delta", "ratio", "estimate"] | None = Field(
        default=None,
        description="how the estimate moves the original fare: delta (original + changed "
        "route - original route), ratio (original x changed / original route) or estimate "
        "(the changed route's own price); default FARE_SERVICE_ADJUSTMENT_BASIS",
    )


class ChecksIn(Body):
    """The guide's checks, in its order."""

    identity_verified: StrictBool
    driver_present: StrictBool
    driver_consent: StrictBool
    customer_consent: StrictBool
    reconnections_so_far: Annotated[int, Strict(), Field(ge=0, le=100)]
    customer_recalling: StrictBool
    driver_on_duty: StrictBool


ADJUSTMENT_EXAMPLE: dict[str, Any] = {
    "tariff_id": "daeri-standard",
    "call": {
        "id": "C20261118-0001",
        "type": "own_general",
        "state": "completed",
        "payment": "card",
        "fare": 25000,
        "requested_at": "2026-11-18T23:10:00+09:00",
        "origin": {"place": "강남구 역삼동"},
        "waypoints": [],
        "destination": {"place": "분당구 정자동"},
        "driving_started": True,
    },
    "change": {"destination": {"place": "분당구 서현동"}, "add_waypoints": [], "agreed_fare": None},
    "checks": {
        "identity_verified": True,
        "driver_present": True,
        "driver_consent": True,
        "customer_consent": True,
        "reconnections_so_far": 0,
        "customer_recalling": False,
        "driver_on_duty": True,
    },
    "forced_call_id": "C20261118-0107",
    "reason": "앱 조작 실수로 운행 완료",
    "agent_name": "김상담",
}


def _cleaned(value: object) -> object:
    """An agent's free text without control characters or runs of spaces, before its
    length is checked (``policy.text.clean_text``)."""
    return clean_text(value) if isinstance(value, str) else value


Reason = Annotated[str, BeforeValidator(_cleaned), Field(max_length=200)]
AgentName = Annotated[str, BeforeValidator(_cleaned), Field(max_length=20)]


class AdjustmentRequest(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [ADJUSTMENT_EXAMPLE]})

    tariff_id: TariffId | None = None
    call: CallIn
    change: ChangeIn | None = None
    checks: ChecksIn
    forced_call_id: CallId | None = Field(None, description="the forced call (강콜) id, if made")
    reason: Reason | None = Field(
        None,
        description="why the call ended, in the agent's words: into the memo and the admin "
        "step's reason, never said aloud (at most 200 characters)",
    )
    agent_name: AgentName | None = Field(
        None, description="the agent's name, for the greeting to the driver (at most 20)"
    )

    def adjustment_query(self, runtime: Runtime) -> AdjustmentQuery:
        """The service's query; the stops are named as the agent and the SMS say them."""
        call, change = self.call, self.change or ChangeIn()
        origin, destination = call.origin.value(), call.destination.value()
        new_destination = change.destination.value() if change.destination else None
        add_waypoints = [stop.value() for stop in change.add_waypoints]
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
                requested_at=call.requested_at,
                origin_name=origin_name or "",
                destination_name=destination_name or "",
                driving_started=call.driving_started,
            ),
            origin=origin,
            waypoints=[stop.value() for stop in call.waypoints],
            destination=destination,
            new_destination=new_destination,
            add_waypoints=add_waypoints,
            legs=_leg_pairs(change.legs),
            call_legs=_leg_pairs(call.legs),
            agreed_fare=change.agreed_fare,
            basis=Basis(change.basis or runtime.settings.adjustment_basis),
            checks=policy.Checks(**vars(self.checks)),  # the fields as they are
            tariff_id=self.tariff_id,
            forced_call_id=self.forced_call_id,
            reason=self.reason,
            agent_name=self.agent_name,
            new_destination_name=new_destination_name,
            added_waypoint_names=[name or "" for name in added_names],
        )
