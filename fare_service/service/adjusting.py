"""An adjustment request: price the change (if any), then apply the policy.

The changed route is origin -> the call's waypoints -> added waypoints -> the new (or
original) destination; the call's own route is origin -> its waypoints -> its destination.
Both are priced with the tariff in force at the original call's time, and the estimate is
the original fare moved by their difference (``pricing.anchoring``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

from fare_service.errors import BadInput
from fare_service.geo.places import Region
from fare_service.geo.routing import LegPair, Stop
from fare_service.policy import models as policy
from fare_service.policy.instruction import instruct
from fare_service.policy.rules import decide
from fare_service.pricing.anchoring import Basis, anchored_fare
from fare_service.service.quoting import RouteQuery, plan_route, price_point, quote_route
from fare_service.service.results import AnchoredEstimate, FareRange, QuoteResult
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
    call_legs: Sequence[LegPair] | None
    agreed_fare: int | None
    basis: Basis
    checks: policy.Checks
    new_destination_name: str | None  # the changed stops as people say them: stop_names
    added_waypoint_names: Sequence[str]
    tariff_id: str | None = None
    forced_call_id: str | None = None
    reason: str | None = None  # the agent's words: cleaned by the policy (policy.Notes)
    agent_name: str | None = None

    def __post_init__(self) -> None:
        if len(self.added_waypoint_names) != len(self.add_waypoints):
            raise ValueError("added_waypoint_names must name each of add_waypoints")


@dataclass(frozen=True, kw_only=True)
class AdjustmentResult(policy.Instruction):
    """The policy's instruction and, when the route changed, the quote behind the estimate."""

    estimate: AnchoredEstimate | None = None
    quote: QuoteResult | None = None

    @classmethod
    def of(cls, instruction: policy.Instruction, estimate: _Estimated | None) -> AdjustmentResult:
        return cls(
            **{name: getattr(instruction, name) for name in _INSTRUCTION},
            estimate=estimate.anchored if estimate else None,
            quote=estimate.changed if estimate else None,
        )


_INSTRUCTION = tuple(f.name for f in fields(policy.Instruction))


@dataclass(frozen=True)
class _Estimated:
    """The changed route's quote, the anchored estimate, and the policy's view of it."""

    changed: QuoteResult
    anchored: AnchoredEstimate
    minimum_fare: int
    original_route_m: int

    @property
    def for_policy(self) -> policy.Estimate:
        a = self.anchored
        return policy.Estimate(fare=a.fare, low=a.low, high=a.high, minimum_fare=self.minimum_fare)


async def adjust(query: AdjustmentQuery, runtime: Runtime) -> AdjustmentResult:
    estimate = await _estimate(query, runtime) if _route_changed(query) else None
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
        estimate.for_policy if estimate else None,
        forced_call_id=query.forced_call_id,
        band=(settings.agreed_fare_band_low, settings.agreed_fare_band_high),
        notes=policy.Notes(reason=query.reason, agent_name=query.agent_name),
        route_m=_longest_route_m(query, estimate),
        max_route_m=round(settings.max_ride_km * 1000),
    )
    instruction = instruct(decision, runtime.templates, support_phone=settings.support_phone)
    return AdjustmentResult.of(instruction, estimate)


def _longest_route_m(query: AdjustmentQuery, estimate: _Estimated | None) -> int | None:
    """The longer of the routes priced (both when the route changed), or the call's own
    legs as given; None when nothing was routed (no change and no legs: nothing to price)."""
    if estimate is not None:
        return max(estimate.changed.distance_m, estimate.original_route_m)
    if query.call_legs:
        return round(sum(distance_m for distance_m, _ in query.call_legs))
    return None


def _route_changed(query: AdjustmentQuery) -> bool:
    return query.new_destination is not None or bool(query.add_waypoints)


async def _estimate(query: AdjustmentQuery, runtime: Runtime) -> _Estimated:
    """Both routes priced with the tariff version in force at the call, on the same
    router; the original fare moved by the difference (``pricing.anchoring``)."""
    changed_route, original_route_query = _changed_route(query), _original_route(query)
    try:
        changed = await quote_route(changed_route, runtime)
        original_plan = await plan_route(original_route_query, runtime)
    except BadInput:
        _raise_every_bad_stop(changed_route, original_route_query, runtime)
        raise
    original_route = price_point(original_plan)
    original_route_fare = original_route.fare
    version = original_plan.version

    def anchored(changed_route_fare: int) -> int:
        return anchored_fare(
            query.basis,
            version,
            original_fare=query.call.fare,
            original_route_fare=original_route_fare,
            changed_route_fare=changed_route_fare,
        )

    fare = anchored(changed.fare)
    band = changed.range or FareRange(changed.fare, changed.fare)
    low, high = sorted((anchored(band.low), anchored(band.high)))
    estimate = AnchoredEstimate(
        basis=query.basis,
        original_route_fare=original_route_fare,
        changed_route_fare=changed.fare,
        fare=fare,
        low=min(low, fare),
        high=max(high, fare),
    )
    return _Estimated(changed, estimate, version.minimum_fare, original_route.distance_m)


def _raise_every_bad_stop(changed: RouteQuery, original: RouteQuery, runtime: Runtime) -> None:
    """Each route reports its own bad stops; the agent should see those of both at once
    (an unknown ``change.destination`` and an ambiguous ``call.destination``). Only run
    once one route has failed: the stops of both, each field once, resolved together."""
    stops = dict(zip(changed.stop_fields, changed.stops, strict=True))
    stops.update(zip(original.stop_fields, original.stops, strict=True))
    runtime.resolve_stops(
        list(stops.values()), list(stops), alternatives=len(stops) - len(changed.stops)
    )


def _original_route(query: AdjustmentQuery) -> RouteQuery:
    """The call's own route: origin -> its waypoints -> the original destination."""
    end = (query.destination, "call.destination")
    return _from_the_call(query, [], end, query.call_legs, "call.legs")


def _changed_route(query: AdjustmentQuery) -> RouteQuery:
    """Origin -> the call's waypoints -> added waypoints -> the new (or same) destination."""
    added = [(stop, f"change.add_waypoints[{i}]") for i, stop in enumerate(query.add_waypoints)]
    end = (
        (query.new_destination, "change.destination")
        if query.new_destination is not None
        else (query.destination, "call.destination")
    )
    return _from_the_call(query, added, end, query.legs, "change.legs")


def _from_the_call(
    query: AdjustmentQuery,
    added: Sequence[tuple[Stop, str]],
    end: tuple[Stop, str],
    legs: Sequence[LegPair] | None,
    legs_field: str,
) -> RouteQuery:
    """A route from the call's origin through its waypoints, then ``added`` and ``end``
    (each stop with its request field), priced at the call's time."""
    waypoints = [(stop, f"call.waypoints[{i}]") for i, stop in enumerate(query.waypoints)]
    stops = [(query.origin, "call.origin"), *waypoints, *added, end]
    return RouteQuery(
        stops=[stop for stop, _ in stops],
        stop_fields=[name for _, name in stops],
        tariff_id=query.tariff_id,
        at=query.call.requested_at,
        at_field="call.requested_at",
        legs=legs,
        legs_field=legs_field,
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
