"""The batch command end to end: files in, files out, one row per row, nothing lost."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import pytest
from batch_testing import SETTINGS, make_row, read, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fare_service.batch import io as batch_io
from fare_service.batch.command import run_batch, run_batch_command
from fare_service.batch.report import render_report
from fare_service.config import Settings


def test_recorded_route_priced_by_hand_from_the_seoul_rates(run) -> None:
    # 2023 Seoul taxi: 4,800 won for the first 1.6 km, then 100 won per 131 m.
    # 5,000 m in 600 s (30 km/h, never slow): 4,800 + floor(3,400 / 131) x 100 = 7,300.
    out, _ = run([make_row(charged_fare=8000)])
    assert out.loc[0, "fare"] == "7300"
    assert out.loc[0, "tariff_version"] == "2023-02-01"
    assert out.loc[0, "overcharge"] == "700"
    assert out.loc[0, "verdict"] == "overcharged"
    assert out.loc[0, "status"] == "ok"


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_round_trip_keeps_rows_order_and_extra_columns(run, suffix: str) -> None:
    rows = [
        make_row(call_id=f"C{i}", note=f"memo {i}", distance_m=2000 + 500 * i) for i in range(5)
    ]
    out, summary = run(rows, suffix)
    assert list(out["call_id"]) == [f"C{i}" for i in range(5)]
    assert list(out["note"]) == [f"memo {i}" for i in range(5)]
    assert set(out["status"]) == {"ok"}
    assert summary.rows == summary.ok == 5


def test_routes_coordinates_when_nothing_was_recorded(run) -> None:
    out, _ = run([make_row(distance_m="", duration_s="", waypoints="37.55,127.0")])
    assert out.loc[0, "status"] == "ok"
    assert int(out.loc[0, "distance_m_priced"]) > 8000  # 시청 -> 강남 by road is ~10 km


BAD_ROWS = {
    "missing call_id": {"call_id": ""},
    "missing time": {"at": ""},
    "unparsable time": {"at": "yesterday evening"},
    "unknown tariff": {"tariff_id": "no-such-tariff"},
    "no tariff version in force": {"at": "2001-01-01T12:00:00"},
    "time must be between 2000-01-01 and 2100-12-31 (Seoul time)": {"at": "2101-01-01T00:00:00"},
    "missing coordinates": {"origin_lat": ""},
    "invalid coordinates": {"destination_lon": "200"},
    "coordinates outside South Korea": {
        "destination_lat": "35.6812",
        "destination_lon": "139.7671",
    },
    "bad waypoints (want lat,lon;lat,lon)": {"waypoints": "37.5;127"},
    "negative distance_m": {"distance_m": "-10"},
    # 1e19 m cast to int64 wraps: it priced as the base fare before the engine's limit
    "leg must be finite, not negative and at most 10,000,000": {"distance_m": "1e19"},
    # 30 waypoints between Busan and Seoul: ~13,000 road km, routed, past the engine's limit
    "a route's legs must add up to at most 10,000,000": {
        "waypoints": ";".join(["35.1796,129.0756", "37.5665,126.9780"] * 15),
        "distance_m": "",
        "duration_s": "",
    },
    "invalid duration_s": {"duration_s": "ten minutes"},
    "incomplete recorded route": {"duration_s": ""},
    "invalid charged_fare": {"charged_fare": "lots"},
}


@pytest.mark.parametrize("word", ["now", "today", " now ", "NaT"])
def test_words_pandas_would_read_as_a_time_are_unparsable(run, word: str) -> None:
    """pandas reads "now" and "today" as the time of the run: never a ride's time."""
    out, summary = run([make_row(call_id="good"), make_row(call_id="bad", at=word)])
    assert list(out["status"]) == ["ok", "error"]
    assert summary.errors == {"unparsable time": 1}


@pytest.mark.parametrize("reason", BAD_ROWS)
def test_each_bad_row_kind_is_an_error_row_with_its_reason(run, reason: str) -> None:
    out, summary = run(
        [make_row(call_id="good"), make_row(**{"call_id": "bad", **BAD_ROWS[reason]})]
    )
    assert list(out["status"]) == ["ok", "error"]
    assert out.loc[1, "error"].startswith(reason)
    assert out.loc[1, "fare"] == ""
    assert summary.errors == {reason: 1}


TOKYO = ("35.6812", "139.7671")


