"""Progress of a long run: a rich bar with rows/s and ETA on a terminal, else a plain
line every few seconds (logs of a cron job or a CI run stay readable)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

PLAIN_EVERY_S = 5.0


class BatchProgress:
    """``advance(rows, fraction_done)``: rows just written, share of the input read so far
    (None when unknown: then no ETA)."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.label = label
        self.rows = 0
        self._started = self._last_line = time.monotonic()
        self._bar: Progress | None = None
        if self.stream.isatty():
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[rows]:,} rows  {task.fields[rate]:,.0f} rows/s"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                transient=True,
            )
            self._task = self._bar.add_task(label, total=1.0, rows=0, rate=0.0)

    def __enter__(self) -> BatchProgress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
        self._line(final=True)

    def advance(self, rows: int, fraction_done: float | None) -> None:
        self.rows += rows
        if self._bar is not None:
            self._bar.update(
                self._task, completed=fraction_done or 0.0, rows=self.rows, rate=self.rate
            )
        elif time.monotonic() - self._last_line >= PLAIN_EVERY_S:
            self._line(fraction_done=fraction_done)

    @property
    def rate(self) -> float:
        """Rows per second since the start."""
        return self.rows / max(time.monotonic() - self._started, 1e-9)

    def _line(self, *, fraction_done: float | None = None, final: bool = False) -> None:
        self._last_line = time.monotonic()
        eta = _eta_s(fraction_done, self._last_line - self._started)
        tail = "done" if final else (f"ETA {eta:,.0f} s" if eta is not None else "ETA unknown")
        print(
            f"{self.label}: {self.rows:,} rows, {self.rate:,.0f} rows/s, {tail}",
            file=self.stream,
            flush=True,
        )


def _eta_s(fraction_done: float | None, elapsed_s: float) -> float | None:
    if not fraction_done:
        return None
    return elapsed_s * (1 - fraction_done) / fraction_done
