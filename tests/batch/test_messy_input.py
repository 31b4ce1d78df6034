"""Files as call-centre spreadsheets export them: every record gives exactly one row, with
its ``source_line``, and a record that cannot be read is an error row, never a stop."""

from __future__ import annotations

import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from batch_testing import SETTINGS, csv_line, make_row, read

from fare_service.batch.command import run_batch

HEADER = [*make_row(), "memo"]
# 2023 Seoul taxi, 5,000 m in 600 s: 4,800 + floor(3,400 / 131) x 100 = 7,300 won
FARE_5KM = 4800 + (5000 - 1600) // 131 * 100


def line(call_id: str, memo: str = "", **overrides: object) -> bytes:
    """One CSV line of a good ride (quoted where a value needs it)."""
    return csv_line({**make_row(call_id=call_id, **overrides), "memo": memo})


def run_csv(tmp_path: Path, *lines: bytes, newline: bytes = b"\n"):  # type: ignore[no-untyped-def]
    source = tmp_path / "in.csv"
    source.write_bytes(newline.join([",".join(HEADER).encode(), *lines]) + newline)
    summary = run_batch(source, tmp_path / "out.csv", SETTINGS, chunk_rows=3)
    return read(tmp_path / "out.csv"), summary


def test_each_unreadable_record_is_one_error_row_at_its_line(tmp_path: Path) -> None:
    short = b"S1,2024-05-08T12:00:00,seoul-taxi"
    unquoted_waypoint = line("W1").replace(b",,5000", b",37.55,127.0,5000")
    out, summary = run_csv(
        tmp_path,
        line("A", memo="first line\nsecond, with a comma\nthird"),  # lines 2-4
        short,  # line 5
        line("B"),  # 6
        unquoted_waypoint,  # 7
        line("C", memo="bad \xff byte").replace("bad \xff byte".encode(), b"bad \xff byte"),  # 8
        b"",  # 9: a blank line is no record
        line("D"),  # 10
        line("E", memo="never closed").replace(b"never closed", b'"never closed'),  # 11
    )
    assert list(out["source_line"]) == ["2", "5", "6", "7", "8", "10", "11"]
    assert list(out["call_id"]) == ["A", "S1", "B", "W1", "C", "D", "E"]  # kept: see below
    assert list(out["status"]) == ["ok", "error", "ok", "error", "error", "ok", "error"]
    assert out.loc[0, "memo"] == "first line\nsecond, with a comma\nthird"
    assert out.loc[1, "error"].startswith("wrong number of fields: 3, the header has 12 (S1,")
    assert out.loc[3, "error"].startswith("wrong number of fields: 13, the header has 12")
    assert out.loc[4, "error"] == "not UTF-8: memo"
    assert out.loc[4, "memo"] == "bad \ufffd byte"  # shown, not dropped
    assert out.loc[6, "error"].startswith("unbalanced quote: a quote opened on line 11")
    assert set(out.loc[[0, 2, 5], "fare"]) == {str(FARE_5KM)}
    assert summary.rows == 7 and summary.ok == 3


def test_a_stray_quote_does_not_swallow_the_next_rows(tmp_path: Path) -> None:
    """The issue's case: 3 data lines became 2 rows, exit 0."""
    stray = line("A", memo="x").replace(b",x", b',"oops')
    out, summary = run_csv(tmp_path, stray, line("B", memo="a memo, quoted"), line("C"))
    assert list(out["call_id"]) == ["A", "B", "C"]
    assert out.loc[0, "error"].startswith("unbalanced quote: a quote opened on line 2")
    assert list(out["status"]) == ["error", "ok", "ok"]
    assert summary.error_rows == 1


def test_an_unread_record_keeps_its_call_id_only_where_nothing_can_have_moved_it(
    tmp_path: Path,
) -> None:
    """The first field of an unread record is its call_id when call_id is the first
    column; a quote opened in that field, or call_id further right (where a missing or
    extra comma before it would shift it), leaves it empty rather than wrong."""
    short = b"S1,2024-05-08T12:00:00,seoul-taxi"
    opened = b'"Q1,2024-05-08T12:00:00,seoul-taxi'
    out, _ = run_csv(tmp_path, short, opened, line("B"))
    assert list(out["call_id"]) == ["S1", "", "B"]
    assert list(out["status"]) == ["error", "error", "ok"]

    source, moved = tmp_path / "moved.csv", [*HEADER[1:], "call_id"]
    good = make_row(call_id="M2")
    rows = [",".join(moved), "2024-05-08T12:00:00,seoul-taxi,M1"]
    rows.append(",".join(str({**good, "memo": ""}[name]) for name in moved))
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    run_batch(source, tmp_path / "moved-out.csv", SETTINGS)
    out = read(tmp_path / "moved-out.csv")
    assert list(out["call_id"]) == ["", "M2"]
    assert out.loc[0, "error"].startswith("wrong number of fields: 3,")


