"""Record boundaries found with numpy are those of Python's csv module, line numbers included."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fare_service.batch import csv_records
from fare_service.batch.csv_records import Records, split_records
from fare_service.batch.reading import CsvBlock, parse_block

FIELD = st.text(alphabet='ab,"\n 한', max_size=8)


def _split(data: bytes, *, first_line: int = 1) -> Records:
    records, used, _ = split_records(np.frombuffer(data, dtype=np.uint8), first_line, final=True)
    assert used == len(data)
    return records


def _python_records(text: str) -> list[tuple[int, list[str]]]:
    """(line where the record starts, fields) as Python's csv module reads them."""
    reader = csv.reader(io.StringIO(text, newline=""))
    found, line = [], 1
    for fields in reader:
        if fields:
            found.append((line, fields))
        line = reader.line_num + 1
    return found


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(FIELD, min_size=3, max_size=3), min_size=1, max_size=12))
def test_well_formed_csv_splits_as_python_reads_it(rows: list[list[str]]) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    text = buffer.getvalue()
    data = text.encode()
    records = _split(data)
    keep = records.end > records.start
    expected = _python_records(text)
    assert records.line[keep].tolist() == [line for line, _ in expected]
    assert not records.unbalanced.any()
    texts = [
        data[s:e].decode() for s, e in zip(records.start[keep], records.end[keep], strict=True)
    ]
    assert [next(csv.reader([t])) for t in texts] == [fields for _, fields in expected]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(FIELD, min_size=3, max_size=3), min_size=1, max_size=12))
def test_small_windows_find_the_same_records(rows: list[list[str]]) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    data = buffer.getvalue().encode()
    whole = _split(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csv_records, "WINDOW_BYTES", 4)
        windowed = _split(data)
    for name in Records.__slots__:
        np.testing.assert_array_equal(getattr(windowed, name), getattr(whole, name))


def test_without_final_the_incomplete_record_waits() -> None:
    data = b'a,b\n"c\nd",e\n"f\n'
    records, used, lines = split_records(np.frombuffer(data, dtype=np.uint8), 1, final=False)
    assert used == data.index(b'"f')
    assert records.line.tolist() == [1, 2]
    assert lines == 3


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ('a,5" screen,c\n', [["a", '5" screen', "c"]]),  # a quote inside a value is text
        ('a,"q"r,c\n', [["a", "qr", "c"]]),  # after a closing quote: text again
        ('a,"x"",y",c\n', [["a", 'x",y', "c"]]),
        ('a, "b,c\n', [["a", ' "b', "c"]]),  # not at the field's start: text
    ],
)
def test_stray_quotes_follow_the_lenient_grammar(text: str, fields: list[list[str]]) -> None:
    """Python's csv module, our records and Arrow's parse of them all agree."""
    assert _python_records(text) == [(1, f) for f in fields]
    chunk = parse_block(CsvBlock(text.encode(), _split(text.encode()), ("a", "b", "c")))
    assert [list(row.values()) for row in chunk.table.to_pylist()] == fields


def test_an_unclosed_quote_is_cut_after_its_line_and_reading_resumes() -> None:
    data = b'1,2,3\n4,"open,6\n7,8,9\n10,11,12\n'
    records = _split(data)
    assert records.line.tolist() == [1, 2, 3, 4]
    assert records.unbalanced.tolist() == [False, True, False, False]


@pytest.mark.parametrize(
    "data",
    [
        b'1,2,3\n4,5,"never closed\n7,8,9\n10,11,"a memo"\n13,14,15\n',  # closes mid-value
        b'1,2,3\n4,"a,6\n7,8,9\n10,"b,c",12\n13,14,15\n',  # on the next value's quote
    ],
)
def test_a_quote_that_closes_lines_later_badly_is_unbalanced(data: bytes) -> None:
    records = _split(data)
    assert records.line.tolist() == [1, 2, 3, 4, 5]
    assert records.unbalanced.tolist() == [False, True, False, False, False]


def test_a_multi_line_value_is_one_record_whatever_its_fields() -> None:
    data = b'1,"memo\nsecond line, with a comma\n",3\n4,5,6\n1,2,"x\ny",4\n'
    records = _split(data)
    assert records.line.tolist() == [1, 4, 5]
    assert not records.unbalanced.any()


def test_a_quote_open_past_the_record_limit_is_unbalanced(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(csv_records, "MAX_RECORD_BYTES", 64)
    monkeypatch.setattr(csv_records, "WINDOW_BYTES", 32)
    data = b'1,"never closed,3\n' + b"4,5,6\n" * 40
    records, used, _ = split_records(np.frombuffer(data, dtype=np.uint8), 2, final=False)
    assert records.unbalanced.tolist()[0] and records.line.tolist()[:3] == [2, 3, 4]
    assert used > 0


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet='ab,"\n', max_size=40))
def test_any_text_splits_as_python_reads_it_unless_cut_at_a_quote(text: str) -> None:
    """Stray quotes anywhere: where no record is cut, the records are Python's."""
    records = _split(text.encode())
    if records.unbalanced.any():
        return
    keep = records.end > records.start
    data = text.encode()
    texts = [
        data[s:e].decode() for s, e in zip(records.start[keep], records.end[keep], strict=True)
    ]
    expected = _python_records(text)
    assert records.line[keep].tolist() == [line for line, _ in expected]
    assert [next(csv.reader([t])) for t in texts] == [fields for _, fields in expected]


def test_many_stray_quotes_in_one_window_are_decided_one_by_one() -> None:
    text = "".join(f'{i},5" screen,"ok"\n' for i in range(40))
    records = _split(text.encode())
    assert records.line.tolist() == list(range(1, 41))
    assert not records.unbalanced.any()
