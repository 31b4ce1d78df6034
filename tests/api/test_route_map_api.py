"""``POST /v1/route-map``: the contract the form and the admin UI draw from."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from fare_service.api.routes_map import ROUTE_MAP_EXAMPLE

SVG = "{http://www.w3.org/2000/svg}"


def stop_labels(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return [
        list(group.iter(SVG + "text"))[-1].text or ""
        for group in root.iter(SVG + "g")
        if "stop" in (group.get("class") or "").split()
    ]


def test_the_example_draws_every_stop_labelled(client):
    response = client.post("/v1/route-map", json=ROUTE_MAP_EXAMPLE)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert stop_labels(response.content) == [
        "출발 · 강남구 역삼동",
        "경유 1 · 강남구 삼성동",  # coordinates are named by where they are
        "원래 도착 · 분당구 정자동",
        "변경 도착 · 분당구 서현동",
    ]


def test_without_a_change_the_destination_is_plain(client):
    body = {"origin": {"lat": 37.5006, "lon": 127.0366}, "destination": {"place": "분당구 정자동"}}
    for extra in ({}, {"changed_destination": None, "waypoints": []}):
        response = client.post("/v1/route-map", json={**body, **extra})
        assert response.status_code == 200
        assert stop_labels(response.content) == ["출발 · 강남구 역삼동", "도착 · 분당구 정자동"]


def test_every_stop_that_cannot_be_placed_is_named_at_once(client):
    response = client.post(
        "/v1/route-map",
        json={
            "origin": {"place": "역삼동"},
            "waypoints": [{"place": "없는동네이름"}],
            "destination": {"place": "신사동"},
            "changed_destination": {"lat": 35.6812, "lon": 139.7671},
        },
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [
        "waypoints[0].place",
        "destination.place",
        "changed_destination",
    ]
    assert errors[1]["candidates"][0] == "서울특별시 강남구 신사동"  # nearest the origin


def test_a_malformed_body_names_each_field(client):
    response = client.post(
        "/v1/route-map",
        json={"origin": {"lat": 37.5}, "waypoints": [{"place": ""}], "changed_destination": 3},
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"origin", "waypoints[0].place", "destination", "changed_destination"} <= fields


def test_waypoints_are_limited_by_the_setting_and_the_change_is_not_one(client):
    stop = {"lat": 37.5, "lon": 127.03}
    body = {"origin": stop, "destination": stop, "changed_destination": stop}
    assert client.post("/v1/route-map", json={**body, "waypoints": [stop] * 10}).status_code == 200
    too_many = client.post("/v1/route-map", json={**body, "waypoints": [stop] * 11})
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "waypoints"


def test_the_map_needs_the_key_like_every_v1_route(keyed_client):
    assert keyed_client.post("/v1/route-map", json=ROUTE_MAP_EXAMPLE).status_code == 401


def test_openapi_documents_the_svg_answer_and_the_body(client):
    operation = client.get("/openapi.json").json()["paths"]["/v1/route-map"]["post"]
    assert "image/svg+xml" in operation["responses"]["200"]["content"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RouteMapRequest"
    }
    assert "422" in operation["responses"]
