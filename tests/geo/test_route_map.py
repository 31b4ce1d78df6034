"""The route map: every stop inside the picture, lines through them in order, the 시군구
around them and only those, labelled in Korean, small."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import shapely

from fare_service.geo.places import PlaceIndex
from fare_service.geo.route_map import (
    HEIGHT,
    WIDTH,
    Outlines,
    StopKind,
    View,
    draw,
    route_stops,
)

SVG = "{http://www.w3.org/2000/svg}"
YEOKSAM = (37.5006, 127.0366)  # 강남구 역삼동
SAMSEONG = (37.5146, 127.0565)  # 강남구 삼성동
JEONGJA = (37.3659, 127.1085)  # 분당구 정자동
SEOHYEON = (37.3838, 127.1307)  # 분당구 서현동
SEONGSU_MYEON = (35.7283, 127.3411)  # 전북특별자치도 진안군 성수면


@pytest.fixture(scope="module")
def outlines(places: PlaceIndex) -> Outlines:
    return Outlines(places.boundaries("sigungu"))


def parsed(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    assert (root.get("width"), root.get("height")) == (str(WIDTH), str(HEIGHT))
    return root


def markers(root: ET.Element) -> list[tuple[str, float, float, str]]:
    """(class, cx, cy, label) of each stop, in drawing order."""
    found = []
    for group in root.iter(SVG + "g"):
        if "stop" in (group.get("class") or "").split():
            circle = group.find(SVG + "circle")
            texts = [t.text or "" for t in group.iter(SVG + "text")]
            assert circle is not None
            cx, cy = float(circle.get("cx", "nan")), float(circle.get("cy", "nan"))
            found.append((group.get("class") or "", cx, cy, texts[-1]))
    return found


def test_a_changed_route_marks_and_labels_each_stop_in_korean(outlines: Outlines) -> None:
    names = ["강남구 역삼동", "강남구 삼성동", "분당구 정자동", "분당구 서현동"]
    stops = route_stops([YEOKSAM, SAMSEONG, JEONGJA, SEOHYEON], names, changed=True)
    assert [s.kind for s in stops] == [
        StopKind.ORIGIN,
        StopKind.WAYPOINT,
        StopKind.ORIGINAL_DESTINATION,
        StopKind.CHANGED_DESTINATION,
    ]
    found = markers(parsed(draw(stops, outlines)))
    assert [label for *_, label in found] == [
        "출발 · 강남구 역삼동",
        "경유 1 · 강남구 삼성동",
        "원래 도착 · 분당구 정자동",
        "변경 도착 · 분당구 서현동",
    ]
    for _, x, y, _ in found:
        assert 0 < x < WIDTH and 0 < y < HEIGHT


def test_numbered_waypoints_and_a_plain_destination(outlines: Outlines) -> None:
    points = [YEOKSAM, SAMSEONG, SEOHYEON, JEONGJA]
    root = parsed(draw(route_stops(points, ["a", "b", "c", "d"], changed=False), outlines))
    labels = [label for *_, label in markers(root)]
    assert labels == ["출발 · a", "경유 1 · b", "경유 2 · c", "도착 · d"]


def test_the_stops_fit_the_picture_with_north_up_and_equal_scales(outlines: Outlines) -> None:
    points = [YEOKSAM, SEONGSU_MYEON, JEONGJA]
    found = markers(parsed(draw(route_stops(points, ["a", "b", "c"], changed=False), outlines)))
    (_, x0, y0, _), (_, x1, y1, _), (_, x2, y2, _) = found
    assert y1 > y0 and y1 > y2  # 진안군 is south of Seoul: lower in the picture
    # distances in pixels are proportional to distances on the ground (km), both ways
    ground = [_km(YEOKSAM, SEONGSU_MYEON), _km(SEONGSU_MYEON, JEONGJA)]
    pixels = [math.dist((x0, y0), (x1, y1)), math.dist((x1, y1), (x2, y2))]
    assert pixels[0] / ground[0] == pytest.approx(pixels[1] / ground[1], rel=0.02)
    assert min(x0, x1, x2) >= 40 and max(x0, x1, x2) <= WIDTH - 40
    assert min(y0, y1, y2) >= 40 and max(y0, y1, y2) <= HEIGHT - 40


def test_lines_run_straight_through_the_stops_in_order(outlines: Outlines) -> None:
    stops = route_stops([YEOKSAM, SAMSEONG, JEONGJA, SEOHYEON], ["a"] * 4, changed=True)
    root = parsed(draw(stops, outlines))
    centres = {label.split(" · ")[0]: (x, y) for _, x, y, label in markers(root)}
    lines = [
        [float(v) for pair in line.get("points", "").split() for v in pair.split(",")]
        for line in root.iter(SVG + "polyline")
    ]
    given_up, driven = lines  # the dashed leg to the old destination is drawn first
    expected = [v for k in ("출발", "경유 1", "변경 도착") for v in centres[k]]
    assert driven == pytest.approx(expected, abs=0.1)
    assert given_up == pytest.approx(
        [v for k in ("경유 1", "원래 도착") for v in centres[k]], abs=0.1
    )


def test_only_the_sigungu_in_view_are_drawn(places: PlaceIndex, outlines: Outlines) -> None:
    points = [YEOKSAM, SAMSEONG]
    root = parsed(draw(route_stops(points, ["a", "b"], changed=False), outlines))
    sigungu = places.boundaries("sigungu")
    west, south, east, north = View.around(points).box
    # by brute force on every polygon, not through the map's spatial index
    meets = shapely.intersects(sigungu.polygons, shapely.box(west, south, east, north))
    in_view = {sigungu.metas[i]["code"] for i in np.flatnonzero(meets)}
    paths = [p for p in root.iter(SVG + "path") if p.get("stroke") == "#ffffff"]
    assert len(paths) == len(in_view)
    assert {code[:2] for code in in_view} == {"11"}  # a Gangnam ride shows Seoul only
    area_names = {t.text for t in root.iter(SVG + "text") if t.get("fill") == "#6b6b6b"}
    assert {"강남구", "서초구"} <= area_names and "진안군" not in area_names


def test_a_stop_far_away_brings_its_province_into_the_picture(outlines: Outlines) -> None:
    stops = route_stops([YEOKSAM, SEONGSU_MYEON, JEONGJA], ["a", "b", "c"], changed=False)
    svg = draw(stops, outlines)
    fills = set(re.findall(r'<path d="[^"]*" fill="(#[0-9a-f]{6})"', svg))
    assert len(fills) >= 4  # several 시도, each in its colour
    assert len(svg) < 80_000


def test_a_city_ride_is_a_few_kilobytes(outlines: Outlines) -> None:
    svg = draw(route_stops([YEOKSAM, SEOHYEON], ["a", "b"], changed=False), outlines)
    assert len(svg.encode()) < 30_000
    assert "style=" not in svg and "<style" not in svg  # inline-able under a strict CSP


def test_the_same_place_twice_keeps_both_labels_readable(outlines: Outlines) -> None:
    found = markers(
        parsed(draw(route_stops([YEOKSAM, YEOKSAM], ["a", "b"], changed=False), outlines))
    )
    assert len(found) == 2
    root = parsed(draw(route_stops([YEOKSAM, YEOKSAM], ["a", "b"], changed=False), outlines))
    label_ys = [
        float(t.get("y", "nan"))
        for g in root.iter(SVG + "g")
        if "stop" in (g.get("class") or "")
        for t in list(g.iter(SVG + "text"))[-1:]
    ]
    assert len(label_ys) == 2 and abs(label_ys[0] - label_ys[1]) >= 15


def test_names_are_escaped(outlines: Outlines) -> None:
    svg = draw(route_stops([YEOKSAM, SAMSEONG], ["<b>&", '"x"'], changed=False), outlines)
    labels = [label for *_, label in markers(parsed(svg))]
    assert labels == ["출발 · <b>&", '도착 · "x"']


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance, a formula independent of the map's projection."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))
