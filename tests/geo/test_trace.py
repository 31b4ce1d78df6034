"""GPS traces priced as a meter would run them: the same drive gives the same fare at any
sampling rate and through GPS noise; standing jitter and drift jumps are dropped and
counted; the slow rule is judged per window; bad traces are refused.

Expected fares are worked from the published rates in tariffs/*.toml:
- seoul-taxi from 2023-02-01 04:00: 4,800 won for the first 1,600 m, then 100 won per
  131 m, or per 30 s while slower than 15.72 km/h (one counter); fares to 100 won.
- daeri-standard (example rates): 15,000 won including 3 km and 15 min, then 1,000 won
  per completed 1.5 km and per completed 5 min; fares rounded up to 1,000 won.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import numpy as np
import pytest
from geo_testing import great_circle_m
from hypothesis import given, settings
from hypothesis import strategies as st

from fare_service.errors import InvalidRoute
from fare_service.geo.trace import STILL_RADIUS_M, TraceLegs, trace_to_legs
from fare_service.pricing.engine import price_route
from fare_service.pricing.routes import PricedRoute, Route
from fare_service.tariff_book import TariffBook

START = datetime(2024, 5, 1, 22, 0, tzinfo=UTC)  # 07:00 in Seoul, a Thursday, no holiday
METRE_DEG = 1 / 111_195  # degrees of latitude per metre on the IUGG mean sphere
EAST_DEG = METRE_DEG / np.cos(np.radians(37.5))  # degrees of longitude per metre at 37.5 N


def make_trace(
    *, north_m: Sequence[float], t_s: Sequence[float], east_m: Sequence[float] | None = None
) -> list[tuple[datetime, float, float]]:
    east = [0.0] * len(north_m) if east_m is None else east_m
    return [
        (START + timedelta(seconds=float(t)), 37.5 + n * METRE_DEG, 127.0 + e * EAST_DEG)
        for n, e, t in zip(north_m, east, t_s, strict=True)
    ]


def straight_drive(hz: float) -> list[tuple[datetime, float, float]]:
    """11 km due north in 30 minutes (22 km/h), one fix every 1/hz seconds."""
    t_s = np.arange(round(1800 * hz) + 1) / hz
    return make_trace(north_m=(11_000 * t_s / 1800).tolist(), t_s=t_s.tolist())


def price(book: TariffBook, tariff_id: str, legs: TraceLegs) -> PricedRoute:
    _, version = book.version_at(tariff_id, START)
    pairs = list(zip(legs.distance_m.tolist(), legs.duration_s.tolist(), strict=True))
    return price_route(version, Route(pairs, START))


# 11,000 m in 1,800 s. daeri: 15,000 + (11,000 - 3,000) // 1,500 = 5 x 1,000
# + (1,800 - 900) // 300 = 3 x 1,000 = 23,000 (already a multiple of 1,000).
# seoul: 22 km/h is never slow, so distance only: 4,800 + (11,000 - 1,600) // 131 = 71
# x 100 = 11,900.
STRAIGHT_FARES = {"daeri-standard": 23_000, "seoul-taxi": 11_900}
STEP_WON = {"daeri-standard": 1_000, "seoul-taxi": 100}


def test_the_same_drive_at_any_sampling_rate_is_the_same_fare(book: TariffBook) -> None:
    """Fix-to-fix legs rounded each gave 11,010 m / 10,800 m / 18,000 m and 0 s."""
    by_rate = {hz: trace_to_legs(straight_drive(hz)) for hz in (1 / 60, 1, 10)}
    distances = [int(legs.distance_m.sum()) for legs in by_rate.values()]
    assert max(distances) <= min(distances) * 1.01
    assert all(abs(d - 11_000) <= 1 for d in distances)
    assert [int(legs.duration_s.sum()) for legs in by_rate.values()] == [1800] * 3
    for tariff_id, expected in STRAIGHT_FARES.items():
        fares = [price(book, tariff_id, legs).fare for legs in by_rate.values()]
        assert max(fares) - min(fares) <= STEP_WON[tariff_id]
        assert fares == [expected] * 3, tariff_id
    # the legs are the windows: every minute at one fix a minute, 30 s otherwise
    assert by_rate[1 / 60].duration_s.tolist() == [60] * 30
    assert by_rate[10].duration_s.tolist() == [30] * 60
    assert set(by_rate[10].distance_m.tolist()) == {183, 184}  # 11,000 m / 60 = 183.3


def test_ten_fixes_a_second_with_5_m_of_noise_stay_within_3_percent(book: TariffBook) -> None:
    rng = np.random.default_rng(20261201)
    clean = straight_drive(10)
    noise_m = rng.normal(0.0, 5.0, size=(len(clean), 2))  # 5 m sd north and east, each fix
    noisy = [
        (t, lat + dn * METRE_DEG, lon + de * EAST_DEG)
        for (t, lat, lon), (dn, de) in zip(clean, noise_m, strict=True)
    ]
    naive_m = sum(great_circle_m(*a[1:], *b[1:]) for a, b in pairwise(noisy))
    assert naive_m > 5 * 11_000  # what adding up the fixes would have charged
    legs = trace_to_legs(noisy)
    assert legs.dropped_jumps == 0  # 0.1 s apart, noise is not an impossible speed
    assert int(legs.distance_m.sum()) == pytest.approx(11_000, rel=0.03)
    assert int(legs.duration_s.sum()) == 1800
    assert price(book, "seoul-taxi", legs).fare == pytest.approx(11_900, abs=100)


def drive_stand_drive(*, jitter_m: float, seed: int = 5) -> list[tuple[datetime, float, float]]:
    """One fix a second: 300 s north at 10 m/s, 300 s standing, 300 s north at 10 m/s;
    while standing each fix is off by up to ``jitter_m`` north and east."""
    t_s = np.arange(901.0)
    north_m = 10 * (np.minimum(t_s, 300) + np.maximum(t_s - 600, 0))
    standing = (t_s > 300) & (t_s < 600)
    rng = np.random.default_rng(seed)
    jitter = np.where(standing[:, None], rng.uniform(-jitter_m, jitter_m, (t_s.size, 2)), 0)
    return make_trace(north_m=north_m + jitter[:, 0], t_s=t_s, east_m=jitter[:, 1])


def test_standing_with_jitter_adds_no_distance_and_its_time_runs_the_taxi_meter(
    book: TariffBook,
) -> None:
    trace = drive_stand_drive(jitter_m=2.0)
    jitter_path_m = sum(great_circle_m(*a[1:], *b[1:]) for a, b in pairwise(trace[300:601]))
    assert jitter_path_m > 300  # what the standing fixes would have driven
    legs = trace_to_legs(trace)
    assert legs.dropped_standing == legs.dropped == 300  # 301-600; it stopped at 300
    assert abs(int(legs.distance_m.sum()) - 6_000) <= 2
    assert int(legs.duration_s.sum()) == 900
    priced = price(book, "seoul-taxi", legs)
    # 6,000 m driven: (6,000 - 1,600) // 131 = 33 steps of distance, 77 m short of the
    # 34th; 300 s standing: 300 // 30 = 10 steps of time. 4,800 + 3,300 + 1,000.
    assert (priced.distance, priced.time, priced.fare) == (3_300, 1_000, 9_100)


def test_stop_and_go_charges_time_only_for_its_slow_windows(book: TariffBook) -> None:
    """Between two 300 s stretches at 10 m/s, 60 s of stop and go: 10 s stopped, 10 s at
    6 m/s (21.6 km/h, fast on its own), three times: 180 m in 60 s, slow (10.8 km/h)."""
    t_s = np.arange(661.0)
    go = np.clip(t_s - 300, 0, 60)  # seconds into the stop and go
    moving_s = np.clip(go - 10, 0, 10) + np.clip(go - 30, 0, 10) + np.clip(go - 50, 0, 10)
    north_m = 10 * np.minimum(t_s, 300) + 6 * moving_s + 10 * np.maximum(t_s - 360, 0)
    legs = trace_to_legs(make_trace(north_m=north_m, t_s=t_s))
    assert abs(int(legs.distance_m.sum()) - 6_180) <= 2
    windows_kmh = 3.6 * legs.distance_m / legs.duration_s
    assert [bool(kmh < 15.72) for kmh in windows_kmh] == [False] * 10 + [True] * 2 + [False] * 10
    priced = price(book, "seoul-taxi", legs)
    # Fast: 6,000 m, (6,000 - 1,600) // 131 = 33 steps; slow: 60 s, 2 steps of 30 s; the
    # stop and go's 180 m buy nothing. 4,800 + 3,300 + 200. Judged fix by fix, its 180 m
    # would be distance and only its 30 s stopped time: 3,400 + 100.
    assert (priced.distance, priced.time, priced.fare) == (3_300, 200, 8_300)


def test_creeping_slower_than_walking_keeps_its_distance() -> None:
    """0.5 m/s for 4 minutes: standing by the jitter rule, but it leaves each stay."""
    t_s = np.arange(241.0)
    legs = trace_to_legs(make_trace(north_m=0.5 * t_s, t_s=t_s))
    assert 120 - STILL_RADIUS_M <= int(legs.distance_m.sum()) <= 120
    assert int(legs.duration_s.sum()) == 240


def test_a_drift_spike_is_dropped_and_counted() -> None:
    # 10 m/s northwards, one fix thrown 2 km east at t=20 s (360 km/h away and back)
    trace = make_trace(north_m=[0, 100, 200, 300, 400], t_s=[0, 10, 20, 30, 40])
    spike_t, spike_lat, spike_lon = trace[2]
    trace[2] = (spike_t, spike_lat, spike_lon + 2_000 * EAST_DEG)
    legs = trace_to_legs(trace)
    assert (legs.dropped_jumps, legs.dropped_duplicates, legs.kept, legs.dropped) == (1, 0, 4, 1)
    assert legs.kept_index.tolist() == [0, 1, 3, 4]
    assert legs.distance_m.tolist() == [300, 100]  # windows ending at 30 s and 40 s
    assert legs.duration_s.tolist() == [30, 10]


def test_a_drifting_first_fix_is_the_one_dropped() -> None:
    trace = make_trace(north_m=[5_000, 0, 100, 200], t_s=[0, 10, 20, 30])
    legs = trace_to_legs(trace)
    assert (legs.dropped_jumps, legs.kept) == (1, 3)
    assert (legs.distance_m.tolist(), legs.duration_s.tolist()) == ([200], [20])


def test_repeated_timestamps_keep_the_first_fix() -> None:
    trace = make_trace(north_m=[0, 50, 60, 100], t_s=[0, 10, 10, 20])
    legs = trace_to_legs(trace)
    assert (legs.dropped_duplicates, legs.dropped_jumps, legs.kept) == (1, 0, 3)
    assert legs.distance_m.tolist() == [100]


def test_the_speed_limit_is_configurable() -> None:
    trace = make_trace(north_m=[0, 500, 1000], t_s=[0, 10, 20])  # 180 km/h
    assert trace_to_legs(trace).dropped_jumps == 0
    with pytest.raises(InvalidRoute, match="fewer than two usable"):
        trace_to_legs(trace, max_speed_kmh=100)


@pytest.mark.parametrize(
    ("trace", "field"),
    [
        ([], "trace"),
        ([(START, 37.5, 127.0)], "trace"),
        ([(START, 37.5, 127.0), (START - timedelta(seconds=1), 37.5, 127.0)], "trace[1].t"),
        (
            [(START, 37.5, 127.0), (START + timedelta(seconds=1), float("nan"), 127.0)],
            "trace[1].lat",
        ),
        ([(START, 37.5, 181.0), (START + timedelta(seconds=1), 37.5, 127.0)], "trace[0].lon"),
        ([(START.replace(tzinfo=None), 37.5, 127.0), (START, 37.5, 127.0)], "trace[0].t"),
        ([(START, 37.5, 127.0), (START, 37.6, 127.0)], "trace"),  # one timestamp only
    ],
)
def test_bad_traces_are_refused_naming_the_field(trace: list, field: str) -> None:
    with pytest.raises(InvalidRoute) as error:
        trace_to_legs(trace)
    assert error.value.field == field


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 25), st.floats(0.1, 30)), min_size=2, max_size=40))
def test_plausible_traces_add_up_to_the_path(steps: list[tuple[float, float]]) -> None:
    """Northwards at up to 25 m/s (90 km/h), stops included: no fix is a jump, every fix
    is kept or counted as standing, the time is the trace's and the distance the path's
    (less at most the last stay's creep, under STILL_RADIUS_M), in whole units."""
    t_s = np.cumsum([0.0] + [dt for _, dt in steps])
    north_m = np.cumsum([0.0] + [v * dt for v, dt in steps])
    legs = trace_to_legs(make_trace(north_m=north_m.tolist(), t_s=t_s.tolist()))
    assert legs.dropped_jumps == legs.dropped_duplicates == 0
    assert legs.kept + legs.dropped_standing == len(steps) + 1
    assert abs(int(legs.duration_s.sum()) - t_s[-1]) <= 0.5 + 1e-6
    total_m = int(legs.distance_m.sum())
    assert north_m[-1] - STILL_RADIUS_M - 1 <= total_m <= north_m[-1] + 1
    assert legs.distance_m.min() >= 0 and legs.duration_s.min() >= 0
