"""What the service answers: frozen values with integer won and named fields.

The API writes them with orjson (which writes dataclasses directly) and documents them
with the schema pydantic generates from the same classes, so the bytes sent and the
OpenAPI document describe one type. Frozen, without ``slots``: orjson writes a slotted
dataclass about six times slower (1.2 against 0.2 us an object, measured), which was
most of an answer's serializing. The form, the batch endpoint and the CLI read the
same fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from fare_service.pricing.anchoring import Basis
from fare_service.pricing.breakdown import BreakdownLine, breakdown
from fare_service.pricing.routes import PricedRoute
from fare_service.tariff import Tariff, TariffVersion

CURRENCY = "KRW"
RouteSource = Literal["caller", "embedded", "osrm", "osrm-fallback-embedded", "trace"]


@dataclass(frozen=True)
class TariffRef:
    id: str
    version: str
    name: str
    example_values: bool = False

    @classmethod
    def of(cls, tariff: Tariff, version: TariffVersion) -> TariffRef:
        return cls(tariff.id, version.version, tariff.name, tariff.example_values)


@dataclass(frozen=True)
class Leg:
    distance_m: int
    duration_s: int


@dataclass(frozen=True)
class RouteInfo:
    """Where the legs came from, and the legs priced (whole metres and seconds)."""

    source: RouteSource
    legs: tuple[Leg, ...] = ()
    dropped_points: int | None = None


@dataclass(frozen=True)
class FareRange:
    """The fares of the router's low and high estimates, widened to hold the fare."""

    low: int
    high: int

    @classmethod
    def around(cls, fare: int, low: int, high: int) -> FareRange:
        """From the low and high routes' fares (their order is not assumed)."""
        low, high = sorted((low, high))
        return cls(min(low, fare), max(high, fare))


@dataclass(frozen=True, kw_only=True)
class QuoteResult:
    """A priced route: the fare, its lines (adding up to it), what priced it and how."""

    fare: int
    currency: str = CURRENCY
    distance_m: int
    duration_s: int
    breakdown: tuple[BreakdownLine, ...]
    tariff: TariffRef
    at: datetime
    route: RouteInfo | None = None
    range: FareRange | None = None
    warnings: tuple[str, ...] = field(default=())

    @classmethod
    def of(
        cls,
        tariff: Tariff,
        version: TariffVersion,
        priced: PricedRoute,
        at: datetime,
        *,
        route: RouteInfo | None = None,
        range: FareRange | None = None,
        warnings: tuple[str, ...] = (),
        area_after_exit: bool = False,
    ) -> QuoteResult:
        """A priced route (the engine's :class:`PricedRoute`) as a quote; with
        ``area_after_exit`` its out-of-area surcharge ran from a last exit (its label says)."""
        return cls(
            fare=priced.fare,
            distance_m=priced.distance_m,
            duration_s=priced.duration_s,
            breakdown=breakdown(version, priced, area_after_exit=area_after_exit),
            tariff=TariffRef.of(tariff, version),
            at=at,
            route=route,
            range=range,
            warnings=warnings,
        )


@dataclass(frozen=True)
class AnchoredEstimate:
    """An adjustment's estimate: the call's own route and the changed one priced alike,
    and the original fare moved by the difference (``pricing.anchoring``). ``low`` and
    ``high`` apply the same formula to the changed route's band."""

    basis: Basis
    original_route_fare: int
    changed_route_fare: int
    fare: int
    low: int
    high: int
