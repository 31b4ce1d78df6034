"""Everything loaded once at start-up and shared by every request: tariffs, places,
routers and templates. Requests stay stateless; nothing here changes after loading."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from fare_service.config import Settings
from fare_service.errors import FareServiceError
from fare_service.geo.embedded import RouteProfile
from fare_service.geo.places import PlaceIndex
from fare_service.geo.route_map import Outlines
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
    outlines: Outlines  # the 시군구 a route map draws

    def resolve_stops(
        self, stops: Sequence[Stop], fields: Sequence[str] = (), *, alternatives: int = 0
    ) -> list[Point]:
        """Coordinates of each stop, in Korea; place names through the place index.
        ``alternatives`` stops after the destination stand in for it (a changed
        destination on a map), so they do not count as waypoints."""
        most = self.settings.max_waypoints + alternatives
        return resolve_stops(stops, self.places, fields or "stops", max_waypoints=most)

    def check_in_korea(self, points: Sequence[Point], fields: Sequence[str]) -> None:
        check_in_korea(points, fields, self.places)

    async def aclose(self) -> None:
        await self.routing.aclose()


def load_runtime(settings: Settings) -> Runtime:
    started = time.perf_counter()
    book = load_tariff_book(settings.tariff_dir, settings.default_tariff)
    korean_holidays()  # build the calendar now, not on some customer's first quote
    places = PlaceIndex.load()
    places.prepare_home_areas(
        version.out_of_area.home_regions
        for tariff in book
        for version in tariff.versions
        if version.out_of_area is not None
    )
    runtime = Runtime(
        settings=settings,
        book=book,
        places=places,
        routing=Routing.from_settings(settings),
        templates=TemplateSet.load(settings.templates_dir),
        outlines=Outlines(places.boundaries("sigungu")),
    )
    log.info("loaded in %.2f s", time.perf_counter() - started)
    return runtime


def check_files(settings: Settings) -> None:
    """What the files the settings name hold, checked once before any worker starts, so
    that a wrong one ends the start with one line naming its variable (as a bad value
    does, ``config.SettingsError``) instead of a traceback from every worker."""
    try:
        load_tariff_book(settings.tariff_dir, settings.default_tariff)
    except FareServiceError as error:
        about_default = str(error).startswith("default tariff")
        name = "DEFAULT_TARIFF" if about_default else "TARIFF_DIR"
        raise SettingsFileError(f"FARE_SERVICE_{name}: {error}") from None
    try:
        TemplateSet.load(settings.templates_dir)
    except FareServiceError as error:
        raise SettingsFileError(f"FARE_SERVICE_TEMPLATES_DIR: {error}") from None
    try:
        RouteProfile.load(settings.route_profile)
    except (ValueError, OSError) as error:
        raise SettingsFileError(f"FARE_SERVICE_ROUTE_PROFILE: {error}") from None


class SettingsFileError(FareServiceError):
    """A file named by a setting holds something the service cannot use."""

    title = "Invalid settings file"
    slug = "settings-file"