def test_a_stop_abroad_and_a_time_out_of_range_are_named_with_what_was_written(run) -> None:
    """As a single quote names the stop and the time it refuses, so does a batch row:
    which stop (the first abroad) with its coordinates, and the time as written."""
    tokyo = ",".join(TOKYO)
    rows = [
        make_row(call_id="A", origin_lat=TOKYO[0], origin_lon=TOKYO[1]),
        make_row(call_id="B", waypoints=f"37.55,127.0;{tokyo}", distance_m="", duration_s=""),
        make_row(call_id="C", destination_lat=TOKYO[0], destination_lon=TOKYO[1]),
        make_row(call_id="D", at="2101-01-01T00:00"),
        make_row(call_id="E", waypoints=tokyo, destination_lat="33.0", destination_lon="140.0"),
    ]
    out, summary = run(rows)
    abroad = "coordinates outside South Korea"
    assert list(out["error"]) == [
        f"{abroad}: origin: (35.6812, 139.7671)",
        f"{abroad}: waypoints[1]: (35.6812, 139.7671)",
        f"{abroad}: destination: (35.6812, 139.7671)",
        "time must be between 2000-01-01 and 2100-12-31 (Seoul time): '2101-01-01T00:00'",
        f"{abroad}: waypoints[0]: (35.6812, 139.7671)",  # the first of two abroad
    ]
    assert summary.errors == {
        abroad: 4,
        "time must be between 2000-01-01 and 2100-12-31 (Seoul time)": 1,
    }


def test_tariff_ids_are_stripped_and_each_unknown_one_is_named(run) -> None:
    ids = [" seoul-taxi ", "nope-1", "", "nope-2", "seoul-taxi", "nope-1"]
    out, _ = run([make_row(call_id=f"C{i}", tariff_id=t) for i, t in enumerate(ids)])
    assert list(out["status"]) == ["ok", "error", "ok", "error", "ok", "error"]
    assert list(out["error"][[1, 3, 5]]) == [
        "unknown tariff: 'nope-1'",
        "unknown tariff: 'nope-2'",
        "unknown tariff: 'nope-1'",
    ]
    assert out.loc[0, "fare"] == out.loc[4, "fare"]  # the padded id is the Seoul taxi
    assert out.loc[2, "tariff_version"] != out.loc[4, "tariff_version"]  # blank: the default


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from([None, *BAD_ROWS]), min_size=1, max_size=30))
def test_row_count_and_order_always_match(tmp_path_factory, kinds: list[str | None]) -> None:
    folder = tmp_path_factory.mktemp("mix")
    rows = [make_row(**{"call_id": f"C{i}", **BAD_ROWS.get(k, {})}) for i, k in enumerate(kinds)]
    for i, row in enumerate(rows):
        row["position"] = str(i)  # call_id may be blanked by a bad kind
    source = write(folder / "in.parquet", rows)
    summary = run_batch(source, folder / "out.parquet", SETTINGS, chunk_rows=7)
    out = read(folder / "out.parquet")
    assert list(out["position"]) == [str(i) for i in range(len(rows))]
    assert list(out["status"] == "ok") == [k is None for k in kinds]
    assert summary.rows == len(rows) and summary.ok == kinds.count(None)


def test_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    source = write(tmp_path / "rides.csv", [make_row()])
    before = source.read_bytes()
    with pytest.raises(batch_io.BatchFileError, match="overwrite the input"):
        run_batch(source, source, SETTINGS)
    assert source.read_bytes() == before


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_crash_mid_run_leaves_no_output(tmp_path: Path, monkeypatch, suffix: str) -> None:
    rows = [make_row(call_id=f"C{i}") for i in range(3000)]  # CSV blocks are >= 64 KiB
    source = write(tmp_path / f"in{suffix}", rows)
    real_write, calls = batch_io.AtomicWriter.write, []

    def write_then_crash(self, table) -> None:  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("disk on fire")
        real_write(self, table)

    monkeypatch.setattr(batch_io.AtomicWriter, "write", write_then_crash)
    with pytest.raises(RuntimeError):
        run_batch(source, tmp_path / f"out{suffix}", SETTINGS, chunk_rows=100)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"in{suffix}"]


