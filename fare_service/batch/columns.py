"""Input columns as Arrow arrays -> clean arrays: trimmed text, numbers, Seoul wall times.

Arrow compute does the common cases (text, numbers, ``YYYY-MM-DDThh:mm:ss``) without
Python objects; any other type or time format goes through the pandas code that defines
the behaviour, so both paths give the same answers (tests/batch/test_columns.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fare_service.tariff import SEOUL

_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
_WON = r"^(\d{1,3}(,\d{3})+|\d+)\s*원?$"  # "45000", "45,000", "45,000원", "45000 원"
_OFFSET = r"[T ].*(?:Z|[+-]\d{2}(?::?\d{2})?)$"  # a time of day with a UTC offset
# Naive times Arrow parses exactly as pandas' ISO 8601 (both refuse 02-30 and 24:00).
_ISO_DATE = r"\s*\d{4}-\d{2}-\d{2}"  # what every ISO 8601 date-time starts with
_PLAIN_TIME = r"^(19|20)\d\d-\d\d-\d\d[T ]\d\d:\d\d:\d\d$"


def is_text(array: pa.Array) -> bool:
    return pa.types.is_string(array.type) or pa.types.is_large_string(array.type)


def as_series(array: pa.Array) -> pd.Series:
    """The column as the pandas engine used to see it (Arrow-backed)."""
    return pd.Series(array, dtype=pd.ArrowDtype(array.type))


def strings(array: pa.Array) -> pa.Array:
    """Stripped text of any column; missing and blank are null."""
    if is_text(array):
        text = pc.cast(array, pa.string())
    else:  # numbers, booleans ... spelled as pandas spells them
        try:
            text = pa.array(as_series(array).astype("str"), type=pa.string(), from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError, NotImplementedError):
            text = pa.array([None if v is None else str(v) for v in array.to_pylist()], pa.string())
    trimmed = pc.utf8_trim_whitespace(text)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def blank(array: pa.Array) -> np.ndarray:
    """Where ``strings(array)`` is null (missing, empty or only whitespace), as a bool
    mask; text is tested in place (Arrow's utf8_is_space and utf8_trim_whitespace agree
    on every code point), without building the trimmed copy."""
    if not is_text(array):
        return pc.is_null(strings(array)).to_numpy(zero_copy_only=False)
    empty = pc.or_(pc.equal(pc.binary_length(array), 0), pc.utf8_is_space(array))
    return pc.fill_null(empty, True).to_numpy(zero_copy_only=False)


def numbers(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(float64 values with NaN where missing, bool where present but not a finite number)."""
    if _is_numeric(array.type):  # unsafe: a uint64 above 2**53 is a huge float, not a crash
        values = pc.cast(array, pa.float64(), safe=False).to_numpy(zero_copy_only=False)
        return np.where(np.isinf(values), np.nan, values), np.isinf(values)
    text = strings(array)
    present = pc.is_valid(text).to_numpy(zero_copy_only=False)
    try:  # every value a number: one cast, no regex (a regex costs ~0.5 s a million)
        values = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
        number = np.ones(len(text), dtype=bool)  # Arrow also reads "nan", "inf": not finite
    except pa.ArrowInvalid:
        matched = pc.fill_null(pc.match_substring_regex(text, _NUMBER), False)
        only = pc.if_else(matched, text, pa.scalar(None, pa.string()))
        values = pc.cast(only, pa.float64()).to_numpy(zero_copy_only=False)
        number = matched.to_numpy(zero_copy_only=False)
    bad = present & ~(number & np.isfinite(values))
    return np.where(bad, np.nan, values), bad


