"""Invariants of the engine over random routes (Hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fare_service.errors import InvalidRoute
from fare_service.money import RoundingMode
from fare_service.pricing.engine import price_route, price_routes
from fare_service.pricing.routes import MAX_QUANTITY, Route, Routes
from fare_service.tariff import SEOUL, Rounding, TariffVersion
from tests.pricing_testing import quote_legs

TARIFF_IDS = st.sampled_from(["seoul-taxi", "daeri-standard"])
legs_st = st.lists(st.tuples(st.floats(0, 80_000), st.floats(0, 10_000)), min_size=1, max_size=5)
times_st = st.datetimes(datetime(2024, 1, 1), datetime(2030, 12, 31))
waiting_st = st.floats(0, 7200)
DAY = datetime(2026, 1, 1)


def price(book, tariff_id, legs, at, waiting_s=0.0, outside=False, waypoints=None):
    tariff, version = book.version_at(tariff_id, at)
    wp = len(legs) - 1 if waypoints is None else waypoints
    return quote_legs(
        tariff, version, legs, at, waypoints=wp, waiting_s=waiting_s, outside_area=outside
    )


METER_LINES = {"base", "distance", "time", "waypoint", "waiting"}


def meter(quote) -> int:
    """The fare before surcharges and rounding."""
    return sum(line.amount for line in quote.breakdown if line.code in METER_LINES)


@settings(max_examples=300, deadline=None)
@given(TARIFF_IDS, legs_st, times_st, waiting_st, st.booleans(), st.data())
def test_fare_never_decreases_when_the_route_grows(
    book, tariff_id, legs, at, waiting, outside, data
):
    """A longer or slower leg never lowers the fare under the boarding rule. Under the
    running rule (seoul-taxi) it may, as on the meter: a slower ride runs more of its
    steps after 04:00, when the late-night rate has ended. Its meter never decreases,
    and a leg added at the end, more waiting or another waypoint never lower the fare."""
    before = price(book, tariff_id, legs, at, waiting, outside)
    i = data.draw(st.integers(0, len(legs) - 1))
    extra_m = data.draw(st.floats(0, 20_000))
    extra_s = data.draw(st.floats(0, 3_000))
    longer = [*legs]
    longer[i] = (legs[i][0] + extra_m, legs[i][1])
    slower = [*legs]
    slower[i] = (legs[i][0], legs[i][1] + extra_s)
    as_run = book.version_at(tariff_id, at)[1].windows_run
    for grown in (longer, slower):
        after = price(book, tariff_id, grown, at, waiting, outside)
        assert meter(after) >= meter(before)
        assert as_run or after.fare >= before.fare
    one_more = [*legs, (extra_m, extra_s)]
    assert price(book, tariff_id, one_more, at, waiting, outside, len(legs) - 1).fare >= before.fare
    assert price(book, tariff_id, legs, at, waiting + extra_s, outside).fare >= before.fare
    more_stops = price(book, tariff_id, legs, at, waiting, outside, waypoints=len(legs))
    assert more_stops.fare >= before.fare


@settings(max_examples=300, deadline=None)
@given(TARIFF_IDS, legs_st, times_st, waiting_st, st.booleans())
def test_fare_is_rounded_at_least_the_minimum_and_the_breakdown_adds_up(
    book, tariff_id, legs, at, waiting, outside
):
    quote = price(book, tariff_id, legs, at, waiting, outside)
    version = book.version_at(tariff_id, at)[1]
    assert isinstance(quote.fare, int)
    assert quote.fare % version.rounding.fare.unit == 0
    assert quote.fare >= version.minimum_fare
    assert sum(line.amount for line in quote.breakdown) == quote.fare
    assert all(isinstance(line.amount, int) for line in quote.breakdown)


@st.composite
def random_windows(draw: st.DrawFn) -> list[tuple[str, str, str, int]]:
    """Up to four disjoint windows at any minutes, side by side or apart, the last one
    crossing midnight or not."""
    minutes = sorted(draw(st.sets(st.integers(0, 1439), min_size=2, max_size=8)))
    if draw(st.booleans()):  # windows side by side: each ends where the next starts
        pairs = list(pairwise(minutes))
    else:
        pairs = list(zip(minutes[::2], minutes[1::2], strict=False))
    if draw(st.booleans()) and pairs[-1][0] != minutes[0]:  # the last one past midnight
        pairs[-1] = (pairs[-1][0], minutes[0])

    def clock(m: int) -> str:
        return f"{m // 60:02d}:{m % 60:02d}"

    return [
        (f"w{i}", clock(a), clock(b), draw(st.integers(0, 300)))
        for i, (a, b) in enumerate(pairs[:4])
    ]


def tariff_versions() -> st.SearchStrategy[TariffVersion]:
    """Any valid tariff version: each component present or not, bands, windows that cross
    midnight, side by side or at random minutes, charged by boarding or as run, both meter
    kinds, every rounding mode."""
    amount = st.integers(0, 5_000)
    rounding = st.builds(
        Rounding, unit=st.sampled_from([1, 10, 100, 1000]), mode=st.sampled_from(RoundingMode)
    )
    windows = (
        st.sampled_from(
            [
                [],
                [("late", "22:00", "04:00", 20)],
                [("late", "23:00", "02:00", 40), ("dawn", "02:00", "04:00", 20)],
                [("noon", "11:30", "13:05", 15)],
            ]
        )
        | random_windows()
    )

    @st.composite
    def build(draw: st.DrawFn) -> TariffVersion:
        meter = draw(st.booleans())
        per_m, per_s, step = draw(st.integers(1, 300)), draw(st.integers(1, 120)), draw(amount)
        if meter:  # a counter slower than 200 km/h, as the model requires
            per_m, per_s = draw(st.integers(1, 300)), draw(st.integers(6, 120))
            distance = {"bands": [{"amount": step, "per_m": per_m}]}
            time = {"amount": step, "per_s": per_s, "when": "slow"}
            time["slow_below_kmh"] = per_m / per_s * 3.6
            includes_s = 0
        else:
            starts = draw(st.lists(st.integers(1, 30_000), max_size=2, unique=True))
            bands = [0, *sorted(starts)]
            distance = draw(
                st.none()
                | st.just(
                    {
                        "bands": [
                            {"from_m": m, "amount": draw(amount), "per_m": per_m} for m in bands
                        ]
                    }
                )
            )
            time = draw(st.none() | st.just({"amount": draw(amount), "per_s": per_s}))
            includes_s = draw(st.integers(0, 900))
        fare_rounding = draw(rounding)
        return TariffVersion.model_validate(
            {
                "version": "random",
                "in_force_from": "2020-01-01T00:00:00+09:00",
                "base": {
                    "amount": draw(amount),
                    "includes_m": draw(st.integers(0, 5_000)),
                    "includes_s": includes_s,
                },
                "distance": distance,
                "time": time,
                "waypoint": draw(st.none() | st.builds(dict, amount=amount)),
                "waiting": draw(
                    st.none()
                    | st.builds(
                        dict, free_s=st.integers(0, 900), amount=amount, per_s=st.integers(1, 600)
                    )
                ),
                "time_surcharges": [
                    {
                        "code": code,
                        "label": code,
                        "start": a,
                        "end": b,
                        "percent": percent,
                        "applies_to": applies_to,
                    }
                    for applies_to in [draw(st.sampled_from(["boarding", "running"]))]
                    for code, a, b, percent in draw(windows)
                ],
                "holiday": draw(st.none() | st.builds(dict, percent=st.integers(0, 300))),
                "out_of_area": draw(
                    st.none()
                    | st.builds(
                        dict,
                        home_regions=st.just(["11"]),
                        percent=st.integers(0, 300),
                        applies_to=st.sampled_from(["whole", "after_last_exit"]),
                    )
                ),
                "minimum_fare": draw(st.integers(0, 30)) * fare_rounding.unit,
                "rounding": {"surcharge": draw(rounding), "fare": fare_rounding},
            }
        )

    return build()


# Any second from 2024 to 2030, holidays and both sides of every window included, in Seoul
# time, in UTC or naive (read as Seoul).
starts_st = st.datetimes(datetime(2024, 1, 1), datetime(2030, 12, 31)).flatmap(
    lambda at: st.sampled_from([at, at.replace(tzinfo=SEOUL), at.replace(tzinfo=UTC)])
)
# Legs of a few seconds to three days, so that rides cross window boundaries once, many
# times or not at all; sometimes with their own start times (a GPS trace's), which may
# leave gaps or overlap the leg before (then it waits for that one to end).
long_legs_st = st.lists(
    st.tuples(st.floats(0, 80_000), st.floats(0, 10_000) | st.floats(0, 260_000)),
    min_size=1,
    max_size=5,
)


@st.composite
def a_route(draw: st.DrawFn) -> tuple:
    legs = draw(long_legs_st)
    starts = draw(
        st.none() | st.lists(st.floats(0, 300_000), min_size=len(legs), max_size=len(legs))
    )
    return (
        legs,
        draw(starts_st),
        draw(st.integers(0, 10)),
        draw(waiting_st),
        draw(st.booleans()),
        sorted(starts) if starts and draw(st.booleans()) else starts,
        # where the out-of-area surcharge starts: at boarding, inside a leg, at a leg's end
        draw(st.just(0.0) | st.floats(0, len(legs)) | st.integers(0, len(legs)).map(float)),
    )


routes_st = st.lists(a_route(), min_size=1, max_size=20)


def assert_one_route_path_equals_many(version: TariffVersion, routes: list) -> None:
    """``price_route`` on each route equals ``price_routes`` on all of them, every field."""
    routes = [(*route, None, 0.0)[:7] for route in routes]
    together = price_routes(
        version, Routes.many(*(list(column) for column in zip(*routes, strict=True)))
    )
    for i, (legs, start, waypoints, waiting, outside, leg_starts, exit_at) in enumerate(routes):
        route = Route(legs, start, waypoints, waiting, outside, leg_starts, exit_at)
        alone = price_route(version, route)
        assert alone == together.row(i)
        assert all(type(value) is int for value in (*alone[:-1], *alone.window_surcharges))
        assert sum(alone.window_surcharges) == alone.time_surcharge
    assert together.rows() == [together.row(i) for i in range(len(routes))]


@settings(max_examples=300, deadline=None)
@given(tariff_versions(), routes_st)
def test_one_route_path_equals_the_vectorized_engine_on_any_tariff(version, routes):
    assert_one_route_path_equals_many(version, routes)


@settings(max_examples=100, deadline=None)
@given(TARIFF_IDS, routes_st)
def test_one_route_path_equals_the_vectorized_engine_on_shipped_tariffs(book, tariff_id, routes):
    for version in book.tariffs[tariff_id].versions:
        assert_one_route_path_equals_many(version, routes)


def test_holidays_and_window_edges_price_alike_on_both_paths(book):
    """Hand-picked edges: a window's first and last minute, midnight, Chuseok, New Year."""
    edges = [
        datetime(2026, 11, 18, 21, 59, 59),
        datetime(2026, 11, 18, 22, 0),
        datetime(2026, 11, 18, 23, 59, 59),
        datetime(2026, 11, 19, 0, 0),
        datetime(2026, 11, 19, 3, 59, 59),
        datetime(2026, 11, 19, 4, 0),
        datetime(2026, 9, 25, 12, 0),  # 추석
        datetime(2026, 1, 1, 12, 0),  # 신정
        datetime(2025, 12, 31, 15, 0, tzinfo=UTC),  # 2026-01-01 00:00 in Seoul
    ]
    routes = [([(5_000.0, 600.0), (300.0, 400.0)], at, 1, 700.0, True) for at in edges]
    for tariff in book:
        for version in tariff.versions:
            assert_one_route_path_equals_many(version, routes)


