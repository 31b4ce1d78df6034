"""Seoul taxi fares worked by hand from the published rates, and the daeri example tariff.

Published rates (Seoul notices, see tariffs/seoul-taxi.toml):
- from 2023-02-01 04:00: 4,800 won for 1.6 km, 100 won per 131 m or per 30 s under
  15.72 km/h; late night +20% 22-23 and 02-04, +40% 23-02, on each step at the rate of
  the hour it is run in, the base fare at boarding; out of city +20%;
  fares rounded to 100 won, a half up.
- 2019-02-16 to 2023-02-01: 3,800 won for 2 km, 100 won per 132 m or per 31 s;
  late night 00-04 +20% until 2022-12-01 22:00, then the 22-04 windows above.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.pricing_testing import quote_legs

BASE, BASE_M, STEP_M, STEP_S, STEP_WON = 4800, 1600, 131, 30, 100
OLD_BASE, OLD_BASE_M, OLD_STEP_M, OLD_STEP_S = 3800, 2000, 132, 31


def round_100(won: float) -> int:
    """Seoul meters round at the 10-won digit, a half up."""
    return int(won // 100 * 100 + (100 if won % 100 >= 50 else 0))


def seoul(book, legs, at, **kwargs):
    at = datetime.fromisoformat(at)
    tariff, version = book.version_at("seoul-taxi", at)
    return quote_legs(tariff, version, legs, at, **kwargs)


def fast(metres: int) -> tuple[int, int]:
    """A leg at 36 km/h (10 m/s), well above the slow threshold."""
    return (metres, metres // 10)


NOON = "2026-11-27T12:00:00+09:00"


def test_base_fare_only(book):
    quote = seoul(book, [fast(1000)], NOON)
    assert quote.fare == BASE
    assert [(line.code, line.amount) for line in quote.breakdown] == [("base", BASE)]
    assert (quote.tariff.id, quote.tariff.version) == ("seoul-taxi", "2023-02-01")


@pytest.mark.parametrize(
    ("metres", "steps"),
    [
        (BASE_M, 0),
        (BASE_M + STEP_M - 1, 0),
        (BASE_M + STEP_M, 1),
        (BASE_M + 10 * STEP_M, 10),
        (BASE_M + 10 * STEP_M - 1, 9),
    ],
)
def test_distance_steps_at_their_boundaries(book, metres, steps):
    quote = seoul(book, [fast(metres)], NOON)
    assert quote.fare == BASE + steps * STEP_WON
    assert quote.distance_m == metres


def test_slow_leg_is_charged_by_time_on_the_same_counter(book):
    # 500 m in 10 minutes is 3 km/h: the counter runs on time, 600 s = 20 steps of
    # 131 m = 2,620 m equivalent; the first 1,600 m are in the base fare.
    quote = seoul(book, [(500, 600)], NOON)
    steps = (600 // STEP_S * STEP_M - BASE_M) // STEP_M
    assert quote.fare == BASE + steps * STEP_WON == 5500
    assert {line.code: line.amount for line in quote.breakdown}["time"] == steps * STEP_WON


def test_fast_and_slow_legs_share_the_counter(book):
    legs = [(3000, 300), (300, 300)]  # 36 km/h, then 3.6 km/h
    counter_m = 3000 + 300 // STEP_S * STEP_M
    quote = seoul(book, legs, NOON, waypoints=1)
    lines = {line.code: line.amount for line in quote.breakdown}
    assert quote.fare == BASE + (counter_m - BASE_M) // STEP_M * STEP_WON
    assert lines["distance"] == (3000 - BASE_M) // STEP_M * STEP_WON
    assert quote.duration_s == 600


def test_threshold_speed_itself_is_not_slow(book):
    # 131 m in 30 s is exactly 15.72 km/h: not under the threshold, charged by distance.
    quote = seoul(book, [(BASE_M, 0), (STEP_M * 10, STEP_S * 10)], NOON)
    assert {line.code for line in quote.breakdown} == {"base", "distance"}
    assert quote.fare == BASE + 10 * STEP_WON


@pytest.mark.parametrize(
    ("clock", "percent"),
    [
        ("21:59:59", 0),
        ("22:00:00", 20),
        ("22:59:59", 20),
        ("23:00:00", 40),
        ("01:59:59", 40),
        ("02:00:00", 20),
        ("03:59:59", 20),
        ("04:00:00", 0),
    ],
)
def test_late_night_windows_and_their_edges(book, clock, percent):
    quote = seoul(book, [fast(1000)], f"2026-11-27T{clock}+09:00")
    assert quote.fare == round_100(BASE * (100 + percent) / 100)


def test_published_late_night_base_fares(book):
    assert seoul(book, [fast(1000)], "2026-11-27T22:30+09:00").fare == 5800
    assert seoul(book, [fast(1000)], "2026-11-27T23:30+09:00").fare == 6700


def test_naive_and_utc_times_are_read_as_seoul_wall_time(book):
    naive = seoul(book, [fast(1000)], "2026-11-27T23:30:00")
    utc = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)
    tariff, version = book.version_at("seoul-taxi", utc)
    assert naive.fare == quote_legs(tariff, version, [fast(1000)], utc).fare == 6700


def test_2022_ride_uses_the_2022_rates(book):
    metres = OLD_BASE_M + 5 * OLD_STEP_M
    quote = seoul(book, [fast(metres)], "2022-06-15T12:00:00+09:00")
    assert quote.tariff.version == "2019-02-16"
    assert quote.fare == OLD_BASE + 5 * STEP_WON
    slow = seoul(book, [(100, 31 * 80)], "2022-06-15T12:00:00+09:00")
    assert slow.fare == OLD_BASE + (80 * OLD_STEP_M - OLD_BASE_M) // OLD_STEP_M * STEP_WON


@pytest.mark.parametrize(
    ("at", "percent"),
    [
        ("2022-06-15T00:30:00+09:00", 20),
        ("2022-06-15T23:30:00+09:00", 0),
        ("2022-12-15T23:30:00+09:00", 40),
        ("2023-02-01T03:59:59+09:00", 20),
    ],
)
def test_old_late_night_rules_by_date(book, at, percent):
    assert seoul(book, [fast(1000)], at).fare == round_100(OLD_BASE * (100 + percent) / 100)


def test_new_rates_start_at_4am_on_1_february_2023(book):
    assert seoul(book, [fast(1000)], "2023-02-01T04:00:00+09:00").fare == BASE


def lines(quote) -> list[tuple[str, int]]:
    """The breakdown as (code, amount), checked to add up to the fare."""
    assert sum(line.amount for line in quote.breakdown) == quote.fare
    return [(line.code, line.amount) for line in quote.breakdown]


# 10 km in 20 minutes is 30 km/h, above 15.72 km/h: the counter runs on distance, 500 m a
# minute (a leg's distance is spread evenly over its duration). Beyond the base's 1.6 km
# it runs (10,000 - 1,600) // 131 = 64 steps; 10 minutes in, at 5,000 m, it has run
# (5,000 - 1,600) // 131 = 25 of them (the 26th ends at 1,600 + 26 x 131 = 5,006 m).
TEN_KM_IN_20_MIN = [(10_000, 1200)]
STEPS, STEPS_BY_10_MIN = (10_000 - BASE_M) // STEP_M, (5_000 - BASE_M) // STEP_M
METER = BASE + STEPS * STEP_WON


def test_the_meter_runs_its_windows_and_the_app_charges_them_at_boarding(book):
    for tariff in book:
        runs = [version.windows_run for version in tariff.versions]
        assert runs == [tariff.id == "seoul-taxi"] * len(runs)


def test_a_ride_across_23_00_pays_each_step_at_the_rate_of_its_hour(book):
    """From 22:50: the base and the 25 steps run before 23:00 at +20%, the other 39 at
    +40%. The old rule (the start time's rate on the whole fare) said 13,400."""
    assert (STEPS, STEPS_BY_10_MIN, METER) == (64, 25, 11_200)
    at_20 = (BASE + STEPS_BY_10_MIN * STEP_WON) * 20 // 100  # (4,800 + 2,500) x 20% = 1,460
    at_40 = (STEPS - STEPS_BY_10_MIN) * STEP_WON * 40 // 100  # 3,900 x 40% = 1,560
    fare = round_100(METER + at_20 + at_40)  # 14,220 -> 14,200
    quote = seoul(book, TEN_KM_IN_20_MIN, "2026-11-27T22:50:00+09:00")
    assert (at_20, at_40, fare) == (1460, 1560, 14_200)
    assert quote.fare == fare
    assert lines(quote) == [
        ("base", BASE),
        ("distance", STEPS * STEP_WON),
        ("late_night_20", at_20),
        ("late_night_40", at_40),
        ("rounding", fare - (METER + at_20 + at_40)),
    ]
    labels = [line.label for line in quote.breakdown]
    assert "심야 할증 20% (22:00~23:00 운행분)" in labels
    assert "심야 할증 40% (23:00~02:00 운행분)" in labels
    assert round_100(METER * 1.2) == 13_400  # what boarding at 22:50 would have charged


def test_a_ride_inside_one_window_pays_its_rate_on_the_whole_fare(book):
    quote = seoul(book, TEN_KM_IN_20_MIN, "2026-11-27T23:10:00+09:00")
    assert quote.fare == round_100(METER * 140 // 100) == 15_700  # 15,680 -> 15,700
    assert lines(quote)[2] == ("late_night_40", METER * 40 // 100)
    assert quote.breakdown[2].label == "심야 할증 40%"  # one window: no hours to tell apart


def test_a_ride_across_04_00_pays_the_night_rate_only_on_what_ran_before(book):
    """From 03:50: the base and 25 steps at +20%, the 39 run after 04:00 at the day rate."""
    at_20 = (BASE + STEPS_BY_10_MIN * STEP_WON) * 20 // 100  # 1,460
    quote = seoul(book, TEN_KM_IN_20_MIN, "2026-11-27T03:50:00+09:00")
    assert quote.fare == round_100(METER + at_20) == 12_700  # 12,660 -> 12,700
    assert lines(quote)[2] == ("late_night_20_dawn", at_20)
    assert quote.breakdown[2].label == "심야 할증 20% (02:00~04:00 운행분)"


def test_a_ride_into_the_night_pays_it_only_on_what_runs_after_22_00(book):
    """From 21:50: the base and 25 steps at the day rate, 39 at +20%."""
    at_20 = (STEPS - STEPS_BY_10_MIN) * STEP_WON * 20 // 100  # 780
    quote = seoul(book, TEN_KM_IN_20_MIN, "2026-11-27T21:50:00+09:00")
    assert quote.fare == round_100(METER + at_20) == 12_000  # 11,980 -> 12,000
    assert lines(quote)[2] == ("late_night_20", at_20)


def test_time_steps_run_after_23_00_are_charged_at_40_percent(book):
    """500 m in 10 minutes from 22:55 is 3 km/h: the counter runs on time, 131 m' worth per
    30 s. The base's 1,600 m take 366 s of it, so no step runs by 23:00 (300 s); the
    600 s make (20 x 131 - 1,600) // 131 = 7 steps, all after 23:00."""
    steps = (600 // STEP_S * STEP_M - BASE_M) // STEP_M
    assert (300 // STEP_S * STEP_M - BASE_M) < 0 and steps == 7
    fare = round_100(BASE + steps * STEP_WON + BASE * 20 // 100 + steps * STEP_WON * 40 // 100)
    quote = seoul(book, [(500, 600)], "2026-11-27T22:55:00+09:00")
    assert quote.fare == fare == 6700  # 4,800 + 700 + 960 + 280 = 6,740
    assert lines(quote)[2:4] == [("late_night_20", 960), ("late_night_40", 280)]


def test_a_traces_own_times_place_its_legs_on_the_clock(book):
    """Two 5 km legs of 10 minutes from 22:40. Back to back, both run before 23:00: all
    at +20%. Recorded with a 20-minute stop between them, the second runs 23:10-23:20:
    the 25 steps of the first 5 km at +20%, the 39 after at +40%, as from 22:50."""
    legs, at = [(5_000, 600), (5_000, 600)], "2026-11-27T22:40:00+09:00"
    assert seoul(book, legs, at).fare == round_100(METER * 120 // 100) == 13_400
    stopped = seoul(book, legs, at, leg_start_s=[0, 1_800])
    assert stopped.fare == 14_200
    assert lines(stopped)[2:4] == [("late_night_20", 1460), ("late_night_40", 1560)]


def test_out_of_city_surcharge_adds_to_late_night(book):
    metres = 10_000
    meter = BASE + (metres - BASE_M) // STEP_M * STEP_WON
    day = seoul(book, [fast(metres)], NOON, outside_area=True)
    night = seoul(book, [fast(metres)], "2026-11-27T23:30+09:00", outside_area=True)
    assert day.fare == round_100(meter * 1.2)
    assert night.fare == round_100(meter * 1.6)
    assert {line.code for line in night.breakdown} >= {"late_night_40", "out_of_area"}


def daeri(book, legs, at, **kwargs):
    at = datetime.fromisoformat(at)
    tariff, version = book.version_at("daeri-standard", at)
    return quote_legs(tariff, version, legs, at, **kwargs)


# The daeri-standard example figures, from tariffs/daeri-standard.toml.
D_BASE, D_BASE_M, D_BASE_S, D_STEP = 15000, 3000, 900, 1000


def test_daeri_fare_by_distance_bands_time_waypoints_and_waiting(book):
    legs = [(12_000, 900), (18_000, 900)]  # 30 km in 30 min
    quote = daeri(book, legs, "2026-11-27T12:00+09:00", waypoints=1, waiting_s=1500)
    band_1 = (20_000 - D_BASE_M) // 1500 * D_STEP
    band_2 = (30_000 - 20_000) // 2500 * D_STEP
    time = (1800 - D_BASE_S) // 300 * D_STEP
    waiting = (1500 - 600) // 300 * D_STEP
    assert quote.fare == D_BASE + band_1 + band_2 + time + 3000 + waiting


@pytest.mark.parametrize(
    ("at", "percent"),
    [("2026-11-27T21:50:00+09:00", 0), ("2026-11-27T04:50:00+09:00", 20)],
)
def test_daeri_charges_the_window_at_boarding_on_the_whole_fare(book, at, percent):
    """The app fixes its price at call time (applies_to = "boarding"): 20 km in an hour
    boarding at 21:50 pays no night rate though it runs past 22:00; boarding at 04:50, the
    whole fare pays 20% though it runs past 05:00."""
    meter = D_BASE + (20_000 - D_BASE_M) // 1500 * D_STEP + (3600 - D_BASE_S) // 300 * D_STEP
    quote = daeri(book, [(20_000, 3600)], at)
    assert meter == 35_000
    assert quote.fare == -(-meter * (100 + percent) // 100 // 1000) * 1000  # up to 1,000
    assert sum(line.amount for line in quote.breakdown) == quote.fare
    night = [line for line in quote.breakdown if line.code == "night"]
    assert [line.label for line in night] == (["심야 할증 20%"] if percent else [])


def test_daeri_minimum_and_rounding_up_to_1000(book):
    assert daeri(book, [(500, 60)], "2026-11-27T12:00+09:00").fare == D_BASE
    # New Year's Day is a Korean public holiday: +10%, then up to the next 1,000 won.
    meter = D_BASE + (20_000 - D_BASE_M) // 1500 * D_STEP + (1800 - D_BASE_S) // 300 * D_STEP
    quote = daeri(book, [(20_000, 1800)], "2026-01-01T12:00+09:00")
    assert quote.fare == -(-meter * 110 // 100 // 1000) * 1000
    assert {line.code for line in quote.breakdown} >= {"holiday", "rounding"}
