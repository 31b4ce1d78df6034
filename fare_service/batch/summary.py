"""What a batch run found: rows, errors by reason, and how far the charges were off.

Built chunk by chunk in memory that does not grow with the file: overcharges are kept as
counts per distinct amount (fares are whole steps of won, so there are few), which gives
the exact median, total and histogram; the largest ten are merged chunk by chunk.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

LARGEST = 10


@dataclass(frozen=True)
class Overcharge:
    call_id: str
    charged_fare: int
    fare: int
    overcharge: int  # won, charged - fare


@dataclass
class Summary:
    rows: int = 0
    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    overcharge_counts: Counter[int] = field(default_factory=Counter)
    largest: list[Overcharge] = field(default_factory=list)

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
        self._add_errors(table.column("error"))
        overcharge = table.column("overcharge")
        if overcharge.null_count < len(overcharge):
            self._add_overcharges(table, overcharge)

    def _add_errors(self, errors: pa.ChunkedArray) -> None:
        """Grouped by reason, the text before the offending value ("unknown tariff: 'x'")."""
        reasons = pc.replace_substring_regex(errors.drop_null(), r":\s.*$", "", max_replacements=1)
        for pair in pc.value_counts(reasons).to_pylist():
            self.errors[pair["values"]] += pair["counts"]

    def _add_overcharges(self, table: pa.Table, overcharge: pa.ChunkedArray) -> None:
        """Counts per amount (hashed, not sorted), and the chunk's largest ten looked up by
        row: only those ten rows' call_id and fare are read, nothing is filtered."""
        charged = np.flatnonzero(overcharge.is_valid().to_numpy(zero_copy_only=False))
        amounts = overcharge.drop_null().to_numpy()
        counts = pc.value_counts(pa.array(amounts))
        values, times = counts.field("values").to_pylist(), counts.field("counts").to_pylist()
        self.overcharge_counts.update(dict(zip(values, times, strict=True)))
        top = _largest_first(amounts, LARGEST)
        top = top[amounts[top] > 0]  # the largest *over*charges; refunds are not listed
        rows = pa.array(charged[top])
        call_ids = table.column("call_id").take(rows).to_pylist()
        fares = table.column("fare").take(rows).to_pylist()
        for amount, call_id, fare in zip(amounts[top].tolist(), call_ids, fares, strict=True):
            self.largest.append(Overcharge(str(call_id), amount + fare, fare, amount))
        self.largest = sorted(self.largest, key=lambda o: -o.overcharge)[:LARGEST]


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