@pytest.mark.parametrize("bad", [float("nan"), -1.0, float("inf"), MAX_QUANTITY + 1.0, 1e19])
@pytest.mark.parametrize(
    ("field", "route"),
    [
        ("leg_distance_m", lambda bad: Route([(bad, 10.0)], DAY)),
        ("leg_duration_s", lambda bad: Route([(10.0, 10.0), (10.0, bad)], DAY)),
        ("waiting_s", lambda bad: Route([(10.0, 10.0)], DAY, waiting_s=bad)),
    ],
)
def test_both_paths_refuse_nan_infinite_negative_and_huge_values(book, bad, field, route):
    version = book.version_at("seoul-taxi", DAY)[1]
    one = route(bad)
    many = Routes.one(one.legs, DAY, waiting_s=one.waiting_s)
    for price in (lambda: price_route(version, one), lambda: price_routes(version, many)):
        with pytest.raises(InvalidRoute) as caught:
            price()
        assert caught.value.field == field
    assert np.issubdtype(
        price_routes(version, Routes.one([(1.0, 1.0)], DAY)).fare.dtype, np.integer
    )


@pytest.mark.parametrize("waypoints", [-1, MAX_QUANTITY + 1])
def test_both_paths_refuse_negative_and_huge_waypoint_counts(book, waypoints):
    version = book.version_at("seoul-taxi", DAY)[1]
    route = Route([(10.0, 10.0)], DAY, waypoints=waypoints)
    many = Routes.one(route.legs, DAY, waypoints=waypoints)
    for price in (lambda: price_route(version, route), lambda: price_routes(version, many)):
        with pytest.raises(InvalidRoute) as caught:
            price()
        assert caught.value.field == "waypoints"


