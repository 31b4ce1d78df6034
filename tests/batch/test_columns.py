"""The Arrow fast paths of batch/columns.py give what the pandas reference gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from fare_service.batch.columns import (
    _wall_times_pandas,
    as_series,
    blank,
    numbers,
    strings,
    wall_times,
    won_amounts,
)

TIMES = [
    "2024-05-08T12:00:00",
    "2024-05-08 23:59:59",
    " 2024-05-08T12:00:00 ",
    "2024-02-29T00:00:00",
    "2023-02-29T00:00:00",
    "2024-02-30T12:00:00",
    "2024-01-01T24:00:00",
    "2024-05-08T12:00",
    "2024-05-08",
    "2024-05-08T12:00:00+00:00",
    "2024-05-08T03:00:00Z",
    "2024-05-08T12:00:00.75",
    "1899-12-31T00:00:00",
    "not a time",
    "",
    "   ",
    None,
]


def test_time_text_fast_path_equals_pandas_row_by_row() -> None:
    text = pa.array(TIMES, type=pa.string())
    expected = np.concatenate(
        [_wall_times_pandas(as_series(text.slice(i, 1))) for i in range(len(TIMES))]
    )
    np.testing.assert_array_equal(wall_times(text), expected)
    assert wall_times(text)[0] == np.datetime64("2024-05-08T12:00:00")
    assert np.isnat(wall_times(text)[5])  # 2 월 30 일 is not a day, whichever path reads it


def test_one_impossible_date_sends_the_chunk_to_pandas_unchanged() -> None:
    text = pa.array(["2024-05-08T12:00:00", "2023-02-29T10:00:00"] * 3)
    np.testing.assert_array_equal(wall_times(text), _wall_times_pandas(as_series(text)))


def test_timestamps_with_a_zone_become_seoul_wall_time() -> None:
    utc = pa.array([pd.Timestamp("2024-05-08T03:00:00Z"), None], type=pa.timestamp("s", "UTC"))
    assert wall_times(utc)[0] == np.datetime64("2024-05-08T12:00:00")
    assert np.isnat(wall_times(utc)[1])


@pytest.mark.parametrize(
    "column",
    [
        pa.array([1.5, None, float("inf"), -2.0]),
        pa.array([3, None, -1], type=pa.int64()),
        pa.array(["1.5", " 2 ", "", None, "x", "1e3", "inf"]),
        pa.array([True, None, False]),
    ],
)
def test_numbers_and_strings_equal_the_pandas_spelling(column: pa.Array) -> None:
    values, bad = numbers(column)
    series = as_series(column)
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        reference = series.to_numpy(dtype=np.float64, na_value=np.nan)
        np.testing.assert_array_equal(values, np.where(np.isinf(reference), np.nan, reference))
        np.testing.assert_array_equal(bad, np.isinf(reference))
    spelled = pa.array(series.astype("str"), type=pa.string(), from_pandas=True).to_pylist()
    assert strings(column).to_pylist() == [s.strip() or None if s else None for s in spelled]


@pytest.mark.parametrize(
    "column",
    [
        pa.array(["C1", "", " ", "\t\n", "\u3000", "\u00a0x", None, " C2 ", "\u200b"]),
        pa.array(["x", "  "], type=pa.large_string()),
        pa.array([1.5, None]),
    ],
)
def test_blank_is_where_the_stripped_text_is_missing(column: pa.Array) -> None:
    expected = strings(column).is_null().to_numpy(zero_copy_only=False)
    np.testing.assert_array_equal(blank(column), expected)


def test_largest_overcharges_match_a_stable_sort_of_the_chunk() -> None:
    from fare_service.batch.summary import _largest_first

    rng = np.random.default_rng(5)
    for size in (0, 3, 10, 11, 500):
        amounts = rng.integers(-5, 6, size) * 100  # many ties
        expected = np.argsort(-amounts, kind="stable")[:10]
        np.testing.assert_array_equal(_largest_first(amounts, 10), expected)


@pytest.mark.parametrize(
    "odd", ["2024-01-01T00:00+09", "2024-01-01T00-00:00", "nineteen characters"]
)
def test_a_19_character_non_time_still_leaves_the_plain_rows_to_arrow(odd: str) -> None:
    text = pa.array(["2024-05-08T12:00:00", odd, "2024-05-08 01:02:03"])
    np.testing.assert_array_equal(wall_times(text), _wall_times_pandas(as_series(text)))


MONEY = ["45000", "45,000", "45,000원", " 45,000 원 ", "0", "-5", "4,5000", "1e3", "nan", "", None]
NUMBERS = ["1.5", " 2 ", "-3", "1e3", "nan", "inf", "1e400", ".5", "5.", "x", "", None]


@pytest.mark.parametrize(("parse", "values"), [(won_amounts, MONEY), (numbers, NUMBERS)])
def test_the_one_cast_fast_path_equals_the_regex_path(parse, values: list[str | None]) -> None:  # type: ignore[no-untyped-def]
    """A column that casts whole takes one cast; a mixed one the regex: same answers."""
    whole_values, whole_bad = parse(pa.array(values, pa.string()))
    for i, value in enumerate(values):
        alone_values, alone_bad = parse(pa.array([value], pa.string()))
        assert alone_bad[0] == whole_bad[i], value
        np.testing.assert_array_equal(alone_values, whole_values[i : i + 1])
