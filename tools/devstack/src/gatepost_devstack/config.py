"""Ports and secrets of one stack. Local secrets are generated once and kept in the run folder."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

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
TEST_PORTS = Ports().shifted(10000)

SERVICES = ("auth", "media", "generator", "approval", "publisher")


def local_secrets(folder: Path) -> dict[str, str]:
    """Keys for the local run, made once per run folder (so sessions and sealed tokens survive a
    restart). Production takes every one of these from its environment."""
    path = folder / "secrets.json"
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text())
        return stored
    session_private, session_public = generate_keypair()
    approval_private, approval_public = generate_keypair()
    made = {
        "session_private_key": session_private,
        "session_public_key": session_public,
        "approval_signing_key": approval_private,
        "approval_public_key": approval_public,
        "token_key": new_key(),
        "internal_token": f"{PLACEHOLDER_PREFIX}{secrets.token_urlsafe(24)}",
        "state_secret": f"{PLACEHOLDER_PREFIX}{secrets.token_urlsafe(24)}",
    }
    path.write_text(json.dumps(made))
    path.chmod(0o600)
    return made
