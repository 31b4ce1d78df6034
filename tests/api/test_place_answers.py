"""``GET /v1/places`` ranking over HTTP, and every bad stop of a quote in one answer."""

from __future__ import annotations

import pytest

GANGNAM_STATION = "37.4979,127.0276"
TOKYO = {"lat": 35.6812, "lon": 139.7671}


def full_names(client, **params):  # type: ignore[no-untyped-def]
    response = client.get("/v1/places", params=params)
    assert response.status_code == 200, response.text
    return [place["full_name"] for place in response.json()]


def test_seongsu_lists_seongdong_gu_first(client):
    found = full_names(client, q="성수")
    assert found[:2] == ["서울특별시 성동구 성수동1가", "서울특별시 성동구 성수동2가"]


def test_near_puts_the_sinsa_dong_of_the_callers_gu_first(client):
    assert full_names(client, q="신사동", near=GANGNAM_STATION)[0] == "서울특별시 강남구 신사동"
    assert full_names(client, q="신사동", near=" 37.6027 , 126.9291 ")[0] == (
        "서울특별시 은평구 신사동"
    )


def test_renamed_provinces_answer_to_both_names(client):
    for q in ("전라북도 전주시 덕진구", "전북특별자치도 전주시 덕진구", "전북 전주시 덕진구"):
        assert full_names(client, q=q)[0] == "전북특별자치도 전주시 덕진구"
    for q in ("강원도 춘천시", "강원특별자치도 춘천시"):
        assert full_names(client, q=q)[0] == "강원특별자치도 춘천시"


@pytest.mark.parametrize("near", ["", "37.5", "abc,127", "91,127", "37.5,181", "nan,127"])
def test_a_bad_near_is_a_422_naming_it(client, near):
    response = client.get("/v1/places", params={"q": "신사동", "near": near})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == ["near"]


def test_every_bad_stop_of_a_quote_comes_in_one_answer(client):
    response = client.post(
        "/v1/quotes",
        json={
            "origin": {"place": "강남구 역삼동"},
            "waypoints": [{"place": "신사동"}, TOKYO],
            "destination": {"place": "없는동네이름"},
        },
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [error["field"] for error in errors] == [
        "waypoints[0].place",
        "waypoints[1]",
        "destination.place",
    ]
    # the ambiguous name's candidates, nearest the origin (강남구) first
    assert errors[0]["candidates"][0] == "서울특별시 강남구 신사동"
    assert errors[2]["candidates"] == []
    assert "신사동" in response.json()["detail"] and "없는동네이름" in response.json()["detail"]


def test_a_lone_bad_stop_keeps_its_own_problem_type(client):
    response = client.post(
        "/v1/quotes", json={"origin": {"place": "역삼동"}, "destination": {"place": "신사동"}}
    )
    problem = response.json()
    assert response.status_code == 422 and problem["type"].endswith("/place-not-found")
    assert problem["errors"][0]["field"] == "destination.place"
    assert problem["candidates"] == problem["errors"][0]["candidates"]
    assert problem["candidates"][0] == "서울특별시 강남구 신사동"  # near the origin, 역삼동


def test_validation_errors_of_nested_fields_come_together(client):
    response = client.post(
        "/v1/quotes",
        json={
            "origin": {"lat": "37.5", "lon": 127.0},
            "waypoints": [{"place": ""}, {"lat": 37.5}],
            "destination": {"place": "역삼동", "floor": 3},
            "waiting_s": -1,
        },
    )
    assert response.status_code == 422
    fields = [error["field"] for error in response.json()["errors"]]
    for field in (
        "origin.lat",
        "waypoints[0].place",
        "waypoints[1]",
        "destination.floor",
        "waiting_s",
    ):
        assert field in fields, (field, fields)
