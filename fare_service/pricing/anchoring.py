"""An adjusted fare anchored to what the customer was charged.

The platform fixes a call's fare when it is made (demand, the customer's own offer,
discounts), so no tariff reproduces it. What the calculator can price is the *change*:
the changed route (origin -> waypoints -> new destination) against the call's own route,
both with the same tariff version, time and router. The support guide's "요금조정" is then
the original fare moved by that change:

- ``delta`` (the default): ``original_fare + changed_route_fare - original_route_fare``;
- ``ratio``: ``original_fare x changed_route_fare / original_route_fare``;
- ``estimate``: ``changed_route_fare`` alone (the calculator's own price, as before).

The result is rounded by the tariff's fare rounding and never below its minimum fare.
"""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction

from fare_service.money import round_to_unit
from fare_service.tariff import TariffVersion


class Basis(StrEnum):
    DELTA = "delta"
    RATIO = "ratio"
    ESTIMATE = "estimate"


def anchored_fare(
    basis: Basis,
    version: TariffVersion,
    *,
    original_fare: int,
    original_route_fare: int,
    changed_route_fare: int,
) -> int:
    """The adjusted fare in won; ``ratio`` is computed exactly (a fraction) before rounding.

    A route whose own price is 0 won gives no ratio: the change is then added (``delta``).
    """
    raw: int | Fraction
    if basis is Basis.RATIO and original_route_fare > 0:
        raw = Fraction(original_fare * changed_route_fare, original_route_fare)
    elif basis is Basis.ESTIMATE:
        raw = changed_route_fare
    else:
        raw = original_fare + changed_route_fare - original_route_fare
    rule = version.rounding.fare
    rounded = int(round_to_unit(max(raw, 0), rule.unit, rule.mode))  # type: ignore[type-var]
    return max(rounded, version.minimum_fare)
