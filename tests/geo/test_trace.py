"""GPS traces: duplicates and drift jumps dropped and counted, bad traces refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from geo_testing import great_circle_m
from hypothesis import given, settings
from hypothesis import strategies as st

from fare_service.errors import InvalidRoute
from fare_service.geo.trace import trace_to_legs

START = datetime(2024, 5, 1, 22, 0, tzinfo=UTC)
METRE_DEG = 1 / 111_195  # degrees of latitude per metre on the IUGG mean sphere


def make_trace(*, north_m: list[float], t_s: list[float], lat0: float = 37.5, lon0: float = 127.0):
    return [
        (START + timedelta(seconds=t), lat0 + m * METRE_DEG, lon0)
        for m, t in zip(north_m, t_s, strict=True)
    ]


def test_a_drift_spike_is_dropped_and_counted() -> None:
    # 10 m/s northwards, one fix thrown 2 km east at t=20 s (360 km/h away and back)
    trace = make_trace(north_m=[0, 100, 200, 300, 400], t_s=[0, 10, 20, 30, 40])
    spike_t, spike_lat, spike_lon = trace[2]
    trace[2] = (spike_t, spike_lat, spike_lon + 2_000 * METRE_DEG / np.cos(np.radians(37.5)))
    legs = trace_to_legs(trace)
    assert (legs.dropped_jumps, legs.dropped_duplicates, legs.kept, legs.dropped) == (1, 0, 4, 1)
    lats = [p[1] for p in trace]
    expected_m = sum(
        great_circle_m(lats[a], 127.0, lats[b], 127.0) for a, b in ((0, 1), (1, 3), (3, 4))
    )
    assert legs.distance_m.sum() == pytest.approx(expected_m)
    assert legs.duration_s.tolist() == [10.0, 20.0, 10.0]


def test_a_drifting_first_fix_is_the_one_dropped() -> None:
    trace = make_trace(north_m=[5_000, 0, 100, 200], t_s=[0, 10, 20, 30])
    legs = trace_to_legs(trace)
    assert (legs.dropped_jumps, legs.kept) == (1, 3)
    assert legs.distance_m.sum() == pytest.approx(200, rel=1e-3)


def test_repeated_timestamps_keep_the_first_fix() -> None:
    trace = make_trace(north_m=[0, 50, 60, 100], t_s=[0, 10, 10, 20])
    legs = trace_to_legs(trace)
    assert (legs.dropped_duplicates, legs.dropped_jumps, legs.kept) == (1, 0, 3)
    assert legs.distance_m.sum() == pytest.approx(100, rel=1e-3)


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
@given(st.lists(st.tuples(st.floats(0, 25), st.floats(1, 30)), min_size=2, max_size=40))
def test_plausible_traces_keep_every_fix_and_add_up(steps: list[tuple[float, float]]) -> None:
    """Speeds up to 25 m/s (90 km/h) are all kept; legs add up to the path."""
    t_s = np.cumsum([0.0] + [dt for _, dt in steps])
    north_m = np.cumsum([0.0] + [v * dt for v, dt in steps])
    legs = trace_to_legs(make_trace(north_m=north_m.tolist(), t_s=t_s.tolist()))
    assert legs.kept == len(steps) + 1 and legs.dropped == 0
    assert legs.duration_s.sum() == pytest.approx(t_s[-1])
    assert legs.distance_m.sum() == pytest.approx(north_m[-1], rel=1e-6, abs=1e-3)
