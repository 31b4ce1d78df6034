"""Invariants of the engine over random routes (Hypothesis)."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fare_service.pricing import LINE_FIELDS, Routes, price_routes
from fare_service.quote import quote_legs

TARIFF_IDS = st.sampled_from(["seoul-taxi", "daeri-standard"])
legs_st = st.lists(st.tuples(st.floats(0, 80_000), st.floats(0, 10_000)), min_size=1, max_size=5)
times_st = st.datetimes(datetime(2024, 1, 1), datetime(2030, 12, 31))
waiting_st = st.floats(0, 7200)


def price(book, tariff_id, legs, at, waiting_s=0.0, outside=False, waypoints=None):
    tariff, version = book.version_at(tariff_id, at)
    wp = len(legs) - 1 if waypoints is None else waypoints
    return quote_legs(
        tariff, version, legs, at, waypoints=wp, waiting_s=waiting_s, outside_area=outside
    )


@settings(max_examples=300, deadline=None)
@given(TARIFF_IDS, legs_st, times_st, waiting_st, st.booleans(), st.data())
def test_fare_never_decreases_when_the_route_grows(
    book, tariff_id, legs, at, waiting, outside, data
):
    before = price(book, tariff_id, legs, at, waiting, outside)
    i = data.draw(st.integers(0, len(legs) - 1))
    extra_m = data.draw(st.floats(0, 20_000))
    extra_s = data.draw(st.floats(0, 3_000))
    longer = [*legs]
    longer[i] = (legs[i][0] + extra_m, legs[i][1])
    slower = [*legs]
    slower[i] = (legs[i][0], legs[i][1] + extra_s)
    assert price(book, tariff_id, longer, at, waiting, outside).fare >= before.fare
    assert price(book, tariff_id, slower, at, waiting, outside).fare >= before.fare
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


@settings(max_examples=50, deadline=None)
@given(
    TARIFF_IDS,
    st.lists(
        st.tuples(legs_st, st.integers(0, 86_399), waiting_st, st.booleans()),
        min_size=1,
        max_size=30,
    ),
)
def test_vectorized_equals_pricing_each_route_alone(book, tariff_id, routes):
    day = datetime(2026, 11, 27)
    starts = [day + timedelta(seconds=s) for _, s, _, _ in routes]
    version = book.version_at(tariff_id, day)[1]
    together = price_routes(
        version,
        Routes.many(
            [legs for legs, *_ in routes],
            starts,
            [len(legs) - 1 for legs, *_ in routes],
            [w for *_, w, _ in routes],
            [o for *_, o in routes],
        ),
    )
    for i, (legs, _, waiting, outside) in enumerate(routes):
        alone = price_routes(
            version,
            Routes.one(
                legs, starts[i], waypoints=len(legs) - 1, waiting_s=waiting, outside_area=outside
            ),
        )
        for name in ("fare", *LINE_FIELDS):
            assert getattr(together, name)[i] == getattr(alone, name)[0], name


def test_engine_refuses_nan_and_negative_legs(book):
    import pytest

    from fare_service.errors import InvalidRoute

    version = book.version_at("seoul-taxi", datetime(2026, 1, 1))[1]
    for bad in (float("nan"), -1.0, float("inf")):
        with pytest.raises(InvalidRoute) as caught:
            price_routes(version, Routes.one([(bad, 10.0)], datetime(2026, 1, 1)))
        assert caught.value.field == "leg_distance_m"
    assert np.issubdtype(
        price_routes(version, Routes.one([(1.0, 1.0)], datetime(2026, 1, 1))).fare.dtype,
        np.integer,
    )
