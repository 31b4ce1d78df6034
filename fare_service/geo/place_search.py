"""Korean place names -> ranked matches, in microseconds: exact, stem, prefix, then partial.

Pure and in memory. A query's last word is the place ("역삼동"); earlier words qualify it
by its parents ("강남구 역삼동", "서울 역삼동", "경기도 성남시 분당구 정자동"). The stem is the
name without its administrative suffix, which is how people say it: "역삼" for 역삼동,
"서울" for 서울특별시, "성수" for 성수동1가. Partial matches use a bigram index, so no
query scans all names.

For the same text a 동 (or 시도, 시군구) comes before a 읍, 면 or 리: an agent in the city
who types "성수" means 성동구 성수동, not 진안군 성수면. Within that, the caller's
``closeness`` orders places (by distance from the call's origin, or the capital region
first), and a shorter name, then the code, breaks ties.
"""

from __future__ import annotations

import heapq
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum


class Match(IntEnum):
    """How a name matched, best first; the ranking key of a search."""

    EXACT = 0
    STEM = 1
    PREFIX = 2
    PARTIAL = 3


@dataclass(frozen=True)
class Entry:
    """What the index knows of one place.

    ``keys`` are the names it answers to (``"분당구"``, ``"성남시분당구"``), ``stems`` the
    spoken short forms (``"분당"``), ``parents`` its ancestors' names without spaces.
    ``rural`` marks a 읍, 면 or 리, ranked after a 동 or a 시군구 of the same text.
    """

    keys: tuple[str, ...]
    stems: tuple[str, ...]
    parents: str
    rank: tuple  # the last tie-break: (len(name), level order, code)
    rural: bool = False


class NameIndex:
    def __init__(self, entries: Sequence[Entry]) -> None:
        self._entries = entries
        self._exact = _map_keys((key, i) for i, e in enumerate(entries) for key in e.keys)
        self._stem = _map_keys((stem, i) for i, e in enumerate(entries) for stem in e.stems)
        self._sorted = sorted((key, i) for i, e in enumerate(entries) for key in e.keys)
        self._ngrams = _map_keys(
            (gram, i) for i, e in enumerate(entries) for key in e.keys for gram in _indexed(key)
        )

    def matches(self, query: str) -> dict[int, Match]:
        """Entry index -> best match kind, for every entry the query names."""
        words = unicodedata.normalize("NFC", query).split()
        if not words:
            return {}
        name, qualifiers = words[-1], words[:-1]
        found: dict[int, Match] = {}
        for kind, ids in (
            (Match.PARTIAL, self._partial(name)),
            (Match.PREFIX, self._prefix(name)),
            (Match.STEM, self._stem.get(name, ())),
            (Match.EXACT, self._exact.get(name, ())),
        ):
            found.update(dict.fromkeys(ids, kind))  # better kinds written last, so they win
        return {i: kind for i, kind in found.items() if self._qualified(i, qualifiers)}

    def ranked(
        self, query: str, limit: int, closeness: Callable[[int], float] | None = None
    ) -> list[tuple[Match, int]]:
        """The ``limit`` best ``(kind, entry index)`` pairs: by kind, a 동 before a 면,
        then ``closeness(entry index)`` (smaller first), then the shorter name."""
        found = self.matches(query)
        entries = self._entries
        close = closeness or (lambda i: 0.0)

        def key(pair: tuple[Match, int]) -> tuple[Match, bool, float, tuple]:
            entry = entries[pair[1]]
            return pair[0], entry.rural, close(pair[1]), entry.rank

        return heapq.nsmallest(limit, ((kind, i) for i, kind in found.items()), key=key)

    def _qualified(self, i: int, qualifiers: Sequence[str]) -> bool:
        parents = self._entries[i].parents
        return all(word in parents for word in qualifiers)

    def _prefix(self, name: str) -> Iterable[int]:
        start = bisect_left(self._sorted, (name, -1))
        for key, i in self._sorted[start:]:
            if not key.startswith(name):
                return
            yield i

    def _partial(self, name: str) -> Iterable[int]:
        grams = _ngrams(name) or set(name)
        sets = sorted((self._ngrams.get(gram, ()) for gram in grams), key=len)
        candidates = set(sets[0]).intersection(*sets[1:]) if sets else set()
        keys = self._entries
        return [i for i in candidates if any(name in key for key in keys[i].keys)]


def _ngrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _indexed(key: str) -> set[str]:
    """Bigrams for partial queries, single characters for one-character queries."""
    return _ngrams(key) | set(key)


def _map_keys(pairs: Iterable[tuple[str, int]]) -> dict[str, tuple[int, ...]]:
    grouped: defaultdict[str, dict[int, None]] = defaultdict(dict)
    for key, i in pairs:
        grouped[key][i] = None  # a dict keeps the first-seen order without duplicates
    return {key: tuple(ids) for key, ids in grouped.items()}
