"""Tariffs, places, liveness and metrics."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel

from fare_service.api import metrics
from fare_service.api.deps import RuntimeDep
from fare_service.api.problems import PROBLEM_RESPONSES
from fare_service.errors import BadInput, TariffNotFound

router = APIRouter()
authed = APIRouter(responses=PROBLEM_RESPONSES)  # the ApiGuard checks the key


class TariffSummary(BaseModel):
    id: str
    name: str
    currency: str
    example_values: bool
    versions: list[dict[str, Any]]


class PlaceOut(BaseModel):
    name: str
    full_name: str
    code: str
    level: str
    lat: float
    lon: float


@router.get("/healthz", tags=["operations"])
async def healthz() -> dict[str, str]:
    """Liveness: the process answers. No authentication."""
    return {"status": "ok"}


@authed.get("/metrics", tags=["operations"], response_class=PlainTextResponse)
async def prometheus_metrics() -> Response:
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)


@authed.get("/v1/tariffs", tags=["tariffs"])
async def list_tariffs(runtime: RuntimeDep) -> list[TariffSummary]:
    return [_summary(tariff) for tariff in runtime.book]


@authed.get("/v1/tariffs/{tariff_id}", tags=["tariffs"])
async def get_tariff(
    tariff_id: Annotated[
        str, Path(openapi_examples={"seoul": {"summary": "Seoul taxi", "value": "seoul-taxi"}})
    ],
    runtime: RuntimeDep,
) -> dict[str, Any]:
    """The whole tariff, every version, as in its file."""
    tariff = runtime.book.tariffs.get(tariff_id)
    if tariff is None:
        raise TariffNotFound(f"no tariff {tariff_id!r}", field="tariff_id")
    return tariff.model_dump(mode="json")


@authed.get("/v1/places", tags=["places"])
async def search_places(
    runtime: RuntimeDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=50,
            description="e.g. 역삼동, 강남구 역삼동, 판교",
            openapi_examples={"dong": {"summary": "a 동 in two 구", "value": "신사동"}},
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    near: Annotated[
        str | None,
        Query(
            max_length=60,
            description="lat,lon (WGS84) of the call's origin: the nearest places first",
            openapi_examples={
                "gangnam": {"summary": "강남역: 강남구 신사동 first", "value": "37.4979,127.0276"}
            },
        ),
    ] = None,
) -> list[PlaceOut]:
    """Places named by ``q``, best first: exact names, then short forms ("성수" for
    성수동1가), prefixes and partial names; for the same text a 동 before a 읍/면, then
    the nearest to ``near``, or without it the capital region (서울, 인천, 경기) first."""
    found = runtime.places.search(q, limit, _near(near))
    return [PlaceOut(**vars(place)) for place in found]


def _near(near: str | None) -> tuple[float, float] | None:
    """``"lat,lon"`` in degrees, or a 422 naming ``near``."""
    if near is None:
        return None
    try:
        lat, lon = (float(part) for part in near.split(","))
    except ValueError:
        lat = lon = math.nan
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise BadInput(f"{near!r}: give lat,lon in degrees, e.g. 37.4979,127.0276", field="near")
    return (lat, lon)


def _summary(tariff) -> TariffSummary:  # type: ignore[no-untyped-def]
    versions = [
        {
            "version": v.version,
            "in_force_from": v.in_force_from.isoformat(),
            "in_force_until": v.in_force_until.isoformat() if v.in_force_until else None,
        }
        for v in tariff.versions
    ]
    return TariffSummary(
        id=tariff.id,
        name=tariff.name,
        currency=tariff.currency,
        example_values=tariff.example_values,
        versions=versions,
    )


router.include_router(authed)