def test_windows_line_ends_and_a_bom_read_as_plain_csv(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    rows = [",".join(HEADER).encode(), line("A", memo="two\r\nlines"), line("B")]
    source.write_bytes(b"\xef\xbb\xbf" + b"\r\n".join(rows) + b"\r\n")
    run_batch(source, tmp_path / "out.csv", SETTINGS)
    out = read(tmp_path / "out.csv")
    assert list(out["call_id"]) == ["A", "B"]
    assert list(out["source_line"]) == ["2", "4"]
    assert list(out["fare"]) == [str(FARE_5KM)] * 2


@pytest.mark.parametrize(
    ("charged", "overcharge"),
    [
        ("45000", 45000 - FARE_5KM),
        ("45,000", 45000 - FARE_5KM),
        ("45,000원", 45000 - FARE_5KM),
        (" 45,000 원 ", 45000 - FARE_5KM),
        ("10,000,000", 10_000_000 - FARE_5KM),
    ],
)
def test_charged_fare_as_spreadsheets_write_it(run, charged: str, overcharge: int) -> None:
    out, _ = run([make_row(charged_fare=charged)])
    assert out.loc[0, "status"] == "ok"
    assert out.loc[0, "overcharge"] == str(overcharge)


@pytest.mark.parametrize(
    ("charged", "reason"),
    [
        ("4,5000", "invalid charged_fare"),
        ("45.000", "invalid charged_fare"),
        ("8000.5", "invalid charged_fare"),
        ("-5", "invalid charged_fare"),
        ("1e308", "invalid charged_fare"),
        ("45,000 KRW", "invalid charged_fare"),
        ("10,000,001", "charged_fare above 10,000,000"),
        ("99999999999999999999999", "charged_fare above 10,000,000"),
    ],
)
def test_charged_fare_out_of_format_or_bounds_is_a_row_error(
    run, charged: str, reason: str
) -> None:
    out, summary = run([make_row(call_id="good"), make_row(call_id="bad", charged_fare=charged)])
    assert list(out["status"]) == ["ok", "error"]
    assert out.loc[1, "error"].startswith(reason)
    assert out.loc[1, "overcharge"] == ""
    assert summary.total_overcharge_won == 8000 - FARE_5KM


def _parquet(tmp_path: Path, columns: dict[str, pa.Array]) -> Path:
    rows = len(next(iter(columns.values())))
    base = {name: pa.array([str(value)] * rows) for name, value in make_row().items()}
    base.update(columns)
    path = tmp_path / "in.parquet"
    pq.write_table(pa.table(base), path)
    return path


def test_parquet_values_of_any_type_become_rows_not_crashes(run, tmp_path: Path) -> None:
    source = _parquet(
        tmp_path,
        {
            "call_id": pa.array([b"P1", b"P2\xff", b"P3", b"P4"], pa.binary()),
            "at": pa.array([datetime.date(2024, 5, 8)] * 4, pa.date32()),
            "distance_m": pa.array([5000, 5000, 2**53 + 1, 5000], pa.uint64()),
            "charged_fare": pa.array([8000, 8000, 8000, 2**63 + 5], pa.uint64()),
        },
    )
    run_batch(source, tmp_path / "out.parquet", SETTINGS)
    out = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [row["source_line"] for row in out] == [1, 2, 3, 4]
    assert [row["status"] for row in out] == ["ok", "error", "error", "error"]
    midnight, _ = run([make_row(at="2024-05-08T00:00:00")])  # a date is its midnight
    assert out[0]["fare"] == int(midnight.loc[0, "fare"]) > FARE_5KM  # late night
    assert out[1]["error"] == "not UTF-8: call_id"
    assert out[2]["error"].startswith("leg must be finite")
    assert out[3]["error"].startswith("charged_fare above 10,000,000")
    assert out[1]["call_id"] == b"P2\xff"  # carried through untouched
