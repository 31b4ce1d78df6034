"""Settings, read once from ``FARE_SERVICE_*`` environment variables and validated at start-up."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FARE_SERVICE_", extra="ignore", frozen=True)

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
    max_batch_items: int = Field(default=10_000, gt=0)

    agreed_fare_band_low: float = Field(default=-0.30, ge=-1, le=0)
    agreed_fare_band_high: float = Field(default=0.50, ge=0, le=10)
    verdict_tolerance_won: int = Field(default=0, ge=0)

    _split = field_validator("api_keys", "cors_origins", mode="before")(_split_commas)

    def all_api_keys(self) -> list[str]:
        """Keys from the variable and from the key file (one per line, ``#`` comments)."""
        keys = list(self.api_keys)
        if self.api_keys_file is not None:
            lines = self.api_keys_file.read_text(encoding="utf-8").splitlines()
            keys += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
        return keys


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
