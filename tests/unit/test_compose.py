"""docker-compose.yml cannot run here (no Docker engine): validate it against the Compose
Specification's JSON Schema, and check what the deployment promises."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from gatepost_common.access import KAFKA_PRINCIPALS, acl_table

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
        "SERVICE_PUBLIC_KEYS",
        *(f"{service.upper()}_SERVICE_KEY" for service in SERVICES),
        *(f"MONGO_{service.upper()}_PASSWORD" for service in SERVICES),
        "MONGO_ROOT_PASSWORD",
        *(f"KAFKA_{principal.upper()}_PASSWORD" for principal in KAFKA_PRINCIPALS),
        "KAFKA_ADMIN_PASSWORD",
        "KAFKA_CONTROLLER_PASSWORD",
        "TIKTOK_CLIENT_SECRET",
        "OPENAI_API_KEY",
        "SMTP_URL",
    ):
        assert re.search(rf"\$\{{{secret}:\?", text), f"{secret} must be required, not defaulted"
        assert not re.search(rf"\$\{{{secret}:-", text)


def test_topic_init_creates_every_topic_and_its_dead_letter_topic() -> None:
    command = "\n".join(compose()["services"]["kafka-init"]["command"])
    for topic in ("topic.created", "post.generated", "post.approved", "post.published"):
        assert topic in command
    assert '"$$topic.dlq"' in command


def test_each_service_signs_in_as_itself_to_mongodb_and_kafka() -> None:
    services = compose()["services"]
    for name in SERVICES:
        env = services[name]["environment"]
        assert (
            env["SERVICE_KEY"] == f"${{{name.upper()}_SERVICE_KEY:?set {name.upper()}_SERVICE_KEY}}"
        )
        # its own user, authenticated against its own database, which is all it may touch
        assert env["MONGODB_URL"].startswith(f"mongodb://{name}:${{MONGO_{name.upper()}_PASSWORD")
        assert f"/gatepost_{name}?" in env["MONGODB_URL"]
        assert f"authSource=gatepost_{name}" in env["MONGODB_URL"]
        if name in KAFKA_PRINCIPALS:
            assert env["KAFKA_USERNAME"] == name
    users = "\n".join(services["mongodb-users"]["command"])
    assert "for service in auth media generator approval publisher" in users
    assert 'roles: [{role: "readWrite", db: own}]' in users
    assert "--keyFile" in services["mongodb"]["command"]


def test_kafka_init_makes_the_principals_and_acls_of_the_access_table() -> None:
    assert (ROOT / "deploy" / "kafka" / "acls.txt").read_text() == acl_table(), (
        "regenerate deploy/kafka/acls.txt from gatepost_common.access.acl_table()"
    )
    init = "\n".join(compose()["services"]["kafka-init"]["command"])
    loop = re.search(r"for principal in ([a-z ]+); do", init)
    assert loop and tuple(loop.group(1).split()) == KAFKA_PRINCIPALS
    assert "done < /etc/gatepost/acls.txt" in init


def test_the_compose_kafka_fills_in_every_word_of_the_shared_properties() -> None:
    """The compose broker renders deploy/kafka/server.properties with sed: run that sed here."""
    command = compose()["services"]["kafka"]["command"][0]
    sed = command[command.index("sed ") : command.index("> /tmp/server.properties")]
    sed = sed.replace("$$", "$").replace("/etc/gatepost/", str(ROOT / "deploy" / "kafka") + "/")
    rendered = subprocess.run(
        ["bash", "-c", sed],
        env={
            "KAFKA_ADMIN_PASSWORD": "a1",
            "KAFKA_CONTROLLER_PASSWORD": "c2",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [line for line in rendered.splitlines() if not line.startswith("#")]
    assert not [line for line in lines if "{" in line], "a word in braces was left unfilled"
    assert "advertised.listeners=SASL_PLAINTEXT://kafka:9092" in lines
    assert 'username="admin" password="a1";' in rendered
    assert 'user_controller="c2";' in rendered


def test_the_trace_and_metrics_uis_listen_on_loopback_only() -> None:
    """Traces hold what requests did (with no sign-in in front of Jaeger): never on every
    interface."""
    services = compose()["services"]
    for name in ("jaeger", "otel-collector"):
        for port in services[name]["ports"]:
            assert str(port).startswith("127.0.0.1:"), (name, port)
