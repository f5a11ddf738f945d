"""Ports and secrets of one stack. Local secrets are generated once and kept in the run folder."""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import dataclass, replace
from pathlib import Path

from gatepost_common.access import (
    KAFKA_PRINCIPALS,
    SERVICE_TOKEN_HEADER,
    ServiceAuth,
    service_token,
)
from gatepost_common.crypto import new_key
from gatepost_common.settings import PLACEHOLDER_PREFIX
from gatepost_common.signing import generate_keypair


@dataclass(frozen=True)
class Ports:
    gateway: int = 8080
    auth: int = 8001
    generator: int = 8002
    approval: int = 8003
    publisher: int = 8004
    media: int = 8005
    tiktok: int = 8090
    openai: int = 8091
    kafka: int = 9092
    kafka_controller: int = 9093
    mongo: int = 27017
    otlp: int = 4318
    zipkin: int = 9411

    def shifted(self, offset: int) -> Ports:
        return replace(self, **{k: v + offset for k, v in vars(self).items()})


LOCAL_PORTS = Ports()
# GATEPOST_TEST_PORT_OFFSET moves the test stack, so two checkouts can test side by side
TEST_PORTS = Ports().shifted(int(os.environ.get("GATEPOST_TEST_PORT_OFFSET", "10000")))

SERVICES = ("auth", "media", "generator", "approval", "publisher")


def local_secrets(folder: Path) -> dict[str, str]:
    """Keys for the local run, made once per run folder (so sessions and sealed tokens survive a
    restart); one missing from an older run folder is added. Production takes every one of
    these from its environment."""
    path = folder / "secrets.json"
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    fresh = new_secrets()
    made = {**fresh, **stored}
    # a principal added since (auth reads tiktok.webhook) gets its password too
    made["kafka_passwords"] = json.dumps(
        json.loads(fresh["kafka_passwords"]) | json.loads(made["kafka_passwords"])
    )
    if made != stored:
        path.write_text(json.dumps(made))
        path.chmod(0o600)
    return made


def new_secrets() -> dict[str, str]:
    session_private, session_public = generate_keypair()
    approval_private, approval_public = generate_keypair()
    return {
        "session_private_key": session_private,
        "session_public_key": session_public,
        "approval_signing_key": approval_private,
        "approval_public_key": approval_public,
        "token_key": new_key(),
        "state_secret": f"{PLACEHOLDER_PREFIX}{secrets.token_urlsafe(24)}",
        # each service's own Ed25519 key pair, {name: [private PEM, public PEM]}: the private one
        # signs its internal calls (SERVICE_KEY); every service holds the public ones
        "service_keys": json.dumps({service: generate_keypair() for service in SERVICES}),
        # each Kafka principal's password, and the super user's and the controllers'
        "kafka_passwords": json.dumps(
            {name: secrets.token_hex(16) for name in ("admin", "controller", *KAFKA_PRINCIPALS)}
        ),
    }


def service_keys_env(stored: dict[str, str], service: str) -> dict[str, str]:
    """SERVICE_KEY (its own private key) and SERVICE_PUBLIC_KEYS (everyone's) of `service`."""
    keys = json.loads(stored["service_keys"])
    return {
        "SERVICE_KEY": keys[service][0],
        "SERVICE_PUBLIC_KEYS": json.dumps({name: pair[1] for name, pair in keys.items()}),
    }


def service_header(
    stored: dict[str, str], issuer: str, audience: str, method: str, path: str
) -> dict[str, str]:
    """The header one call from service `issuer` to `method` `path` of `audience` carries (a
    token is good for one request)."""
    private_key = json.loads(stored["service_keys"])[issuer][0]
    token = service_token(private_key, issuer, audience, time.time(), method=method, path=path)
    return {SERVICE_TOKEN_HEADER: token}


def service_auth(stored: dict[str, str], issuer: str, audience: str) -> ServiceAuth:
    """httpx authentication signing each call as service `issuer` to `audience`."""
    return ServiceAuth(issuer, json.loads(stored["service_keys"])[issuer][0], audience)
