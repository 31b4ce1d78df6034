"""The fare rules, written once on per-route totals (:func:`fare_lines`): the same code
runs on Python ints for one route and on int64 arrays for many (``engine.py``), with
nothing but arithmetic operators and the ``maximum``/``minimum`` pair the caller passes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from fare_service.money import round_to_unit
from fare_service.pricing.routes import IntArray
from fare_service.pricing.windows import Run
from fare_service.tariff import Distance, Rounding, TariffVersion, Waiting

_NO_END = np.iinfo(np.int64).max // 4


class Share(NamedTuple):
    """What one time-of-day surcharge line is charged on: ``percent`` of the fixed fees
    (base, waypoints, waiting) x ``fixed``, of all the distance and time steps x
    ``steps``, and of ``crossed`` won more. Ints, or int64 arrays of routes.

    A ride that crosses no window boundary has one share, :meth:`of_meter`: its boarding
    window's percent of the whole meter (``crossed`` None). One that crosses has a share per
    window of the version: ``fixed`` 1 in the window it boards in, ``steps`` 1 in the one
    its last step runs in, and ``crossed`` the won run by each boundary crossed, added
    where the ride leaves the window and taken off where it enters it; so each window
    is charged on the steps run inside it.
    """

    percent: Any
    fixed: Any
    steps: Any
    crossed: Any

    @classmethod
    def of_meter(cls, percent: Any) -> Share:
        return cls(percent, 1, 1, None)

    def charged_on(self, fixed: Any, stepped: Any, meter: Any) -> Any:
        """The won this share's percent is taken of."""
        if self.crossed is None:
            return meter
        return fixed * self.fixed + stepped * self.steps + self.crossed


class AreaShare(NamedTuple):
    """What the out-of-area surcharge is charged on: the fixed fees x ``fixed`` (1 when it
    applies from boarding, 0 from a later exit) and the distance and time steps but the
    ``steps_before`` won run before the exit. Ints, or int64 arrays of routes."""

    fixed: Any
    steps_before: Any

    def charged_on(self, fixed: Any, stepped: Any) -> Any:
        return fixed * self.fixed + stepped - self.steps_before


WHOLE_FARE = AreaShare(1, 0)


class Counted(NamedTuple):
    """Per-route totals the fare rules start from: ints for one route, int64 arrays for many.

    ``run`` is the whole route (its ``fast_m``/``slow_s`` are only read with the meter
    rule); ``holiday`` and ``outside`` are booleans; ``shares`` are the time-of-day
    surcharge lines (:class:`Share`). ``area`` is what the out-of-area surcharge is
    charged on (:class:`AreaShare`).
    """

    run: Run
    waypoints: Any
    waiting_s: Any
    holiday: Any
    outside: Any
    shares: tuple[Share, ...]
    area: AreaShare

    def subset(self, rows: IntArray, shares: tuple[Share, ...]) -> Counted:
        """These routes of many, with other shares."""

        def rows_of(value: Any) -> Any:
            return value[rows] if isinstance(value, np.ndarray) else value

        return Counted(
            Run(*(rows_of(total) for total in self.run)),
            rows_of(self.waypoints),
            rows_of(self.waiting_s),
            rows_of(self.holiday),
            rows_of(self.outside),
            shares,
            AreaShare(rows_of(self.area.fixed), rows_of(self.area.steps_before)),
        )


Extremum = Callable[[Any, Any], Any]


