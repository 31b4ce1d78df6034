"""The batch report as an analyst opens it: every label of the histogram on the page."""

from __future__ import annotations

from pathlib import Path

from fare_service.batch.command import Outputs, run_batch
from fare_service.batch.frame import BatchSettings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = BatchSettings(tariff_dir=ROOT / "tariffs", default_tariff="daeri-standard")
HEADER = "call_id,at,origin_lat,origin_lon,destination_lat,destination_lon,charged_fare"
RIDE = "2026-11-18T23:10,37.5008,127.0365,37.3595,127.1052"  # 역삼역 -> 정자동: 38,000


def test_every_label_of_the_histogram_is_inside_its_picture(tmp_path: Path, page) -> None:  # type: ignore[no-untyped-def]
    """Charges from 8,000 under to 2,000 over the fare: the axis's last label ("2,000원")
    is centred on the axis's end, and must not be cut off there."""
    source = tmp_path / "disputes.csv"
    rows = [f"D{i},{RIDE},{fare}" for i, fare in enumerate((30_000, 38_000, 40_000))]
    source.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    report = tmp_path / "report.html"
    run_batch(source, Outputs(tmp_path / "out.csv", report), SETTINGS)
    page.goto(report.as_uri())
    picture = page.locator("svg").bounding_box()
    ticks = page.locator('svg text[text-anchor="middle"]')  # the won axis's labels
    assert picture is not None and ticks.count() >= 5
    assert ticks.last.text_content() == "2,000원"
    for label in page.locator("svg text").all():
        box = label.bounding_box()
        assert box is not None
        assert (
            picture["x"] <= box["x"] and box["x"] + box["width"] <= picture["x"] + picture["width"]
        )
