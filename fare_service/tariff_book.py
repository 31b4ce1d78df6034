"""The one loader of tariff files: ``tariffs/*.toml`` into an immutable book.

Loaded once at start-up; a wrong file stops the start with a message naming the file,
the version and the field, so a typo never reaches a customer's fare.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from fare_service.errors import InvalidTime, TariffFileError, TariffNotFound
from fare_service.tariff import Tariff, TariffVersion


@dataclass(frozen=True)
class TariffBook:
    tariffs: Mapping[str, Tariff]
    default_id: str

    def __iter__(self) -> Iterator[Tariff]:
        return iter(self.tariffs.values())

    def get(self, tariff_id: str | None) -> Tariff:
        tariff = self.tariffs.get(tariff_id or self.default_id)
        if tariff is None:
            known = ", ".join(sorted(self.tariffs))
            raise TariffNotFound(f"no tariff {tariff_id!r}; known: {known}", field="tariff_id")
        return tariff

    def version_at(
        self, tariff_id: str | None, at: datetime, at_field: str = "at"
    ) -> tuple[Tariff, TariffVersion]:
        """The tariff and its version in force at ``at``; a time no version covers (before
        the first, in a gap) is the caller's input to correct: 422 naming ``at_field``."""
        tariff = self.get(tariff_id)
        version = tariff.version_at(at)
        if version is None:
            first = tariff.versions[0].in_force_from
            raise InvalidTime(
                f"tariff {tariff.id!r} has no version in force at {at.isoformat()} "
                f"(its first starts {first.isoformat()})",
                field=at_field,
            )
        return tariff, version


def load_tariff_book(directory: Path, default_id: str) -> TariffBook:
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise TariffFileError(f"no tariff files (*.toml) in {directory}")
    tariffs: dict[str, Tariff] = {}
    for path in files:
        tariff = load_tariff_file(path)
        if tariff.id in tariffs:
            raise TariffFileError(f"{path.name}: tariff id {tariff.id!r} is defined twice")
        tariffs[tariff.id] = tariff
    if default_id not in tariffs:
        raise TariffFileError(f"default tariff {default_id!r} is not among {sorted(tariffs)}")
    return TariffBook(MappingProxyType(tariffs), default_id)


def load_tariff_file(path: Path) -> Tariff:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TariffFileError(f"{path.name}: cannot be read: {exc}") from exc
    try:
        return Tariff.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_describe(error, raw) for error in exc.errors())
        raise TariffFileError(f"{path.name}: {problems}") from exc


def _describe(error: Any, raw: dict[str, Any]) -> str:
    """``versions[1] (2023-02-01) time.per_s: Input should be greater than 0``."""
    loc = list(error["loc"])
    where = ""
    if len(loc) >= 2 and loc[0] == "versions" and isinstance(loc[1], int):
        versions = raw.get("versions") or []
        name = versions[loc[1]].get("version", "?") if loc[1] < len(versions) else "?"
        where = f"version {name!r} "
        loc = loc[2:]
    field = ".".join(str(part) for part in loc) or ("(version)" if where else "(file)")
    return f"{where}field {field}: {error['msg']}"
