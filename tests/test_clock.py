"""Seoul's clock for many times at once reads each as the one-time rule does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fare_service.clock import wall_times

# Korea has kept UTC+9 all year since 1988: a Seoul wall time is UTC plus nine hours.
SEOUL_OFFSET = timedelta(hours=9)

naive = st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(2100, 12, 30))
offsets = st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
aware = st.builds(lambda at, zone: at.replace(tzinfo=zone), naive, offsets)


def seoul_wall_s(at: datetime) -> np.datetime64:
    """Whole seconds of Seoul wall time, worked from UTC (naive is already Seoul)."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None) + SEOUL_OFFSET
    return np.datetime64(at.replace(microsecond=0), "s")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(naive, aware), max_size=12), st.data())
def test_many_times_read_as_each_alone(times: list[datetime], data: st.DataObject) -> None:
    # the same instant in another zone, and the same object again, as a quote's band has
    times += [t.astimezone(timezone(timedelta(hours=-5))) for t in times if t.tzinfo][:2]
    times += data.draw(st.lists(st.sampled_from(times), max_size=4)) if times else []
    many = wall_times(times)
    assert many.dtype == np.dtype("datetime64[s]") and len(many) == len(times)
    assert many.tolist() == [seoul_wall_s(t).item() for t in times]