def won_amounts(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(won as float64, NaN where missing or invalid; bool where present but not whole
    non-negative won as spreadsheets write it)."""
    if _is_numeric(array.type):
        values, bad = numbers(array)
        bad |= ~np.isnan(values) & ((values < 0) | (values != np.floor(values)))
        return np.where(bad, np.nan, values), bad
    text = strings(array)
    present = pc.is_valid(text).to_numpy(zero_copy_only=False)
    try:  # plain digits everywhere: one cast, no regex (two cost ~1.2 s a million)
        values = pc.cast(text, pa.int64()).to_numpy(zero_copy_only=False).astype(np.float64)
        bad = present & (values < 0)  # "-5": not money as written on a receipt
        return np.where(bad, np.nan, values), bad
    except pa.ArrowInvalid:
        pass
    good = pc.fill_null(pc.match_substring_regex(text, _WON), False)
    digits = pc.replace_substring_regex(pc.if_else(good, text, None), r"[,\s원]", "")
    values = pc.cast(digits, pa.float64()).to_numpy(zero_copy_only=False)
    return values, present & ~good.to_numpy(zero_copy_only=False)


def _is_numeric(kind: pa.DataType) -> bool:
    return bool(
        pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind)
    )


def wall_times(array: pa.Array, missing: np.ndarray | None = None) -> np.ndarray:
    """Asia/Seoul wall time, datetime64[s]; NaT where missing or unreadable.

    ``missing`` is ``blank(array)`` when the caller already has it.

    The common 19-character spelling is cast by Arrow as it is (padding would make it
    longer, and a padded 19 characters fails the cast, as any non-time does); only the
    other rows are trimmed and go to pandas.
    """
    if pa.types.is_date(array.type):  # a date alone is its midnight, as "2024-05-08" is
        array = pc.cast(pc.cast(array, pa.date32()), pa.timestamp("s"))
    if not is_text(array):
        return _wall_times_pandas(as_series(array))
    try:
        plain, parsed = _plain_times(array)
    except pa.ArrowInvalid:  # a well-shaped impossible date: let pandas judge the chunk
        return _wall_times_pandas(as_series(strings(array)))
    wall = parsed.to_numpy(zero_copy_only=False).astype("datetime64[s]")
    missing = blank(array) if missing is None else missing
    other = np.flatnonzero(~plain.to_numpy(zero_copy_only=False) & ~missing)
    if len(other):  # each distinct spelling parsed once: bad rows tend to repeat
        encoded = pc.dictionary_encode(strings(array.take(pa.array(other))))
        labels = _wall_times_pandas(as_series(encoded.dictionary))
        wall[other] = labels[encoded.indices.to_numpy(zero_copy_only=False)]
    return wall


def _plain_times(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Which rows read as ``YYYY-MM-DD[T ]hh:mm:ss``, and their times, parsed by Arrow.

    Sorted by length first (a regex costs ~20 ms a chunk): Arrow refuses every other
    19-character spelling (offsets, garbage), and only then is the pattern needed.
    """
    by_length = pc.fill_null(pc.equal(pc.binary_length(text), 19), False)
    try:
        return by_length, _times_where(text, by_length)
    except pa.ArrowInvalid:
        by_pattern = pc.fill_null(pc.match_substring_regex(text, _PLAIN_TIME), False)
        return by_pattern, _times_where(text, by_pattern)


def _times_where(text: pa.Array, mask: pa.Array) -> pa.Array:
    return pc.cast(pc.if_else(mask, text, pa.scalar(None, pa.string())), pa.timestamp("s"))


def _wall_times_pandas(series: pd.Series) -> np.ndarray:
    """The reference parser: ISO 8601, naive is Seoul, an offset is converted to Seoul."""
    if isinstance(series.dtype, pd.ArrowDtype) and pa.types.is_timestamp(
        series.dtype.pyarrow_dtype
    ):
        series = pd.Series(series.array._pa_array.to_pandas(), index=series.index)
    if pd.api.types.is_datetime64_any_dtype(series):
        if series.dt.tz is not None:
            series = series.dt.tz_convert(SEOUL).dt.tz_localize(None)
        return series.to_numpy().astype("datetime64[s]")
    text = pd.Series(strings(pa.array(series, from_pandas=True)).to_pandas(), dtype="str")
    # pandas also reads "now" and "today" as the time of the run: a silently wrong ride
    # time, so anything not starting with an ISO 8601 date is unparsable here.
    text = text.where(text.str.match(_ISO_DATE, na=False))
    aware = text.str.contains(_OFFSET, regex=True, na=False).to_numpy(dtype=bool)
    naive = pd.to_datetime(text.where(~aware), format="ISO8601", errors="coerce")
    offset = pd.to_datetime(text.where(aware), format="ISO8601", errors="coerce", utc=True)
    local = offset.dt.tz_convert(SEOUL).dt.tz_localize(None)
    wall = np.where(aware, local.to_numpy(), naive.to_numpy())
    return wall.astype("datetime64[s]")
