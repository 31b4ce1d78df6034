"""Everything loaded once at start-up and shared by every request: tariffs, places,
routers and templates. Requests stay stateless; nothing here changes after loading."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from fare_service.config import Settings
from fare_service.geo.places import PlaceIndex
from fare_service.geo.routing import Point, Routing, Stop, check_in_korea, resolve_stops
from fare_service.policy.templates import TemplateSet
from fare_service.public_holidays import korean_holidays
from fare_service.tariff_book import TariffBook, load_tariff_book

log = logging.getLogger("fare_service")


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    book: TariffBook
    places: PlaceIndex
    routing: Routing
    templates: TemplateSet

    def resolve_stops(self, stops: Sequence[Stop], fields: Sequence[str] = ()) -> list[Point]:
        """Coordinates of each stop, in Korea; place names through the place index."""
        return resolve_stops(
            stops, self.places, fields or "stops", max_waypoints=self.settings.max_waypoints
        )

    def check_in_korea(self, points: Sequence[Point], fields: Sequence[str]) -> None:
        check_in_korea(points, fields, self.places)

    async def aclose(self) -> None:
        await self.routing.aclose()


def load_runtime(settings: Settings) -> Runtime:
    started = time.perf_counter()
    book = load_tariff_book(settings.tariff_dir, settings.default_tariff)
    korean_holidays()  # build the calendar now, not on some customer's first quote
    places = PlaceIndex.load()
    runtime = Runtime(
        settings=settings,
        book=book,
        places=places,
        routing=Routing.from_settings(settings),
        templates=TemplateSet.load(settings.templates_dir),
    )
    log.info("loaded in %.2f s", time.perf_counter() - started)
    return runtime
