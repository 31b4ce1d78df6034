"""What a batch run found: rows, errors by reason (with the first rows that hit each), and
how far the charges were off.

Built chunk by chunk in memory that does not grow with the file: overcharges are kept as
counts per distinct amount (fares are whole steps of won, so there are few), which gives
the exact median, total and histogram; the 20 largest over- and undercharges are merged
chunk by chunk, and each error reason keeps its first few rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

LARGEST = 20
FIRST_ROWS_PER_REASON = 5


@dataclass(frozen=True)
class Overcharge:
    call_id: str
    source_line: int
    charged_fare: int
    fare: int
    overcharge: int  # won, charged - fare


@dataclass(frozen=True)
class ErrorRow:
    call_id: str  # empty when the record could not be read
    source_line: int
    error: str


@dataclass
class Summary:
    rows: int = 0
    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    first_errors: dict[str, list[ErrorRow]] = field(default_factory=dict)
    overcharge_counts: Counter[int] = field(default_factory=Counter)
    largest: list[Overcharge] = field(default_factory=list)  # overcharges, largest first
    smallest: list[Overcharge] = field(default_factory=list)  # undercharges, largest first
    replaced_columns: tuple[str, ...] = ()
    """Input columns named like a result column, whose values the output replaces."""

    @property
    def error_rows(self) -> int:
        return self.rows - self.ok

    @property
    def charged_rows(self) -> int:
        return sum(self.overcharge_counts.values())

    @property
    def total_overcharge_won(self) -> int:
        return sum(amount * count for amount, count in self.overcharge_counts.items())

    @property
    def median_overcharge_won(self) -> float | None:
        """The exact median of charged - fare over priced rows that had a charge."""
        if not self.overcharge_counts:
            return None
        amounts = np.array(sorted(self.overcharge_counts))
        cumulative = np.cumsum([self.overcharge_counts[a] for a in amounts])
        total = int(cumulative[-1])
        low = amounts[np.searchsorted(cumulative, (total + 1) // 2)]
        high = amounts[np.searchsorted(cumulative, total // 2 + 1)]
        return (int(low) + int(high)) / 2

    def add(self, table: pa.Table) -> None:
        """Count one priced chunk (the output columns, and call_id / charged_fare)."""
        self.rows += table.num_rows
        status = table.column("status")
        self.ok += pc.sum(pc.equal(status, "ok")).as_py() or 0
        self._add_errors(table)
        overcharge = table.column("overcharge")
        if overcharge.null_count < len(overcharge):
            self._add_overcharges(table, overcharge)

    def _add_errors(self, table: pa.Table) -> None:
        """Grouped by reason, the text before the offending value ("unknown tariff: 'x'")."""
        errors = table.column("error")
        if errors.null_count == len(errors):
            return
        reasons = pc.replace_substring_regex(errors, r":\s.*$", "", max_replacements=1)
        for pair in pc.value_counts(reasons.drop_null()).to_pylist():
            reason = pair["values"]
            self.errors[reason] += pair["counts"]
            first = self.first_errors.setdefault(reason, [])
            if len(first) < FIRST_ROWS_PER_REASON:
                first.extend(
                    _first_rows(table, reasons, reason, FIRST_ROWS_PER_REASON - len(first))
                )

    def _add_overcharges(self, table: pa.Table, overcharge: pa.ChunkedArray) -> None:
        """Counts per amount (hashed, not sorted), and the chunk's largest over- and
        undercharges looked up by row: only those rows' call_id and fare are read."""
        charged = np.flatnonzero(overcharge.is_valid().to_numpy(zero_copy_only=False))
        amounts = overcharge.drop_null().to_numpy()
        counts = pc.value_counts(pa.array(amounts))
        values, times = counts.field("values").to_pylist(), counts.field("counts").to_pylist()
        self.overcharge_counts.update(dict(zip(values, times, strict=True)))
        over = _largest_first(amounts, LARGEST)
        under = _largest_first(-amounts, LARGEST)
        self.largest = _merged(self.largest, table, charged, over[amounts[over] > 0], -1)
        self.smallest = _merged(self.smallest, table, charged, under[amounts[under] < 0], 1)


def _merged(
    kept: list[Overcharge], table: pa.Table, charged: np.ndarray, top: np.ndarray, sign: int
) -> list[Overcharge]:
    """The LARGEST of ``kept`` and the chunk's ``top`` rows; ties keep file order."""
    rows = pa.array(charged[top])
    found = [
        Overcharge(str(call_id), line, amount + fare, fare, amount)
        for call_id, line, fare, amount in zip(
            table.column("call_id").take(rows).to_pylist(),
            table.column("source_line").take(rows).to_pylist(),
            table.column("fare").take(rows).to_pylist(),
            table.column("overcharge").take(rows).to_pylist(),
            strict=True,
        )
    ]
    return sorted([*kept, *found], key=lambda o: (sign * o.overcharge, o.source_line))[:LARGEST]


def _first_rows(
    table: pa.Table, reasons: pa.ChunkedArray, reason: str, count: int
) -> list[ErrorRow]:
    hits = np.flatnonzero(pc.fill_null(pc.equal(reasons, reason), False).to_numpy())[:count]
    rows = pa.array(hits)
    call_ids = table.column("call_id").take(rows).to_pylist()
    return [
        ErrorRow("" if call_id is None else str(call_id), line, error)
        for call_id, line, error in zip(
            call_ids,
            table.column("source_line").take(rows).to_pylist(),
            table.column("error").take(rows).to_pylist(),
            strict=True,
        )
    ]


def _largest_first(amounts: np.ndarray, count: int) -> np.ndarray:
    """Indices of the ``count`` largest amounts, equal amounts in row order.

    The same as a stable argsort of the whole chunk cut to ``count``, but only the rows at
    or above the ``count``-th largest amount are sorted.
    """
    if len(amounts) > count:
        threshold = np.partition(amounts, len(amounts) - count)[len(amounts) - count]
        candidates = np.flatnonzero(amounts >= threshold)
    else:
        candidates = np.arange(len(amounts))
    return candidates[np.argsort(-amounts[candidates], kind="stable")][:count]
