"""An adjustment request: price the changed route (if any), then apply the policy.

The changed route is origin -> the call's waypoints -> added waypoints -> the new (or
original) destination, priced with the tariff in force at the original call's time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fare_service.geo.places import Region
from fare_service.policy import models as policy
from fare_service.policy.instruction import instruction_data
from fare_service.policy.rules import decide
from fare_service.quote import Quote, QuoteData
from fare_service.quoting import RouteQuery, quote_route
from fare_service.runtime import Runtime

StopValue = tuple[float, float] | str


@dataclass(frozen=True)
class AdjustmentQuery:
    """Already validated by the caller; stops are (lat, lon) pairs or place names."""

    call: policy.Call
    origin: StopValue
    waypoints: Sequence[StopValue]
    destination: StopValue
    new_destination: StopValue | None
    add_waypoints: Sequence[StopValue]
    legs: Sequence[tuple[float, float]] | None
    agreed_fare: int | None
    checks: policy.Checks
    new_destination_name: str | None  # the changed stops as people say them: stop_names
    added_waypoint_names: Sequence[str]
    tariff_id: str | None = None
    forced_call_id: str | None = None

    def __post_init__(self) -> None:
        if len(self.added_waypoint_names) != len(self.add_waypoints):
            raise ValueError("added_waypoint_names must name each of add_waypoints")


class Adjustment(policy.Instruction):
    """The policy's instruction and, when the route changed, the quote behind the estimate."""

    quote: Quote | None = None


@dataclass(frozen=True, slots=True)
class Adjusted:
    """An :class:`Adjustment` as plain data: the instruction's fields and the quote's.

    The API writes them as they are (``api.deps.data_response``): the same bytes as the
    validated model's JSON, which a test checks.
    """

    instruction: dict[str, Any]  # policy.instruction.instruction_data
    quote: QuoteData | None

    def data(self) -> dict[str, Any]:
        """:class:`Adjustment`'s fields, in its order."""
        return {**self.instruction, "quote": self.quote}


async def adjust(query: AdjustmentQuery, runtime: Runtime) -> Adjusted:
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
    return Adjusted(instruction_data(decision, runtime.templates), quote)


def _route_changed(query: AdjustmentQuery) -> bool:
    return query.new_destination is not None or bool(query.add_waypoints)


async def _changed_route_quote(query: AdjustmentQuery, runtime: Runtime) -> QuoteData:
    stops = [
        query.origin,
        *query.waypoints,
        *query.add_waypoints,
        query.new_destination or query.destination,
    ]
    fields = [
        "call.origin",
        *(f"call.waypoints[{i}]" for i in range(len(query.waypoints))),
        *(f"change.add_waypoints[{i}]" for i in range(len(query.add_waypoints))),
        "change.destination" if query.new_destination is not None else "call.destination",
    ]
    route = RouteQuery(
        stops=stops,
        stops_field=fields,
        tariff_id=query.tariff_id,
        at=query.call.requested_at,
        legs=query.legs,
    )
    return await quote_route(route, runtime)


def _estimate(
    quote: QuoteData | None, query: AdjustmentQuery, runtime: Runtime
) -> policy.Estimate | None:
    if quote is None:
        return None
    version = runtime.book.version_at(query.tariff_id, query.call.requested_at)[1]
    fare, band = quote["fare"], quote["range"]
    low, high = (band["low"], band["high"]) if band else (fare, fare)
    return policy.Estimate(fare=fare, low=low, high=high, minimum_fare=version.minimum_fare)


def stop_names(stops: Sequence[StopValue | None], runtime: Runtime) -> list[str | None]:
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
