"""Where each CSV record starts and ends, and on which line: numpy on bytes.

The grammar is Arrow's and Python's ``csv`` (RFC 4180, leniently): a quote opens a quoted
value only at the start of a field, ``""`` inside it is a quote, and a quote in the middle
of an unquoted value is an ordinary character. A newline ends a record unless it is inside
quotes, so a record may run over several lines (a memo column). Finding the records before
Arrow parses them is what gives every row its ``source_line`` and lets one bad record
become one error row instead of stopping the run.

An unbalanced quote would swallow every following line into one value, up to the next
value's opening quote, which then closes it in the middle of that value (``"memo`` ->
``x"memo``). So a record that runs over several lines *and* has a quote closed in the
middle of a value, or whose quote is still open at the end of the file (or after
``MAX_RECORD_BYTES``), is cut after its first line and flagged; reading resumes on the
next line, so the records after it are still read. A multi-line record with the wrong
number of fields is not cut: it is as likely a good memo in a row with an unquoted comma.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

QUOTE, COMMA, NEWLINE, CR = 34, 44, 10, 13
# Bytes scanned at a time. A cut record costs a rescan of the window after it, so after a
# cut the next window is about twice what the last one gave (a file with many stray
# quotes is scanned in small windows), and it doubles back up to WINDOW_BYTES.
WINDOW_BYTES, MIN_WINDOW_BYTES = 1 << 20, 1 << 12
MAX_RECORD_BYTES = 1 << 20  # a quoted value still open after 1 MiB is an unbalanced quote

# Bytes a closing quote may stand before (with the end of the data), and bytes an opening
# quote may stand after (a field's start), as lookup tables.
ENDS_A_VALUE = np.zeros(256, dtype=bool)
ENDS_A_VALUE[[COMMA, NEWLINE, CR, QUOTE]] = True
ENDS_A_FIELD = np.zeros(256, dtype=bool)
ENDS_A_FIELD[[COMMA, NEWLINE, CR]] = True
MAX_REPAIRS = 16  # quotes decided one at a time per window before the Python loop

IntArray = npt.NDArray[np.int64]
Bytes = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class Records:
    """The records of a block of bytes that starts at a record boundary (they tile it).

    ``end`` is exclusive and excludes the record's newline; ``line`` is the 1-based line of
    the file where the record starts; ``unbalanced`` marks a record cut at a quote.
    """

    start: IntArray
    end: IntArray
    line: IntArray
    unbalanced: npt.NDArray[np.bool_]

    @classmethod
    def concat(cls, parts: list[Records]) -> Records:
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty, empty, np.zeros(0, dtype=bool))
        return cls(
            *(np.concatenate([getattr(part, name) for part in parts]) for name in cls.__slots__)
        )

    def shifted(self, offset: int) -> Records:
        return Records(self.start + offset, self.end + offset, self.line, self.unbalanced)

    def __len__(self) -> int:
        return len(self.start)


def split_records(buffer: Bytes, first_line: int, *, final: bool) -> tuple[Records, int, int]:
    """(records, bytes used, lines used) of ``buffer``; without ``final`` the incomplete
    record at its end is left for the next read."""
    parts: list[Records] = []
    position, line, size = 0, first_line, WINDOW_BYTES
    while position < len(buffer):
        found = _next_window(buffer, position, line, size, final)
        if found is None:
            break
        records, used = found
        parts.append(records.shifted(position))
        line += int(np.count_nonzero(buffer[position : position + used] == NEWLINE))
        position += used
        cut = bool(records.unbalanced[-1])
        size = max(MIN_WINDOW_BYTES, 2 * used) if cut else min(2 * size, WINDOW_BYTES)
    return Records.concat(parts), position, line - first_line


def _next_window(
    buffer: Bytes, position: int, line: int, size: int, final: bool
) -> tuple[Records, int] | None:
    """The records of the next window; a window without a whole record grows."""
    while True:
        end = min(position + size, len(buffer))
        at_end = final and end == len(buffer)
        found = _scan(buffer[position:end], line, at_end=at_end)
        if found is not None or end == len(buffer):
            return found
        size *= 2


def _scan(window: Bytes, line: int, *, at_end: bool) -> tuple[Records, int] | None:
    newlines = np.flatnonzero(window == NEWLINE)
    active = active_quotes(window)
    inside = np.searchsorted(active, newlines) % 2 == 1
    ends = newlines[~inside]
    still_open = len(active) % 2 == 1
    tail = len(window) - (int(ends[-1]) + 1 if len(ends) else 0)
    cut_open_tail = still_open and (at_end or tail > MAX_RECORD_BYTES)
    if tail and (at_end or cut_open_tail):
        ends = np.append(ends, len(window))
    if not len(ends):
        return None
    starts = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64)
    inner = np.bincount(np.searchsorted(ends, newlines[inside]), minlength=len(ends))
    odd = np.zeros(len(ends) + 1, dtype=bool)  # the last: quotes after the last end
    odd[np.searchsorted(ends, _closed_mid_value(window, active))] = True
    broken = (inner[: len(ends)] > 0) & odd[: len(ends)]
    if cut_open_tail:
        broken[-1] = True
    lines = line + np.searchsorted(newlines, starts)
    if not broken.any():
        used = min(int(ends[-1]) + 1, len(window))
        return Records(starts, ends, lines, broken), used
    first = int(np.argmax(broken))
    after = newlines[newlines >= starts[first]]
    cut = int(after[0]) if len(after) else int(ends[first])  # the end of its first line
    keep = slice(0, first + 1)
    ends = ends[keep].copy()
    ends[first] = cut
    return Records(starts[keep], ends, lines[keep], broken[keep]), min(cut + 1, len(window))


def _closed_mid_value(window: Bytes, active: IntArray) -> IntArray:
    """Closing quotes followed by more text (``"a"b``): legal for Arrow, but in a record
    over several lines the sign of a stray quote that swallowed lines up to another
    value's opening quote."""
    closing = active[1::2]
    after = window[np.minimum(closing + 1, len(window) - 1)]
    stray = (closing + 1 < len(window)) & ~ENDS_A_VALUE[after]
    return closing[stray]