@pytest.mark.parametrize("legs", [11, 4_000])
def test_both_paths_refuse_legs_that_add_up_past_the_limit(book, legs):
    """Each leg is within the limit; together they are not (the products would wrap)."""
    version = book.version_at("seoul-taxi", DAY)[1]
    route = Route([(1_000_000.0, 10.0)] * legs, DAY)
    for price in (
        lambda: price_route(version, route),
        lambda: price_routes(version, Routes.one(route.legs, DAY)),
    ):
        with pytest.raises(InvalidRoute) as caught:
            price()
        assert caught.value.field == "leg_distance_m"


def test_the_largest_quantities_price_alike_on_both_paths_without_wrapping(book):
    """At the limit every product stays inside int64: both paths agree, and the fare is
    what the published steps make of 10,000 km (no wrap to a small number)."""
    at = datetime(2026, 6, 1, 12)
    route = Route([(float(MAX_QUANTITY), float(MAX_QUANTITY))], at, MAX_QUANTITY, MAX_QUANTITY)
    for tariff in book:
        for version in tariff.versions:
            assert_one_route_path_equals_many(
                version, [(route.legs, at, MAX_QUANTITY, float(MAX_QUANTITY), True)]
            )
    version = book.version_at("seoul-taxi", at)[1]
    band = version.distance.bands[0]
    fare = price_route(version, Route([(float(MAX_QUANTITY), 0.0)], at)).fare
    assert fare >= (MAX_QUANTITY - version.base.includes_m) // band.per_m * band.amount


@settings(max_examples=200, deadline=None)
@given(tariff_versions(), long_legs_st, starts_st, st.data())
def test_a_later_exit_never_charges_more_out_of_area(version, legs, start, data):
    """The surcharge from a later point of the road covers fewer steps: it never grows."""
    first, second = sorted(data.draw(st.floats(0, len(legs))) for _ in range(2))
    charged = [
        price_route(version, Route(legs, start, outside_area=True, outside_from=at)).out_of_area
        for at in (0.0, first, second)
    ]
    assert charged[0] >= charged[1] >= charged[2] >= 0
