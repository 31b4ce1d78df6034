"""The tariff model: what a ``tariffs/*.toml`` file may say, validated, with no I/O.

Every component is optional so that a taxi meter and a designated-driver tariff fit the
same format. The rules a file must follow are written in ``tariffs/README.md``; the
validators below enforce them so that a wrong file is refused at load, never priced.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, time
from functools import cached_property
from itertools import pairwise
from typing import Annotated, Any, Literal, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from fare_service.clock import SEOUL, wall_clock
from fare_service.money import RoundingMode

Won = Annotated[int, Field(ge=0, le=10_000_000)]
Percent = Annotated[int, Field(ge=0, le=300)]
Step = Annotated[int, Field(gt=0, le=1_000_000)]  # metres or seconds a step buys (bounds int64)
_NEVER = datetime(9999, 12, 31)


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Base(_Part):
    amount: Won
    includes_m: Annotated[int, Field(ge=0)] = 0
    includes_s: Annotated[int, Field(ge=0)] = 0


class DistanceBand(_Part):
    """From ``from_m`` metres travelled on, ``amount`` won per completed ``per_m`` metres."""

    from_m: Annotated[int, Field(ge=0)] = 0
    amount: Won
    per_m: Step


class Distance(_Part):
    bands: Annotated[list[DistanceBand], Field(min_length=1)]

    @field_validator("bands")
    @classmethod
    def _bands_ascend(cls, bands: list[DistanceBand]) -> list[DistanceBand]:
        starts = [band.from_m for band in bands]
        if starts[0] != 0 or starts != sorted(set(starts)):
            raise ValueError("bands must start at from_m = 0 and ascend strictly")
        return bands


class Time(_Part):
    """``amount`` won per completed ``per_s`` seconds.

    ``when = "slow"`` is the taxi meter rule: a leg slower than ``slow_below_kmh`` is
    charged by its time instead of its distance, on the same counter.
    """

    amount: Won
    per_s: Step
    when: Literal["always", "slow"] = "always"
    slow_below_kmh: Annotated[float, Field(gt=0, le=200)] | None = None

    @model_validator(mode="after")
    def _threshold_matches_mode(self) -> Self:
        if (self.when == "slow") != (self.slow_below_kmh is not None):
            raise ValueError("slow_below_kmh is required with when = 'slow' and only then")
        return self


class Waypoint(_Part):
    amount: Won


class Waiting(_Part):
    free_s: Annotated[int, Field(ge=0)] = 0
    amount: Won
    per_s: Step


class TimeWindow(_Part):
    """A surcharge in force from ``start`` to ``end`` (``[start, end)``, Seoul wall time;
    ``end <= start`` crosses midnight).

    ``applies_to = "boarding"``: a ride *starting* in the window pays it on its whole fare
    (an app's price is fixed at call time). ``"running"``: each distance or time step is
    charged at the rate in force when it is run, the fixed fees at the boarding time (a
    taxi meter switches rates at the hour).
    """

    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    label: str
    start: time
    end: time
    percent: Percent
    applies_to: Literal["boarding", "running"] = "boarding"

    @field_validator("start", "end", mode="before")
    @classmethod
    def _clock(cls, value: object) -> object:
        if isinstance(value, str):
            hours, _, minutes = value.partition(":")
            if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
                raise ValueError(f"{value!r} is not HH:MM")
            if not (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59):
                raise ValueError(f"{value!r} is out of range 00:00-23:59")
            return time(int(hours), int(minutes))
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if self.start == self.end:
            raise ValueError("start and end are equal: the window would be empty")
        return self

    def seconds(self) -> tuple[int, int]:
        """(start, end) as seconds after midnight."""
        return _seconds(self.start), _seconds(self.end)

    def minutes_covered(self) -> set[int]:
        start, end = (s // 60 for s in self.seconds())
        span = (end - start) % 1440
        return {(start + m) % 1440 for m in range(span)}


def _seconds(clock: time) -> int:
    return clock.hour * 3600 + clock.minute * 60 + clock.second


class Holiday(_Part):
    """A surcharge on Korean public holidays (the ``holidays`` package's KR calendar)."""

    label: str = "공휴일 할증"
    percent: Percent


REGION_CODE_DIGITS = (2, 5, 8)  # 시도, 시군구, 읍면동: the areas a point is placed in


class OutOfArea(_Part):
    """A surcharge for leaving the home area, made of ``home_regions``.

    Each is a legal-dong code: a 시도 ("11" Seoul), a 시군구 ("41210" 광명시) or a 읍면동
    ("28110147" 운서동, 인천국제공항), and holds every area whose code starts with it
    (``geo/regions.py`` places a point in a 읍면동, else a 시군구 or 시도).

    ``applies_to = "whole"``: when any stop lies outside the home area, the whole fare pays
    it (an app's price is fixed at call time, from the call's stops; a trace's are its
    ends, and its fixes on land outside the area). ``"after_last_exit"``: only when the
    destination lies outside, and only on the distance and time steps run after the route
    last leaves the home area (a taxi meter switches to the surcharged rate at the city
    limit, and never on the way back in); a route that never enters the area pays it on
    the whole fare. The crossing is found on the straight line between a leg's stops, or
    between a trace's fixes (``geo/area_exit.py``).
    """

    label: str = "시계외 할증"
    home_regions: Annotated[list[str], Field(min_length=1)]
    percent: Percent
    applies_to: Literal["whole", "after_last_exit"] = "whole"

    @field_validator("home_regions")
    @classmethod
    def _legal_dong_codes(cls, codes: list[str]) -> list[str]:
        for code in codes:
            if not (code.isascii() and code.isdigit() and len(code) in REGION_CODE_DIGITS):
                raise ValueError(
                    f"{code!r} is not the code of a 시도 (2 digits), 시군구 (5) or 읍면동 (8); "
                    "a 리 (10) is finer than the areas a point is placed in"
                )
        return codes


class Rounding(_Part):
    unit: Annotated[int, Field(gt=0, le=100_000)] = 1
    mode: RoundingMode = RoundingMode.HALF_UP


class RoundingSteps(_Part):
    """The two explicit rounding steps: each surcharge line, then the fare."""

    surcharge: Rounding = Rounding(unit=1, mode=RoundingMode.DOWN)
    fare: Rounding = Rounding()


class TariffVersion(_Part):
    version: Annotated[str, Field(min_length=1)]
    in_force_from: datetime
    in_force_until: datetime | None = None
    source: str = ""
    base: Base
    distance: Distance | None = None
    time: Time | None = None
    waypoint: Waypoint | None = None
    waiting: Waiting | None = None
    time_surcharges: list[TimeWindow] = []
    holiday: Holiday | None = None
    out_of_area: OutOfArea | None = None
    minimum_fare: Won = 0
    rounding: RoundingSteps = RoundingSteps()
    _window_of_minute: np.ndarray = PrivateAttr()
    _window_percent: np.ndarray = PrivateAttr()

    def model_post_init(self, context: Any) -> None:
        """The engine's lookup of the surcharge window by minute of the day.

        Windows are whole minutes and disjoint (checked below), so a 1,440-entry table
        answers for every ride in one indexing step; the same table as Python ints
        answers for one ride.
        """
        of_minute = np.full(1440, -1, dtype=np.int64)
        for i, window in enumerate(self.time_surcharges):
            of_minute[sorted(window.minutes_covered())] = i
        self._window_of_minute = of_minute
        # the last entry, 0 %, is what window -1 (none) indexes
        percents = [window.percent for window in self.time_surcharges]
        self._window_percent = np.array([*percents, 0], dtype=np.int64)

    def time_windows(self, minute_of_day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Index (-1: none) and percent of the window each minute of the day falls in."""
        window = self._window_of_minute[minute_of_day]
        return window, self._window_percent[window]

    @cached_property
    def window_at_minute(self) -> tuple[tuple[int, int], ...]:
        """:meth:`time_windows` for one ride: ``[minute_of_day]`` -> (index, percent) as
        Python ints (a plain attribute: pydantic's private attributes cost ~5 us a read)."""
        window_percent = self._window_percent.tolist()
        return tuple((i, window_percent[i]) for i in self._window_of_minute.tolist())

    @cached_property
    def windows_run(self) -> bool:
        """The time-of-day surcharges follow the ride as it runs (``applies_to =
        "running"``); a version's windows all say the same (checked at load)."""
        return any(window.applies_to == "running" for window in self.time_surcharges)

    @cached_property
    def window_boundaries(self) -> tuple[tuple[int, int, int], ...]:
        """Where the window in force changes, in the order of the day: (second of the
        day, window before, window after), -1 for none. Empty without windows."""
        of_minute = self._window_of_minute.tolist()
        return tuple(
            (minute * 60, of_minute[minute - 1], of_minute[minute])  # [-1]: the day before
            for minute in range(1440)
            if of_minute[minute - 1] != of_minute[minute]
        )

    @field_validator("in_force_from", "in_force_until")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        return value if value is None or value.tzinfo else (value.replace(tzinfo=SEOUL))

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.in_force_until is not None and self.in_force_until <= self.in_force_from:
            raise ValueError("in_force_until must be after in_force_from")
        if self.minimum_fare % self.rounding.fare.unit:
            raise ValueError("minimum_fare must be a multiple of rounding.fare.unit")
        self._check_windows_disjoint()
        self._check_windows_agree()
        self._check_slow_meter()
        return self

    def _check_windows_disjoint(self) -> None:
        seen: set[int] = set()
        for window in self.time_surcharges:
            if seen & window.minutes_covered():
                raise ValueError(f"time_surcharges: window {window.code!r} overlaps another")
            seen |= window.minutes_covered()

    def _check_windows_agree(self) -> None:
        """One rule for a version's windows: a step charged as run in one window and the
        whole fare by the boarding time in another would be surcharged twice."""
        if len({window.applies_to for window in self.time_surcharges}) > 1:
            raise ValueError("time_surcharges: every window needs the same applies_to")

    def _check_slow_meter(self) -> None:
        """The meter rule shares one counter: 1 step = ``per_m`` metres or ``per_s`` seconds.

        The published threshold is that counter's speed, rounded; a mismatch is a typo.
        """
        if self.time is None or self.time.when != "slow":
            return
        if self.base.includes_s:
            raise ValueError(
                "base.includes_s must be 0 with the meter rule (time runs the counter)"
            )
        if self.distance is None or len(self.distance.bands) != 1:
            raise ValueError("time.when = 'slow' needs exactly one distance band")
        band = self.distance.bands[0]
        if band.amount != self.time.amount:
            raise ValueError("time.amount must equal the distance amount for the meter rule")
        counter_kmh = band.per_m / self.time.per_s * 3.6
        if abs(counter_kmh - (self.time.slow_below_kmh or 0)) > 0.01:
            raise ValueError(
                f"time.slow_below_kmh must be {counter_kmh:.2f} "
                f"({band.per_m} m per {self.time.per_s} s)"
            )


class Tariff(_Part):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    name: str
    currency: Literal["KRW"] = "KRW"
    time_zone: Literal["Asia/Seoul"] = "Asia/Seoul"
    example_values: bool = False
    """True when some figures are examples to replace (no public number exists)."""
    versions: Annotated[list[TariffVersion], Field(min_length=1)]

    @field_validator("versions")
    @classmethod
    def _no_overlap(cls, versions: list[TariffVersion]) -> list[TariffVersion]:
        ordered = sorted(versions, key=lambda v: v.in_force_from)
        for earlier, later in pairwise(ordered):
            if earlier.in_force_from == later.in_force_from or (
                earlier.in_force_until and earlier.in_force_until > later.in_force_from
            ):
                raise ValueError(f"versions {earlier.version!r} and {later.version!r} overlap")
        if len({v.version for v in ordered}) != len(ordered):
            raise ValueError("version names must be unique")
        return ordered

    def version_at(self, at: datetime) -> TariffVersion | None:
        """The version in force at ``at`` (naive means Asia/Seoul), or None when none is.

        :meth:`versions_at` for one time, in Python (a bisect instead of numpy's fixed
        cost); a property test holds the two equal."""
        froms, untils = self._wall_bounds
        wall = wall_clock(at)
        index = bisect_right(froms, wall) - 1
        if index < 0 or wall >= untils[index]:
            return None
        return self.versions[index]

    def versions_at(self, wall: np.ndarray) -> np.ndarray:
        """Per Seoul wall time (datetime64[s]) the index of the version in force, -1 when
        none is (before the first, after an end, or NaT). Versions are sorted and disjoint."""
        froms, untils = (np.array(bounds, dtype="datetime64[s]") for bounds in self._wall_bounds)
        index = np.searchsorted(froms, wall, side="right") - 1
        ended = wall >= untils[np.maximum(index, 0)]
        return np.where((index < 0) | ended | np.isnat(wall), -1, index)

    @cached_property
    def _wall_bounds(self) -> tuple[list[datetime], list[datetime]]:
        """Each version's start and end as Seoul wall times (no end: far in the future)."""
        froms = [wall_clock(v.in_force_from) for v in self.versions]
        untils = [
            wall_clock(v.in_force_until) if v.in_force_until else _NEVER for v in self.versions
        ]
        return froms, untils
