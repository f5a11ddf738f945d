"""docker-compose.yml cannot run here (no Docker engine): validate it against the Compose
Specification's JSON Schema, and check what the deployment promises."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import yaml

ROOT = Path(__file__).parents[2]
SERVICES = ("auth", "generator", "approval", "publisher", "media")


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_compose_file_follows_the_compose_specification() -> None:
    schema = json.loads((ROOT / "tests" / "fixtures" / "compose-spec.json").read_text())
    jsonschema.Draft201909Validator(schema).validate(compose())


def test_every_service_has_a_healthcheck_and_waits_for_its_dependencies() -> None:
    services = compose()["services"]
    for name in (*SERVICES, "kafka", "mongodb"):
        assert "healthcheck" in services[name], name
    for name in SERVICES:
        assert services[name]["depends_on"]["mongodb"]["condition"] == "service_healthy"
    for name in ("generator", "approval", "publisher"):
        assert services[name]["depends_on"]["kafka-init"]["condition"] == (
            "service_completed_successfully"
        )


def test_secrets_have_no_defaults() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    for secret in (
        "SESSION_PRIVATE_KEY",
        "TOKEN_KEYS",
        "STATE_SECRET",
        "APPROVAL_SIGNING_KEY",
        "INTERNAL_TOKEN",
        "TIKTOK_CLIENT_SECRET",
        "OPENAI_API_KEY",
    ):
        assert re.search(rf"\$\{{{secret}:\?", text), f"{secret} must be required, not defaulted"
        assert not re.search(rf"\$\{{{secret}:-", text)


def test_topic_init_creates_every_topic_and_its_dead_letter_topic() -> None:
    command = "\n".join(compose()["services"]["kafka-init"]["command"])
    for topic in ("topic.created", "post.generated", "post.approved", "post.published"):
        assert topic in command
    assert '"$$topic.dlq"' in command
