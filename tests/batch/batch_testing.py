"""Small keyword-only factories for batch rows and a runner with the shipped tariffs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fare_service.batch.command import run_batch
from fare_service.batch.frame import BatchSettings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = BatchSettings(tariff_dir=ROOT / "tariffs", default_tariff="daeri-standard")
CITY_HALL = (37.5665, 126.9780)  # 서울시청
GANGNAM = (37.4979, 127.0276)  # 강남역


def make_row(**overrides: object) -> dict[str, object]:
    """A good row: Seoul taxi, noon on a weekday, recorded 5,000 m in 600 s."""
    row: dict[str, object] = {
        "call_id": "C1",
        "at": "2024-05-08T12:00:00",
        "tariff_id": "seoul-taxi",
        "origin_lat": CITY_HALL[0],
        "origin_lon": CITY_HALL[1],
        "destination_lat": GANGNAM[0],
        "destination_lon": GANGNAM[1],
        "waypoints": "",
        "distance_m": 5000,
        "duration_s": 600,
        "charged_fare": 8000,
    }
    row.update(overrides)
    return row


def write(path: Path, rows: list[dict[str, object]]) -> Path:
    frame = pd.DataFrame(rows).astype("str")
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return path


def read(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype="str", keep_default_na=False)
    return pd.read_parquet(path)


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    def run_rows(rows: list[dict[str, object]], suffix: str = ".csv", **options: object):  # type: ignore[no-untyped-def]
        source = write(tmp_path / f"in{suffix}", rows)
        target = tmp_path / f"out{suffix}"
        summary = run_batch(source, target, SETTINGS, **options)  # type: ignore[arg-type]
        return read(target), summary

    return run_rows


MESSY_HEADER = [*make_row(), "memo"]


def csv_line(row: dict[str, object]) -> bytes:
    """One CSV record, each value quoted only where it needs it."""
    cells = []
    for value in row.values():
        text = str(value)
        if any(c in text for c in ',"\n'):
            text = '"' + text.replace('"', '""') + '"'
        cells.append(text)
    return ",".join(cells).encode()


def messy_csv(path: Path, records: int, *, seed: int = 18) -> tuple[list[str], list[int]]:
    """A spreadsheet export of ``records`` records, every kind of trouble included: memos
    over several lines (one row in three), short rows, unquoted waypoints, bytes that are
    not UTF-8, values out of range, money with commas and 원, and an unclosed quote at
    the end. Returns each record's kind and the line where it starts."""
    import numpy as np

    rng = np.random.default_rng(seed)
    kinds = rng.choice(list(MESSY_KINDS), size=records, p=list(MESSY_KINDS.values())).tolist()
    kinds[-1] = "unclosed quote"
    chunks, lines, line = [",".join(MESSY_HEADER).encode()], [], 2
    for i, kind in enumerate(kinds):
        memo = f"memo {i}\nsecond line, 고객 요청\nthird" if i % 3 == 0 else f"memo {i}"
        row = {**make_row(call_id=f"C{i}", distance_m=1000 + (i % 400) * 50), "memo": memo}
        record = _messy_record(kind, row)
        chunks.append(record)
        lines.append(line)
        line += 1 + record.count(b"\n")
    path.write_bytes(b"\n".join(chunks) + b"\n")
    return kinds, lines


MESSY_KINDS = {
    "good": 0.80,
    "money with commas": 0.04,
    "short row": 0.03,
    "unquoted waypoints": 0.03,
    "bad byte in memo": 0.03,
    "bad byte in call_id": 0.02,
    "huge charge": 0.02,
    "huge distance": 0.02,
    "stray quote": 0.01,
}
READABLE_CALL_ID = {"good", "money with commas", "bad byte in memo", "huge charge", "huge distance"}


def _messy_record(kind: str, row: dict[str, object]) -> bytes:
    if kind == "money with commas":
        row["charged_fare"] = "45,000원"
    elif kind == "huge charge":
        row["charged_fare"] = "1e308"
    elif kind == "huge distance":
        row["distance_m"] = str(2**64 + 1)
    record = csv_line(row)
    if kind == "short row":
        return record.split(b",2024")[0] + b",2024-05-08T12:00:00"
    if kind == "unquoted waypoints":
        return record.replace(b",,", b",37.55,127.0,", 1)
    if kind == "bad byte in memo":
        return record.replace(b"memo ", b"memo \xff", 1)
    if kind == "bad byte in call_id":
        return b"C\xfe" + record[1:]
    if kind in ("stray quote", "unclosed quote"):
        return csv_line({**row, "memo": "x"})[:-1] + b'"stray'
    return record
