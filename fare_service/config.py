"""Settings, read once from ``FARE_SERVICE_*`` environment variables and validated at start-up.

Validation checks what can be checked without loading anything: numbers and choices, that
the folders and files named exist, that the OSRM router has an address, and it reads the
API key file. A bad setting is a :class:`SettingsError`, one ``FARE_SERVICE_X: reason``
line per variable, which ``fare-service`` prints instead of a stack. The tariff files'
contents are the tariff loader's to judge (``fare-service tariffs check``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "FARE_SERVICE_"


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    tariff_dir: Path = PROJECT_ROOT / "tariffs"
    default_tariff: str = "daeri-standard"
    templates_dir: Path | None = None
    """A folder of the operator's own templates; any file there replaces the shipped one."""

    router: Literal["embedded", "osrm"] = "embedded"
    osrm_url: str | None = None
    osrm_timeout_s: float = Field(default=2.0, gt=0, le=30)
    osrm_retries: int = Field(default=1, ge=0, le=3)
    route_profile: Path | None = None
    """A TOML file replacing the embedded router's circuity factor and hourly speeds."""

    api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    api_keys_file: Path | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    keep_alive_timeout_s: int = Field(default=5, ge=1, le=600)
    """An idle keep-alive connection is closed after this. Behind a proxy, keep it above the
    proxy's idle timeout, so the proxy closes first and never sends on a closing one."""
    request_head_timeout_s: float = Field(default=10.0, gt=0, le=600)
    """From connecting, or from a request's first byte, to its last header; then cut off."""

    max_body_bytes: int = Field(default=8_000_000, gt=0)
    """Large enough for a 10,000-item batch of place-name quotes (about 3 MB)."""
    max_waypoints: int = Field(default=10, ge=0, le=50)
    max_batch_items: int = Field(default=10_000, gt=0, le=100_000)

    adjustment_basis: Literal["delta", "ratio", "estimate"] = "delta"
    """How an adjustment without an agreed fare moves the original fare (pricing.anchoring)."""
    agreed_fare_band_low: float = Field(default=-0.30, ge=-1, le=0)
    agreed_fare_band_high: float = Field(default=0.50, ge=0, le=10)
    verdict_tolerance_won: int = Field(default=0, ge=0)
    max_ride_km: float = Field(default=150.0, gt=0, le=2000)
    """An adjustment whose route is longer asks the agent to confirm the stops."""
    support_phone: str | None = Field(default=None, pattern=r"^[0-9][0-9-]{2,19}$")
    """The customer centre's number in the call-back SMS; without it the SMS names none."""

    _file_keys: tuple[str, ...] = PrivateAttr(default=())
    _split = field_validator("api_keys", "cors_origins", mode="before")(_split_commas)

    @field_validator("tariff_dir")
    @classmethod
    def _has_tariffs(cls, folder: Path) -> Path:
        _must_be(folder, "folder", "tariff_dir")
        if not any(folder.glob("*.toml")):
            raise _bad("tariff_dir", f"no tariff files (*.toml) in {folder}")
        return folder

    @field_validator("templates_dir")
    @classmethod
    def _is_a_folder(cls, folder: Path | None) -> Path | None:
        return folder if folder is None else _must_be(folder, "folder", "templates_dir")

    @field_validator("route_profile")
    @classmethod
    def _is_a_file(cls, path: Path | None) -> Path | None:
        return path if path is None else _must_be(path, "file", "route_profile")

    @field_validator("osrm_url")
    @classmethod
    def _is_http(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("http://", "https://")):
            raise _bad("osrm_url", f"{url!r} is not an http:// or https:// address")
        return url

    @model_validator(mode="after")
    def _osrm_has_an_address(self) -> Settings:
        if self.router == "osrm" and not self.osrm_url:
            raise _bad("router", f"osrm needs {ENV_PREFIX}OSRM_URL, the OSRM server's address")
        return self

    @model_validator(mode="after")
    def _read_key_file(self) -> Settings:
        """Now, so that a key file the service cannot use stops the start, not a request."""
        if self.api_keys_file is not None:
            self._file_keys = _read_keys(self.api_keys_file)
        return self

    def all_api_keys(self) -> list[str]:
        """Keys from the variable and from the key file (one per line, ``#`` comments)."""
        return [*self.api_keys, *self._file_keys]


class SettingsError(Exception):
    """Bad ``FARE_SERVICE_*`` settings; ``lines`` holds one ``FARE_SERVICE_X: reason``
    per bad variable."""

    def __init__(self, error: ValidationError) -> None:
        self.lines = [_describe(detail) for detail in error.errors(include_url=False)]
        super().__init__("; ".join(self.lines))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        raise SettingsError(error) from None


def _bad(field: str, reason: str) -> PydanticCustomError:
    """A settings error naming its variable even where pydantic gives no location (a
    check across fields)."""
    return PydanticCustomError("setting", "{reason}", {"field": field, "reason": reason})


def _must_be(path: Path, kind: Literal["file", "folder"], field: str) -> Path:
    if not path.exists():
        raise _bad(field, f"{path} does not exist")
    if not (path.is_dir() if kind == "folder" else path.is_file()):
        raise _bad(field, f"{path} is not a {kind}")
    return path


def _read_keys(path: Path) -> tuple[str, ...]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise _bad("api_keys_file", f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise _bad("api_keys_file", f"{path} is not UTF-8 text") from None
    keys = tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))
    if not keys:  # an empty file must not leave the API open by accident
        raise _bad("api_keys_file", f"no keys in {path} (one a line, # for comments)")
    return keys


def _describe(detail: Any) -> str:
    """One pydantic error -> ``FARE_SERVICE_X: reason``; the input is shown unless it may
    be a key."""
    ctx = detail.get("ctx") or {}
    loc = detail["loc"]
    field = str(ctx.get("field") or (loc[0] if loc else "*"))
    reason = detail["msg"]
    given = detail.get("input")
    if detail["type"] != "setting" and isinstance(given, str) and "key" not in field:
        reason += f" (got {given!r})"
    return f"{ENV_PREFIX}{field.upper()}: {reason}"