def active_quotes(window: Bytes) -> IntArray:
    """Positions of the quotes that open or close a quoted value (an escaped ``""`` counts
    twice or not at all: either way the parity between newlines is right).

    Quotes alternate opening and closing as long as the file is RFC 4180; at the first
    quote that breaks that (``5"`` inside a value, ``"a"b``) the grammar decides that one
    quote, and alternation resumes after it. Past a few such quotes in one window the
    rest is decided quote by quote.
    """
    quotes = np.flatnonzero(window == QUOTE).astype(np.int64)
    parts: list[IntArray] = []
    quoted = False
    for _ in range(MAX_REPAIRS):
        bad = _first_break(window, quotes, quoted)
        if bad is None:
            return np.concatenate([*parts, quotes])
        quoted ^= bad % 2 == 1  # the state just before the breaking quote
        parts.append(quotes[:bad])
        position = int(quotes[bad])
        if quoted:  # a closing quote with text after it: closes, the rest is plain text
            parts.append(quotes[bad : bad + 1])
            separators = np.flatnonzero(ENDS_A_FIELD[window[position + 1 :]])
            resume = position + 1 + int(separators[0]) if len(separators) else len(window)
            quotes = quotes[np.searchsorted(quotes, resume) :]
            quoted = False
        else:  # a quote inside a plain value is text
            quotes = quotes[bad + 1 :]
    return np.concatenate([*parts, _active_quotes_one_by_one(window, quotes)])


def _first_break(window: Bytes, quotes: IntArray, quoted: bool) -> int | None:
    """The index of the first quote that does not alternate as RFC 4180 writes them: an
    opening one not at a field's start (nor right after a closing one: ``""``), a
    closing one before anything but a separator, a line end, a quote or the end."""
    if not len(quotes):
        return None
    opening = np.arange(len(quotes)) % 2 == (1 if quoted else 0)
    before = window[np.maximum(quotes - 1, 0)]
    paired = np.zeros(len(quotes), dtype=bool)
    paired[1:] = quotes[1:] - 1 == quotes[:-1]
    opens_well = (quotes == 0) | ENDS_A_FIELD[before] | paired
    after = window[np.minimum(quotes + 1, len(window) - 1)]
    closes_well = (quotes + 1 == len(window)) | ENDS_A_VALUE[after]
    broken = np.flatnonzero(np.where(opening, ~opens_well, ~closes_well))
    return int(broken[0]) if len(broken) else None


def _active_quotes_one_by_one(window: Bytes, quotes: IntArray) -> IntArray:
    """The grammar itself, quote by quote, from a point outside quotes (only windows
    with many stray quotes come here)."""
    data = window.tobytes()
    active: list[int] = []
    quoted = escaped = False
    for position in quotes.tolist():
        if escaped:
            escaped = False
        elif quoted:
            if position + 1 < len(data) and data[position + 1] == QUOTE:
                escaped = True
            else:
                quoted = False
                active.append(position)
        elif position == 0 or data[position - 1] in (COMMA, NEWLINE, CR):
            quoted = True
            active.append(position)
    return np.array(active, dtype=np.int64)