def fare_lines(
    version: TariffVersion, c: Counted, maximum: Extremum, minimum: Extremum
) -> dict[str, Any]:
    """The fare rules, once for both paths: each breakdown line, the fare, from totals.

    Only ``+ - * //``, comparisons and the given ``maximum``/``minimum`` (``max``/``min``
    on ints, ``np.maximum``/``np.minimum`` on arrays), so ints and int64 arrays give the
    same numbers. ``shares`` are the time-of-day lines, one per :class:`Share`.
    """
    distance, time_line = step_lines(version, c.run, maximum, minimum)
    base = version.base.amount
    waypoint = c.waypoints * (version.waypoint.amount if version.waypoint else 0)
    waiting = _waiting(version.waiting, c.waiting_s, maximum)
    fixed, stepped = base + waypoint + waiting, distance + time_line
    meter = fixed + stepped

    steps = version.rounding
    shares = tuple(
        [
            _surcharge(share.charged_on(fixed, stepped, meter), share.percent, steps.surcharge)
            for share in c.shares
        ]
    )
    time_surcharge = sum(shares)
    holiday_percent = version.holiday.percent if version.holiday else 0
    holiday = _surcharge(meter, c.holiday * holiday_percent, steps.surcharge)
    area_percent = version.out_of_area.percent if version.out_of_area else 0
    area_on = c.area.charged_on(fixed, stepped)
    out_of_area = _surcharge(area_on, c.outside * area_percent, steps.surcharge)

    subtotal = meter + time_surcharge + holiday + out_of_area
    rounded = round_to_unit(subtotal, steps.fare.unit, steps.fare.mode)
    fare = maximum(rounded, version.minimum_fare)
    return {
        "fare": fare,
        "base": base,
        "distance": distance,
        "time": time_line,
        "waypoint": waypoint,
        "waiting": waiting,
        "time_surcharge": time_surcharge,
        "holiday": holiday,
        "out_of_area": out_of_area,
        "rounding": rounded - subtotal,
        "minimum": fare - rounded,
        "shares": shares,
    }


def step_lines(
    version: TariffVersion, run: Run, maximum: Extremum, minimum: Extremum
) -> tuple[Any, Any]:
    """The distance and time lines of what ``run`` covers (the whole route, or its part
    before a window boundary): whole steps, each its amount."""
    if meter_rule(version):
        return _slow_meter(version, run.fast_m, run.slow_s, maximum)
    included_m, time = version.base.includes_m, version.time
    distance = (
        _banded(version.distance, run.distance_m, included_m, maximum, minimum)
        if version.distance
        else 0
    )
    time_line = 0
    if time is not None:
        charged_s = maximum(run.duration_s - version.base.includes_s, 0)
        time_line = (charged_s // time.per_s) * time.amount
    return distance, time_line


def meter_rule(version: TariffVersion) -> bool:
    """The taxi meter: time runs the fare only while the car is slow."""
    return version.time is not None and version.time.when == "slow" and version.distance is not None


def is_slow(version: TariffVersion, d_leg: Any, t_leg: Any) -> Any:
    """A leg is slow when its speed is under per_m/per_s (the published threshold,
    checked at load); compared in integers."""
    assert version.distance is not None and version.time is not None
    return t_leg * version.distance.bands[0].per_m > d_leg * version.time.per_s


def _slow_meter(
    version: TariffVersion, fast_m: Any, slow_s: Any, maximum: Extremum
) -> tuple[Any, Any]:
    """The taxi meter: one counter that runs on distance, or on time while slow.

    Counting in (metre x per_s) keeps the arithmetic in integers; the base's included
    distance comes off the counter first, and the steps bought by fast distance beyond
    it are the distance line, the rest the time line.
    """
    assert version.distance is not None and version.time is not None
    per_m, per_s = version.distance.bands[0].per_m, version.time.per_s
    amount, included_m = version.time.amount, version.base.includes_m
    counter = fast_m * per_s + slow_s * per_m - included_m * per_s
    steps = maximum(counter, 0) // (per_m * per_s)
    distance_steps = maximum(fast_m - included_m, 0) // per_m
    return distance_steps * amount, (steps - distance_steps) * amount


def _banded(
    distance: Distance, travelled_m: Any, included_m: int, maximum: Extremum, minimum: Extremum
) -> Any:
    """Each band charges its completed steps for the metres travelled inside it."""
    total = 0
    ends = [band.from_m for band in distance.bands[1:]] + [_NO_END]
    for band, end in zip(distance.bands, ends, strict=True):
        start = max(band.from_m, included_m)
        if end > start:  # a maximum and a minimum, not a clip: ``max``/``min`` on ints
            metres = minimum(maximum(travelled_m, start), end) - start
            total = total + (metres // band.per_m) * band.amount
    return total


def _waiting(waiting: Waiting | None, waiting_s: Any, maximum: Extremum) -> Any:
    if waiting is None:
        return 0
    return (maximum(waiting_s - waiting.free_s, 0) // waiting.per_s) * waiting.amount


def _surcharge(meter: Any, percent: Any, rounding: Rounding) -> Any:
    """meter x percent / 100, rounded to ``rounding.unit`` won in integer arithmetic."""
    if isinstance(percent, int) and percent == 0:  # no such surcharge: skip the arithmetic
        return 0
    return round_to_unit(meter * percent, rounding.unit * 100, rounding.mode) // 100
