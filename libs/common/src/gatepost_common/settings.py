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
    # this service's own Ed25519 private key (PEM): it signs the tokens of its internal calls
    service_key: str = ""
    # every service's Ed25519 public key, a JSON object of name → PEM (see gatepost_common.access)
    service_public_keys: str = "{}"
    # this service's Kafka principal (SASL/SCRAM-SHA-256); empty: the broker takes anyone
    kafka_username: str = ""
    kafka_password: str = ""
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"] = "SASL_PLAINTEXT"
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
