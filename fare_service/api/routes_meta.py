"""Tariffs, places, liveness and metrics."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel

from fare_service.api import metrics
from fare_service.api.deps import RuntimeDep
from fare_service.api.problems import PROBLEM_RESPONSES
from fare_service.errors import TariffNotFound

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
async def get_tariff(tariff_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    """The whole tariff, every version, as in its file."""
    tariff = runtime.book.tariffs.get(tariff_id)
    if tariff is None:
        raise TariffNotFound(f"no tariff {tariff_id!r}", field="tariff_id")
    return tariff.model_dump(mode="json")


@authed.get("/v1/places", tags=["places"])
async def search_places(
    runtime: RuntimeDep,
    q: Annotated[
        str, Query(min_length=1, max_length=50, description="e.g. 역삼동, 강남구 역삼동, 판교")
    ],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[PlaceOut]:
    return [PlaceOut(**vars(place)) for place in runtime.places.search(q, limit)]


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
