"""The settings base class every service's `Settings` extends."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_PREFIX = "local-only-"


class ServiceSettings(BaseSettings):
    """Connection settings shared by every service; each service adds its own fields."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    environment: Literal["local", "test", "production"] = "local"
    service_name: str = "gatepost"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    mongodb_url: str = "mongodb://127.0.0.1:27017"
    mongodb_database: str = ""
    otel_exporter_otlp_endpoint: str | None = None
    log_level: str = "INFO"
    # local and test runs only: a file holding seconds to add to this service's clock
    clock_offset_file: Path | None = None

    @property
    def database(self) -> str:
        return self.mongodb_database or f"gatepost_{self.service_name}"

    @model_validator(mode="after")
    def _no_placeholder_secrets_in_production(self) -> ServiceSettings:
        if self.environment == "production":
            for name, value in self:
                if isinstance(value, str) and value.startswith(PLACEHOLDER_PREFIX):
                    raise ValueError(f"{name} holds a local placeholder secret in production")
        return self
