"""The ``--report`` file: one self-contained HTML page (the histogram is an embedded PNG),
so it can be mailed or attached to a ticket without its folder."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
from jinja2 import Environment, FileSystemLoader, select_autoescape

from fare_service.batch.summary import Summary
from fare_service.money import format_won

TEMPLATE = "report.html.j2"


def render_report(summary: Summary, *, source: Path, output: Path) -> str:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent), autoescape=select_autoescape(["j2"])
    )
    return env.get_template(TEMPLATE).render(
        s=summary,
        source=source.name,
        output=output.name,
        histogram_png=histogram_png(summary),
        won=lambda amount: format_won(round(amount)),
    )


def write_report(path: Path, summary: Summary, *, source: Path, output: Path) -> None:
    path.write_text(render_report(summary, source=source, output=output), encoding="utf-8")


def histogram_png(summary: Summary) -> str | None:
    """Base64 PNG of the overcharges, weighted by their counts; None without charges."""
    if not summary.overcharge_counts:
        return None
    import matplotlib

    matplotlib.use("Agg")  # no display: this runs on servers
    from matplotlib.figure import Figure

    amounts = np.array(list(summary.overcharge_counts), dtype=np.int64)
    counts = np.array(list(summary.overcharge_counts.values()), dtype=np.int64)
    figure = Figure(figsize=(8, 3.5))
    axes = figure.subplots()
    axes.hist(amounts, bins=min(50, max(len(amounts), 1)), weights=counts, color="#3b6ea8")
    axes.axvline(0, color="#444", linewidth=1)
    axes.set_xlabel("charged - fare (won)")
    axes.set_ylabel("rides")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return base64.b64encode(buffer.getvalue()).decode("ascii")
