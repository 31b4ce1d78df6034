"""Issue #18's acceptance test: a 200,000-record export with every kind of trouble gives
one row per record, in order; its good rows are priced as in a clean file; and the
pandas and Dask engines write the same bytes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from batch_testing import READABLE_CALL_ID, SETTINGS, messy_csv, read

from fare_service.batch.command import run_batch

RECORDS = 200_000

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> tuple[Path, list[str], list[int]]:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("messy")
    kinds, lines = messy_csv(folder / "messy.csv", RECORDS)
    return folder, kinds, lines


def test_one_row_per_record_in_order_and_good_rows_priced_as_in_a_clean_file(messy) -> None:  # type: ignore[no-untyped-def]
    folder, kinds, lines = messy
    summary = run_batch(folder / "messy.csv", folder / "pandas.csv", SETTINGS, chunk_rows=50_000)
    out = read(folder / "pandas.csv")
    assert len(out) == summary.rows == RECORDS
    assert out["source_line"].astype(int).tolist() == lines
    readable = [kind in READABLE_CALL_ID for kind in kinds]
    assert out["call_id"][readable].tolist() == [f"C{i}" for i, ok in enumerate(readable) if ok]
    expected_ok = [kind in ("good", "money with commas") for kind in kinds]
    assert (out["status"] == "ok").tolist() == expected_ok
    assert out["memo"][0] == "memo 0\nsecond line, 고객 요청\nthird"

    good = out[expected_ok]
    clean = pd.DataFrame({"call_id": good["call_id"]}).reset_index(drop=True)
    # the same rides written cleanly (no memo, no trouble) and priced on their own
    numbers = clean["call_id"].str[1:].astype(int)
    rows = pd.DataFrame(
        {
            "call_id": clean["call_id"],
            "at": "2024-05-08T12:00:00",
            "tariff_id": "seoul-taxi",
            "origin_lat": 37.5665,
            "origin_lon": 126.978,
            "destination_lat": 37.4979,
            "destination_lon": 127.0276,
            "waypoints": "",
            "distance_m": 1000 + (numbers % 400) * 50,
            "duration_s": 600,
            "charged_fare": 8000,
        }
    )
    rows.to_csv(folder / "clean.csv", index=False)
    run_batch(folder / "clean.csv", folder / "clean-out.csv", SETTINGS)
    clean_out = read(folder / "clean-out.csv")
    assert good["fare"].tolist() == clean_out["fare"].tolist()
    assert set(summary.errors) == {
        "wrong number of fields",
        "not UTF-8",
        "invalid charged_fare",
        "leg must be finite, not negative and at most 10,000,000",
        "unbalanced quote",
    }


def test_the_dask_engine_writes_the_same_bytes(messy) -> None:  # type: ignore[no-untyped-def]
    folder, _, _ = messy
    pandas_out, dask_out = folder / "p.csv", folder / "d.csv"
    run_batch(folder / "messy.csv", pandas_out, SETTINGS, chunk_rows=50_000)
    run_batch(folder / "messy.csv", dask_out, SETTINGS, engine="dask", chunk_rows=50_000)
    assert dask_out.read_bytes() == pandas_out.read_bytes()