def _args(source: Path, target: Path, **overrides: object) -> argparse.Namespace:
    values = {
        "input": source,
        "out": target,
        "tariff": None,
        "report": None,
        "report_lang": "ko",
        "csv_bom": True,
        "engine": "pandas",
        "scheduler": None,
        "chunk_rows": 1000,
    }
    return argparse.Namespace(**{**values, **overrides})


def test_exit_codes(tmp_path: Path) -> None:
    settings = Settings(tariff_dir=SETTINGS.tariff_dir)
    good = write(tmp_path / "good.csv", [make_row()])
    mixed = write(tmp_path / "mixed.csv", [make_row(), make_row(at="never")])
    assert run_batch_command(_args(good, tmp_path / "a.csv"), settings) == 0
    assert run_batch_command(_args(mixed, tmp_path / "b.csv"), settings) == 1
    assert run_batch_command(_args(tmp_path / "absent.csv", tmp_path / "c.csv"), settings) == 2
    assert run_batch_command(_args(good, tmp_path / "d.txt"), settings) == 2
    assert run_batch_command(_args(good, tmp_path / "e.csv", tariff="nope"), settings) == 2
    no_id = write(tmp_path / "no_id.csv", [{"at": "2024-05-08T12:00:00"}])
    assert run_batch_command(_args(no_id, tmp_path / "f.csv"), settings) == 2
    assert not (tmp_path / "e.csv").exists() and not (tmp_path / "f.csv").exists()


def test_summary_figures_and_report(run, tmp_path: Path) -> None:
    rows = [  # fares 7,300 won each (see the hand-worked test above)
        make_row(call_id="A", charged_fare=9300),  # +2,000
        make_row(call_id="B", charged_fare=7300),  # 0
        make_row(call_id="C", charged_fare=6300),  # -1,000
        make_row(call_id="D", charged_fare=""),  # nothing charged
        make_row(call_id="E", at="bad"),
    ]
    out, summary = run(rows)
    assert list(out["overcharge"]) == ["2000", "0", "-1000", "", ""]
    assert list(out["verdict"]) == ["overcharged", "fair", "undercharged", "", ""]
    assert (summary.rows, summary.ok, summary.error_rows) == (5, 4, 1)
    assert summary.errors == {"unparsable time": 1}
    assert summary.charged_rows == 3
    assert summary.total_overcharge_won == 1000
    assert summary.median_overcharge_won == 0
    assert [(o.call_id, o.overcharge, o.charged_fare) for o in summary.largest] == [
        ("A", 2000, 9300)
    ]
    html = render_report(summary, source=Path("in.csv"), output=Path("out.csv"))
    assert "<svg" in html and "unparsable time" in html


def test_an_input_column_named_like_a_result_is_replaced_and_said(
    run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A priced file priced again gets fresh results; an analyst's own ``fare`` column
    (what was paid, which belongs in ``charged_fare``) is replaced too, so the summary
    names every input column the output replaced."""
    rows = [make_row(fare="9,300", status="paid", charged_fare="")]
    out, summary = run(rows)
    assert summary.replaced_columns == ("fare", "status")
    assert list(out["fare"]) == ["7300"] and list(out["status"]) == ["ok"]
    assert list(out.columns).count("fare") == 1
    _, summary = run([make_row()])
    assert summary.replaced_columns == ()
    source = write(tmp_path / "own.csv", rows)
    settings = Settings(tariff_dir=SETTINGS.tariff_dir)
    assert run_batch_command(_args(source, tmp_path / "own-out.csv"), settings) == 0
    said = " ".join(capsys.readouterr().err.split())
    assert "replaced by results" in said and "fare, status" in said


def test_dask_engine_equals_pandas_engine(tmp_path: Path) -> None:
    kinds = [None, "unknown tariff", None, "invalid coordinates", None, "missing time"]
    rows = [
        make_row(**{"call_id": f"C{i}", "note": str(i), **BAD_ROWS.get(k, {})})
        for i, k in enumerate(kinds)
    ]
    rows[2].update(distance_m="", duration_s="", waypoints="37.55,127.0")
    source = write(tmp_path / "in.parquet", rows)
    run_batch(source, tmp_path / "pandas.parquet", SETTINGS, chunk_rows=4)
    run_batch(source, tmp_path / "dask.parquet", SETTINGS, engine="dask", chunk_rows=4)
    expected = pd.read_parquet(tmp_path / "pandas.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "dask.parquet"), expected)
