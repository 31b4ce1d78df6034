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
