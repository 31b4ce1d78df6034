"""Many routes at once: N routes as flat arrays in, fares or per-route errors out.

The batch command prices its chunks (200,000 rows) with :func:`price_table`. Everything
is vectorized: the embedded router runs once over every leg that needs routing, the 시도
lookup once over every stop, and the engine once per (tariff, version) group. A bad
route becomes an error string for that route only; it never raises and never stops the
others. A single quote takes the engine's one-route path through ``service.quoting``;
``tests/test_entrances.py`` holds the two roads to the same fares and errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fare_service import clock
from fare_service.geo.embedded import EmbeddedRouter
from fare_service.geo.places import PlaceIndex
from fare_service.pricing.engine import price_routes
from fare_service.pricing.routes import (
    MAX_QUANTITY,
    OUT_OF_RANGE,
    TOO_LONG,
    PricedRoute,
    PricedRoutes,
    Routes,
)
from fare_service.tariff import Tariff, TariffVersion
from fare_service.tariff_book import TariffBook

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
ObjectArray = npt.NDArray[np.object_]


@dataclass(frozen=True)
class Labels:
    """Per route a code into ``names`` (-1 = None): text of few distinct values, as Arrow
    dictionary-encodes it, without a Python string per route to make and hash."""

    codes: IntArray
    names: list[str | None]


@dataclass(frozen=True)
class RouteTable:
    """N routes, their S stops and L legs, flat.

    Per route: ``tariff_id`` (str or None = the default; or as Labels), ``start``
    datetime64[s] Seoul wall time, ``waypoints`` int64 (the waypoint fee's count),
    ``waiting_s`` float64, and ``error`` (None, or why the route was refused before
    pricing; it is passed through).
    Per stop, route by route (``stop_route`` ascending), each route's origin, waypoints
    and destination in order: ``stop_route`` int64, ``stop_lat``/``stop_lon`` degrees;
    every stop counts for the out-of-area surcharge. Per leg: ``leg_from``/``leg_to``
    int64 indices into the stops, and the known ``leg_distance_m``/``leg_duration_s``
    (NaN = route it between those two stops with the embedded router).
    """

    tariff_id: ObjectArray | Labels
    start: np.ndarray
    waypoints: IntArray
    waiting_s: FloatArray
    error: ObjectArray
    stop_route: IntArray
    stop_lat: FloatArray
    stop_lon: FloatArray
    leg_from: IntArray
    leg_to: IntArray
    leg_distance_m: FloatArray
    leg_duration_s: FloatArray

    @property
    def n(self) -> int:
        return len(self.start)

    @property
    def leg_route(self) -> IntArray:
        return self.stop_route[self.leg_from]


@dataclass(frozen=True)
class PricedGroup:
    """The routes (``rows``, indices into the table) priced with one tariff version."""

    tariff: Tariff
    version: TariffVersion
    priced: PricedRoutes
    rows: IntArray


@dataclass(frozen=True)
class TableResult:
    """Per route: ``error`` (None when priced) or the fare and what priced it.

    ``fare``, ``distance_m``, ``duration_s`` int64 (0 on error rows); ``fare_low`` and
    ``fare_high`` only with ``with_range``; ``tariff_version`` str or None; ``group`` and
    ``group_row`` locate the route's line items in ``groups`` (-1 on error rows).
    """

    error: ObjectArray
    tariff_id: ObjectArray
    fare: IntArray
    distance_m: IntArray
    duration_s: IntArray
    group: IntArray
    group_row: IntArray
    groups: tuple[PricedGroup, ...]
    fare_low: IntArray | None = None
    fare_high: IntArray | None = None

    @property
    def ok(self) -> npt.NDArray[np.bool_]:
        return self.group >= 0

    @property
    def tariff_version(self) -> ObjectArray:
        """Per route the version that priced it, None on error rows (from its group)."""
        labels = np.array([g.version.version for g in self.groups] + [None], dtype=object)
        return labels[self.group]  # -1 picks the None

    def priced(self, i: int) -> tuple[Tariff, TariffVersion, PricedRoute]:
        """Route ``i``'s tariff, version and line items; only when ok."""
        group = self.groups[int(self.group[i])]
        return group.tariff, group.version, group.priced.row(int(self.group_row[i]))


def price_table(
    table: RouteTable,
    book: TariffBook,
    router: EmbeddedRouter,
    places: PlaceIndex,
    default_tariff: str | None = None,
    *,
    with_range: bool = False,
) -> TableResult:
    """Price every route of ``table``; ``default_tariff`` replaces the book's default for
    routes without a tariff id. ``with_range`` also prices the router's low/high band."""
    error = Reasons(table.error.copy())
    ids, codes, unique_ids = _tariff_ids(table.tariff_id, default_tariff or book.default_id)
    tariffs = _tariffs(codes, unique_ids, book, error)
    versions = _versions(table.start, codes, tariffs, error)
    _flag_unusable(table, error)
    _flag_abroad(table, places, error)
    alive = error.clean
    key = np.where(alive, codes * _PER_TARIFF + versions, -1)
    leg_route = table.leg_route
    variants = _leg_variants(table, router, leg_route, alive[leg_route], with_range)
    key = _flag_too_long(variants, leg_route, key, error)
    members = _Members.of(table, key, leg_route)
    priced = _price_groups(table, key, tariffs, variants, members, places)
    return TableResult(error=error.reason, tariff_id=ids, **priced)


def _tariff_ids(
    raw: ObjectArray | Labels, default_id: str
) -> tuple[ObjectArray, IntArray, list[str]]:
    """Per route its tariff id (``default_id`` where None or blank), and the same as codes
    into the distinct ids: hashing each object once, not comparing it three times."""
    if isinstance(raw, Labels):
        raw_codes, raw_ids = raw.codes, raw.names
    else:
        raw_codes, raw_ids = _factorize(raw)
    names = [str(name) if name else default_id for name in raw_ids] + [default_id]
    position = {name: i for i, name in enumerate(dict.fromkeys(names))}
    unique_ids = list(position)
    remap = np.array([position[name] for name in names], dtype=np.int64)
    codes = remap[raw_codes]  # -1 picks the last: the default
    return np.array(unique_ids, dtype=object)[codes], codes, unique_ids


def _factorize(values: ObjectArray) -> tuple[IntArray, list[str | None]]:
    """Codes into the distinct values, in order of appearance (a dict hashes each once)."""
    position: dict[object, int] = {}
    codes = np.fromiter(
        (position.setdefault(value, len(position)) for value in values.tolist()),
        dtype=np.int64,
        count=len(values),
    )
    return codes, list(position)  # type: ignore[arg-type]


class Reasons:
    """Why each route is refused (None while it is not); the first reason found wins.

    ``clean`` mirrors ``reason is None`` as a bool mask: comparing 200,000 objects with
    None costs ~2 ms, and a chunk checks a dozen reasons.
    """

    def __init__(self, reason: ObjectArray, clean: npt.NDArray[np.bool_] | None = None) -> None:
        self.reason = reason
        self.clean = np.equal(reason, None) if clean is None else clean  # type: ignore[call-overload]

    @classmethod
    def none(cls, n: int) -> Reasons:
        return cls(np.full(n, None, dtype=object), np.ones(n, dtype=bool))

    def new(self, mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        """The routes of ``mask`` without a reason yet, now marked as having one."""
        fresh = mask & self.clean
        self.clean &= ~fresh
        return fresh

    def flag(self, mask: npt.NDArray[np.bool_], message: object) -> None:
        """Set ``message`` (one, or one per route) where ``mask`` holds and none was set."""
        fresh = self.new(mask)
        self.reason[fresh] = (
            message if np.isscalar(message) else np.asarray(message, dtype=object)[fresh]
        )


def _flag(error: Reasons, mask: npt.NDArray[np.bool_], message: object) -> None:
    error.flag(mask, message)


def _tariffs(
    codes: IntArray, unique_ids: list[str], book: TariffBook, error: Reasons
) -> list[Tariff | None]:
    """The tariff of each distinct id (None = unknown id, flagged on its routes: one pass
    over the routes however many distinct unknown ids there are)."""
    tariffs = [book.tariffs.get(tariff_id) for tariff_id in unique_ids]
    unknown = np.array([tariff is None for tariff in tariffs])
    if unknown.any():
        messages = np.array([f"unknown tariff: {tariff_id!r}" for tariff_id in unique_ids])
        _flag(error, unknown[codes], messages.astype(object)[codes])
    return tariffs


def _versions(
    start: np.ndarray, codes: IntArray, tariffs: list[Tariff | None], error: Reasons
) -> IntArray:
    """Per route the index of the version in force at its start (-1 when none)."""
    version = np.full(len(start), -1, dtype=np.int64)
    _flag(error, np.isnat(start), "missing time")
    _flag(
        error, clock.out_of_range(start), f"time {clock.OUT_OF_RANGE}"
    )  # names the field, as others
    for k, tariff in enumerate(tariffs):
        if tariff is None:
            continue
        rows = np.flatnonzero(codes == k)
        version[rows] = tariff.versions_at(start[rows])
        none_in_force = np.zeros(len(start), dtype=bool)
        none_in_force[rows[version[rows] < 0]] = True
        _flag(error, none_in_force, f"no tariff version in force: {tariff.id!r} at that time")
    return version


ABROAD = "coordinates outside South Korea"
_PER_TARIFF = 10_000  # group key = tariff index x 10,000 + version index


def _flag_unusable(table: RouteTable, error: Reasons) -> None:
    """What would make the engine raise: bad coordinates, legs out of range, no legs."""
    n = table.n
    lat, lon = table.stop_lat, table.stop_lon
    bad_stop = ~((np.abs(lat) <= 90) & (np.abs(lon) <= 180))  # NaN fails the comparison
    _flag(error, _any_per_route(table.stop_route[bad_stop], n), "invalid coordinates")
    legs = np.stack([table.leg_distance_m, table.leg_duration_s])
    bad_leg = (~np.isnan(legs) & ~((legs >= 0) & (legs <= MAX_QUANTITY))).any(axis=0)
    _flag(error, _any_per_route(table.leg_route[bad_leg], n), f"leg {OUT_OF_RANGE}")
    _flag(error, ~_any_per_route(table.leg_route, n), "no legs: a route needs two stops")
    waiting, waypoints = table.waiting_s, table.waypoints
    bad_extra = ~((waiting >= 0) & (waiting <= MAX_QUANTITY))
    bad_extra |= (waypoints < 0) | (waypoints > MAX_QUANTITY)
    _flag(error, bad_extra, f"waiting_s or waypoints {OUT_OF_RANGE}")


def _flag_abroad(table: RouteTable, places: PlaceIndex, error: Reasons) -> None:
    """A stop more than ~5 km off Korean land: refused, as a single quote refuses it,
    rather than priced as a straight line to wherever the coordinates point. The reason
    names the route's first such stop and its coordinates, as a single quote's error does:
    ``coordinates outside South Korea: destination: (35.6812, 139.7671)``."""
    abroad = np.flatnonzero(~places.in_korea(table.stop_lat, table.stop_lon))  # NaN too
    if not abroad.size:
        return
    route, first_abroad = np.unique(table.stop_route[abroad], return_index=True)
    stop = abroad[first_abroad]  # the first of its route's: stops are in route order
    fresh = error.new(_any_per_route(route, table.n))[route]
    route, stop = route[fresh], stop[fresh]
    first = np.searchsorted(table.stop_route, route, side="left")
    last = np.searchsorted(table.stop_route, route, side="right") - 1
    names = [
        "origin" if at == start else "destination" if at == end else f"waypoints[{at - start - 1}]"
        for at, start, end in zip(stop.tolist(), first.tolist(), last.tolist(), strict=True)
    ]
    points = zip(table.stop_lat[stop].tolist(), table.stop_lon[stop].tolist(), strict=True)
    error.reason[route] = [
        f"{ABROAD}: {name}: ({lat}, {lon})" for name, (lat, lon) in zip(names, points, strict=True)
    ]


def _any_per_route(route_of_item: IntArray, n: int) -> npt.NDArray[np.bool_]:
    return np.bincount(route_of_item, minlength=n) > 0


@dataclass(frozen=True)
class _Legs:
    distance_m: FloatArray
    duration_s: FloatArray


def _leg_variants(
    table: RouteTable,
    router: EmbeddedRouter,
    leg_route: IntArray,
    alive_leg: npt.NDArray[np.bool_],
    with_range: bool,
) -> list[_Legs]:
    """Known legs as given; the others routed (point, then low and high with the range)."""
    d, t = table.leg_distance_m, table.leg_duration_s
    missing = alive_leg & (np.isnan(d) | np.isnan(t))
    start = table.start[leg_route[missing]]
    hour = (start - start.astype("datetime64[D]")).astype("timedelta64[h]").astype(np.int64)
    a, b = table.leg_from[missing], table.leg_to[missing]
    lat, lon = table.stop_lat, table.stop_lon
    routed = router.route_arrays(lat[a], lon[a], lat[b], lon[b], hour)
    bands = [(routed.distance_m, routed.duration_s)]
    if with_range:
        bands += [
            (routed.distance_low_m, routed.duration_low_s),
            (routed.distance_high_m, routed.duration_high_s),
        ]
    return [_Legs(_fill(d, missing, rd), _fill(t, missing, rt)) for rd, rt in bands]


def _flag_too_long(
    variants: list[_Legs], leg_route: IntArray, key: IntArray, error: Reasons
) -> IntArray:
    """Routes whose legs add up past what the engine prices (``MAX_QUANTITY``, counted as
    it counts them) become error rows instead of failing their group; returns ``key``
    with them taken out. Many waypoints across the country can get there."""
    n = len(key)
    too_long = np.zeros(n, dtype=bool)
    most_legs = int(np.bincount(leg_route).max()) if len(leg_route) else 0
    for legs in variants:
        for values in (legs.distance_m, legs.duration_s):
            if (np.nanmax(values, initial=0.0) + 0.5) * most_legs <= MAX_QUANTITY:
                continue  # no route can get there: the usual chunk costs two reductions
            counted = np.rint(np.nan_to_num(values))  # a NaN leg's route is already flagged
            too_long |= np.bincount(leg_route, weights=counted, minlength=n) > MAX_QUANTITY
    _flag(error, too_long & (key >= 0), TOO_LONG)
    return np.where(error.clean, key, -1)


def _fill(known: FloatArray, missing: npt.NDArray[np.bool_], routed: FloatArray) -> FloatArray:
    filled = known.copy()
    filled[missing] = np.where(np.isnan(known[missing]), routed, known[missing])
    return filled


@dataclass(frozen=True)
class _Members:
    """Each leg's and each stop's route and group key, computed once for all groups."""

    leg_route: IntArray
    leg_key: IntArray
    stop_key: IntArray

    @classmethod
    def of(cls, table: RouteTable, key: IntArray, leg_route: IntArray) -> _Members:
        return cls(leg_route, key[leg_route], key[table.stop_route])


def _group_keys(key: IntArray) -> IntArray:
    """The distinct keys of priced routes, ascending (a count per key: no sort of rows)."""
    live = key[key >= 0]
    return np.flatnonzero(np.bincount(live)) if len(live) else live


@dataclass(frozen=True)
class _Area:
    """Per route of a group: it pays the out-of-area surcharge, and from where (``Routes``)."""

    outside: npt.NDArray[np.bool_]
    outside_from: FloatArray | None = None


def _outside(
    table: RouteTable,
    version: TariffVersion,
    stops: IntArray,
    route_row: IntArray,
    rows: int,
    places: PlaceIndex,
) -> _Area:
    """The out-of-area rule for each route of the group, as ``service.quoting`` applies it
    to one (all False without the rule). Only this group's ``stops`` are looked up."""
    area = version.out_of_area
    if area is None:
        return _Area(np.zeros(rows, dtype=bool))
    lat, lon = table.stop_lat[stops], table.stop_lon[stops]
    if area.applies_to == "whole":
        away = places.outside_home(lat, lon, area.home_regions)
        return _Area(_any_per_route(route_row[table.stop_route[stops[away]]], rows))
    route = route_row[table.stop_route[stops]]  # ascending: a route's stops are together
    ends = np.flatnonzero(np.r_[route[1:] != route[:-1], True])  # each route's last stop
    starts = np.r_[0, ends[:-1] + 1]
    away = places.outside_home(lat[ends], lon[ends], area.home_regions)
    outside, position = np.zeros(rows, dtype=bool), np.zeros(rows)
    for start, end in zip(starts[away].tolist(), ends[away].tolist(), strict=True):
        points = zip(lat[start : end + 1].tolist(), lon[start : end + 1].tolist(), strict=True)
        outside[route[end]] = True
        position[route[end]] = places.last_exit(list(points), area.home_regions)
    return _Area(outside, position)


def _price_groups(
    table: RouteTable,
    key: IntArray,
    tariffs: list[Tariff | None],
    variants: list[_Legs],
    members: _Members,
    places: PlaceIndex,
) -> dict[str, Any]:
    """Call the engine once per (tariff, version) group; scatter back to table order."""
    n = table.n
    names = _INT_OUTPUTS if len(variants) > 1 else _INT_OUTPUTS[:3]
    out: dict[str, Any] = {name: np.zeros(n, dtype=np.int64) for name in names}
    out["group"], out["group_row"] = np.full(n, -1), np.full(n, -1)
    groups: list[PricedGroup] = []
    for g in _group_keys(key):
        rows = np.flatnonzero(key == g)
        tariff = tariffs[int(g) // _PER_TARIFF]
        assert tariff is not None
        version = tariff.versions[int(g) % _PER_TARIFF]
        out["group"][rows], out["group_row"][rows] = len(groups), np.arange(len(rows))
        stops = np.flatnonzero(members.stop_key == g)
        area = _outside(table, version, stops, out["group_row"], len(rows), places)
        legs = np.flatnonzero(members.leg_key == g)
        leg_row = out["group_row"][members.leg_route[legs]]
        priced = [
            price_routes(version, _group_routes(table, rows, legs, leg_row, v, area))
            for v in variants
        ]
        _scatter(out, rows, priced)
        groups.append(PricedGroup(tariff, version, priced[0], rows))
    out["groups"] = tuple(groups)
    return out


_INT_OUTPUTS = ("fare", "distance_m", "duration_s", "fare_low", "fare_high")


def _scatter(out: dict[str, Any], rows: IntArray, priced: list[PricedRoutes]) -> None:
    out["fare"][rows] = priced[0].fare
    out["distance_m"][rows] = priced[0].distance_m
    out["duration_s"][rows] = priced[0].duration_s
    if len(priced) > 1:
        out["fare_low"][rows] = np.minimum(priced[1].fare, priced[0].fare)
        out["fare_high"][rows] = np.maximum(priced[2].fare, priced[0].fare)


def _group_routes(
    table: RouteTable,
    rows: IntArray,
    legs: IntArray,
    leg_row: IntArray,
    distances: _Legs,
    area: _Area,
) -> Routes:
    """The routes ``rows`` as the engine's Routes; ``legs`` are theirs, in table order,
    and ``leg_row`` numbers each leg's route 0..len(rows)-1 within the group."""
    return Routes(
        leg_distance_m=distances.distance_m[legs],
        leg_duration_s=distances.duration_s[legs],
        leg_route=leg_row,
        start=table.start[rows],
        waypoints=table.waypoints[rows],
        waiting_s=table.waiting_s[rows],
        outside_area=area.outside,
        outside_from=area.outside_from,
    )
