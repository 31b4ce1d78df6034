"""What the command leaves behind: a CSV Excel reads, a report the analysts read, exit
codes with one line of cause, and nothing at all when it fails or is stopped."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from batch_testing import ROOT, SETTINGS, make_row, write

from fare_service.batch.command import Outputs, run_batch
from fare_service.batch.errors import BatchFileError

FARE_5KM = 4800 + (5000 - 1600) // 131 * 100  # 2023 Seoul taxi, 5,000 m in 600 s


def cli(*args: object, timeout_s: float = 120) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "fare_service.cli", "batch", *map(str, args)]
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=timeout_s, check=False
    )


@pytest.mark.parametrize(("bom", "starts"), [(True, b"\xef\xbb\xbf"), (False, b'"call_id"')])
def test_csv_output_starts_with_a_bom_unless_asked_not_to(
    tmp_path: Path, bom: bool, starts: bytes
) -> None:
    source = write(tmp_path / "in.csv", [{**make_row(), "메모": "고객 요청"}])
    run_batch(source, Outputs(tmp_path / "out.csv", csv_bom=bom), SETTINGS)
    data = (tmp_path / "out.csv").read_bytes()
    assert data.startswith(starts)
    back = pd.read_csv(tmp_path / "out.csv", encoding="utf-8-sig", dtype="str")
    assert list(back.columns)[11:13] == ["메모", "source_line"]
    assert back.loc[0, "메모"] == "고객 요청"


def test_the_cli_flag_turns_the_bom_off(tmp_path: Path) -> None:
    source = write(tmp_path / "in.csv", [make_row()])
    assert cli(source, "--out", tmp_path / "a.csv").returncode == 0
    assert cli(source, "--out", tmp_path / "b.csv", "--no-csv-bom").returncode == 0
    assert (tmp_path / "a.csv").read_bytes()[3:] == (tmp_path / "b.csv").read_bytes()


def _disputes(tmp_path: Path) -> Path:
    """25 overcharges (+100 .. +2,500 won), 22 undercharges, 3 nothing charged, 3 errors."""
    rows = [make_row(call_id=f"O{i}", charged_fare=FARE_5KM + 100 * i) for i in range(1, 26)]
    rows += [make_row(call_id=f"U{i}", charged_fare=FARE_5KM - 100 * i) for i in range(1, 23)]
    rows += [make_row(call_id=f"N{i}", charged_fare="") for i in range(3)]
    rows += [make_row(call_id=f"E{i}", at="yesterday") for i in range(3)]
    return write(tmp_path / "in.csv", rows)


def test_the_report_in_korean_names_the_rows_behind_each_figure(tmp_path: Path) -> None:
    source = _disputes(tmp_path)
    report = tmp_path / "report.html"
    summary = run_batch(source, Outputs(tmp_path / "out.csv", report), SETTINGS)
    html = report.read_text(encoding="utf-8")
    assert '<html lang="ko">' in html and "요금 재계산 보고서" in html
    total = sum(100 * i for i in range(1, 26)) - sum(100 * i for i in range(1, 23))
    assert summary.total_overcharge_won == total
    assert f"{total:,}원" in html
    # the 20 largest over- and undercharges, largest first, by call_id and line
    assert [o.call_id for o in summary.largest] == [f"O{i}" for i in range(25, 5, -1)]
    assert [o.call_id for o in summary.smallest] == [f"U{i}" for i in range(22, 2, -1)]
    assert "초과 청구가 큰 순 20건" in html and "과소 청구가 큰 순 20건" in html
    assert html.index(">O25<") < html.index(">O6<") and ">O5<" not in html
    assert f"{-2200:,}원" in html  # U22's difference
    # every error reason, with its first rows
    assert "unparsable time" in html
    assert [(e.call_id, e.source_line) for e in summary.first_errors["unparsable time"]] == [
        ("E0", 52),
        ("E1", 53),
        ("E2", 54),
    ]
    assert "E0 (줄 52)" in html
    # the histogram's axis is in won; nothing is fetched from anywhere
    ticks = re.findall(r'text-anchor="middle">([^<]+)</text>', html)
    assert ticks and all(re.fullmatch(r"-?\d{1,3}(,\d{3})*원", t) for t in ticks)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)


def test_the_report_in_english(tmp_path: Path) -> None:
    source = _disputes(tmp_path)
    report = tmp_path / "report.html"
    run_batch(source, Outputs(tmp_path / "out.csv", report, report_lang="en"), SETTINGS)
    html = report.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "The 20 largest undercharges" in html
    assert "E0 (line 52)" in html


@pytest.mark.parametrize("report_name", ["in.csv", "./in.csv", "out.csv"])
def test_the_report_never_overwrites_the_input_or_the_output(
    tmp_path: Path, report_name: str
) -> None:
    source = write(tmp_path / "in.csv", [make_row()])
    (tmp_path / "out.csv").write_text("the user's earlier output")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    done = cli(source, "--out", tmp_path / "out.csv", "--report", tmp_path / report_name)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "would overwrite" in done.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_report_that_cannot_be_written_leaves_no_output(tmp_path: Path) -> None:
    source = write(tmp_path / "in.csv", [make_row()])
    with pytest.raises(BatchFileError, match="cannot write"):
        run_batch(source, Outputs(tmp_path / "o.csv", tmp_path / "nowhere" / "r.html"), SETTINGS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


@pytest.mark.parametrize(
    ("name", "content", "out_name", "cause"),
    [
        ("in.csv", b"call_id,\xff\xfe\n1,2\n", "o.csv", "header line is not UTF-8"),
        ("in.parquet", b"PAR1 not really parquet", "o.csv", "cannot read"),
        ("in.csv", b"call_id\nC1\n", "no-dir/o.csv", "cannot write"),
        ("in.csv", b"call_id\nC1\n", "o.txt", "unknown file type"),
        ("in.csv", b"at\n2024-05-08\n", "o.csv", "call_id is required"),
    ],
)
def test_file_failures_exit_2_with_one_line_and_no_file(
    tmp_path: Path, name: str, content: bytes, out_name: str, cause: str
) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    done = cli(source, "--out", tmp_path / out_name)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1
    assert cause in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def _big_csv(path: Path, rows: int) -> Path:
    frame = pd.DataFrame([make_row(call_id=f"C{i}") for i in range(1000)] * (rows // 1000))
    frame.to_csv(path, index=False)
    return path


# A test run in the background inherits SIGINT ignored (and Python then keeps it so);
# the command's user at a terminal does not: give the child Python's own handler back.
CLI_WITH_SIGINT = (
    "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from fare_service.cli import main; sys.exit(main(sys.argv[1:]))"
)


@pytest.mark.parametrize(("sent", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_stopped_run_removes_its_temporary_file(tmp_path: Path, sent: int, code: int) -> None:
    source = _big_csv(tmp_path / "in.csv", 200_000)
    command = [sys.executable, "-c", CLI_WITH_SIGINT, "batch", str(source)]
    command += ["--out", str(tmp_path / "out.parquet"), "--chunk-rows", "500"]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".out.parquet.*.partial")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(tmp_path.glob(".out.parquet.*.partial")), "the run never started writing"
    process.send_signal(sent)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code
    assert "Traceback" not in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_a_run_removes_stale_partials_of_its_output_only(tmp_path: Path) -> None:
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = tmp_path / f".out.parquet.{int(ended.stdout)}.partial"
    live = tmp_path / f".out.parquet.{os.getppid()}.partial"
    stale.write_bytes(b"x" * 1000)
    live.write_bytes(b"x" * 1000)
    source = write(tmp_path / "in.csv", [make_row()])
    run_batch(source, tmp_path / "out.parquet", SETTINGS)
    assert not stale.exists() and live.exists()
    assert pq.read_table(tmp_path / "out.parquet").num_rows == 1
