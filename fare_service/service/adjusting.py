"""An adjustment request: price the changed route (if any), then apply the policy.

The changed route is origin -> the call's waypoints -> added waypoints -> the new (or
original) destination, priced with the tariff in force at the original call's time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

from fare_service.geo.places import Region
from fare_service.geo.routing import LegPair, Stop
from fare_service.policy import models as policy
from fare_service.policy.instruction import instruct
from fare_service.policy.rules import decide
from fare_service.service.quoting import RouteQuery, quote_route
from fare_service.service.results import FareRange, QuoteResult
from fare_service.service.runtime import Runtime


@dataclass(frozen=True)
class AdjustmentQuery:
    """Already validated by the caller; stops are (lat, lon) pairs or place names."""

    call: policy.Call
    origin: Stop
    waypoints: Sequence[Stop]
    destination: Stop
    new_destination: Stop | None
    add_waypoints: Sequence[Stop]
    legs: Sequence[LegPair] | None
    agreed_fare: int | None
    checks: policy.Checks
    new_destination_name: str | None  # the changed stops as people say them: stop_names
    added_waypoint_names: Sequence[str]
    tariff_id: str | None = None
    forced_call_id: str | None = None

    def __post_init__(self) -> None:
        if len(self.added_waypoint_names) != len(self.add_waypoints):
            raise ValueError("added_waypoint_names must name each of add_waypoints")


@dataclass(frozen=True, kw_only=True)
class AdjustmentResult(policy.Instruction):
    """The policy's instruction and, when the route changed, the quote behind the estimate."""

    quote: QuoteResult | None = None

    @classmethod
    def of(cls, instruction: policy.Instruction, quote: QuoteResult | None) -> AdjustmentResult:
        return cls(**{name: getattr(instruction, name) for name in _INSTRUCTION}, quote=quote)


_INSTRUCTION = tuple(f.name for f in fields(policy.Instruction))


async def adjust(query: AdjustmentQuery, runtime: Runtime) -> AdjustmentResult:
    quote = await _changed_route_quote(query, runtime) if _route_changed(query) else None
    estimate = _estimate(quote, query, runtime)
    change = policy.Change(
        new_destination_name=query.new_destination_name,
        added_waypoint_names=tuple(query.added_waypoint_names),
        agreed_fare=query.agreed_fare,
    )
    settings = runtime.settings
    decision = decide(
        query.call,
        change,
        query.checks,
        estimate,
        forced_call_id=query.forced_call_id,
        band=(settings.agreed_fare_band_low, settings.agreed_fare_band_high),
    )
    return AdjustmentResult.of(instruct(decision, runtime.templates), quote)


def _route_changed(query: AdjustmentQuery) -> bool:
    return query.new_destination is not None or bool(query.add_waypoints)


async def _changed_route_quote(query: AdjustmentQuery, runtime: Runtime) -> QuoteResult:
    stops = [
        query.origin,
        *query.waypoints,
        *query.add_waypoints,
        query.new_destination or query.destination,
    ]
    names = [
        "call.origin",
        *(f"call.waypoints[{i}]" for i in range(len(query.waypoints))),
        *(f"change.add_waypoints[{i}]" for i in range(len(query.add_waypoints))),
        "change.destination" if query.new_destination is not None else "call.destination",
    ]
    route = RouteQuery(
        stops=stops,
        stop_fields=names,
        tariff_id=query.tariff_id,
        at=query.call.requested_at,
        legs=query.legs,
        legs_field="change.legs",
    )
    return await quote_route(route, runtime)


def _estimate(
    quote: QuoteResult | None, query: AdjustmentQuery, runtime: Runtime
) -> policy.Estimate | None:
    if quote is None:
        return None
    version = runtime.book.version_at(query.tariff_id, query.call.requested_at)[1]
    band = quote.range or FareRange(quote.fare, quote.fare)
    return policy.Estimate(
        fare=quote.fare, low=band.low, high=band.high, minimum_fare=version.minimum_fare
    )


def stop_names(stops: Sequence[Stop | None], runtime: Runtime) -> list[str | None]:
    """What the agent and the SMS call each stop: the place as said, or the 구 and 동 at
    the coordinates (one lookup for all of them)."""
    regions = iter(runtime.places.regions_of([s for s in stops if isinstance(s, tuple)]))
    return [
        _coordinates_name(stop, next(regions)) if isinstance(stop, tuple) else stop
        for stop in stops
    ]


def _coordinates_name(stop: tuple[float, float], region: Region | None) -> str:
    if region is None:
        return f"{stop[0]:.5f}, {stop[1]:.5f}"
    return " ".join(part for part in (region.sigungu, region.emd) if part)
