"""Auth under test: its own TikTok stand-in and two auth replicas sharing one database (the real
MongoDB-wire server of the stack), with a clock that tests can move together with TikTok's. They
read tiktok.webhook on the stack's Kafka in a consumer group of their own (as the super user: the
`auth` principal may read only the group `auth`, the stack's own auth)."""

from __future__ import annotations

import hashlib
import json
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from gatepost_common.cloud_event import CloudEvent
from gatepost_common.crypto import TokenCipher
from gatepost_common.topics import TIKTOK_WEBHOOK
from gatepost_devstack.config import TEST_PORTS, service_auth, service_keys_env
from gatepost_devstack.outside import produce, tiktok_webhook
from gatepost_devstack.stack import Stack, http_ok, sign_up_by_link
from gatepost_devstack.supervisor import Supervisor, port_open
from gatepost_publisher.webhooks import forward

# beside the test stack's ports, moved with them (GATEPOST_TEST_PORT_OFFSET): 18290, 18201-2
TIKTOK_PORT = TEST_PORTS.tiktok + 200
REPLICA_PORTS = (TEST_PORTS.auth + 200, TEST_PORTS.auth + 201)


@dataclass
class AuthWorld:
    replicas: list[str]
    tiktok: str
    secrets: dict[str, str]
    database: str
    clock_file: Path
    logs: Path
    mongodb_url: str
    kafka: dict[str, str]  # KAFKA_* of the replicas
    stack: Stack

    def advance(self, seconds: float) -> None:
        current = float(self.clock_file.read_text() or 0) if self.clock_file.exists() else 0.0
        self.clock_file.write_text(str(current + seconds))
        httpx.post(
            f"{self.tiktok}/_control/clock/advance", params={"seconds": seconds}
        ).raise_for_status()

    def now(self) -> float:
        """The time of auth and TikTok under test (moved together by `advance`)."""
        offset = float(self.clock_file.read_text() or 0) if self.clock_file.exists() else 0.0
        return time.time() + offset

    async def tiktok_says(self, event: str, open_id: str, **content: object) -> None:
        """A TikTok webhook, sent now by TikTok's clock, as the publisher's receiver writes it
        to tiktok.webhook."""

        async def to_kafka(made: CloudEvent[Any], key: str) -> None:
            body = made.model_dump_json().encode()
            await produce(self.stack.kafka_bootstrap, TIKTOK_WEBHOOK, body, key)

        sent = json.loads(tiktok_webhook(event, open_id, **content))
        await forward(to_kafka, json.dumps({**sent, "create_time": int(self.now())}).encode())

    @property
    def mailbox(self) -> Path:
        return self.logs.parent / "mailbox.jsonl"

    def cipher(self) -> TokenCipher:
        return TokenCipher.from_config({"local-1": self.secrets["token_key"]}, "local-1")

    def env(self, port: int, **extra: str) -> dict[str, str]:
        s = self.secrets
        return {
            "ENVIRONMENT": "test",
            "HTTP_PORT": str(port),
            "MONGODB_URL": self.mongodb_url,
            "MONGODB_DATABASE": self.database,
            "SESSION_PUBLIC_KEY": s["session_public_key"],
            "SESSION_PRIVATE_KEY": s["session_private_key"],
            **service_keys_env(s, "auth"),
            "MAILBOX_FILE": str(self.mailbox),
            "PUBLIC_URL": self.replicas[0],
            "TOKEN_KEYS": json.dumps({"local-1": s["token_key"]}),
            "ACTIVE_TOKEN_KEY": "local-1",
            "STATE_SECRET": s["state_secret"],
            "COOKIE_SECURE": "false",
            "TIKTOK_CLIENT_KEY": "gatepost-local",
            "TIKTOK_CLIENT_SECRET": "local-only-tiktok-client-secret",
            "TIKTOK_API_BASE": self.tiktok,
            "TIKTOK_AUTHORIZE_URL": f"{self.tiktok}/v2/auth/authorize/",
            "TIKTOK_REDIRECT_URI": f"{self.replicas[0]}/tiktok/callback",
            "AFTER_CONNECT_URL": "/accounts",
            "CLOCK_OFFSET_FILE": str(self.clock_file),
            "REFRESH_INTERVAL_S": "0.5",
            "REFRESH_WINDOW_S": "3600",
            **self.kafka,
            **extra,
        }


@pytest.fixture(scope="session")
def auth_world(stack: Stack) -> Iterator[AuthWorld]:
    folder = stack.folder / "auth-under-test"
    folder.mkdir(exist_ok=True)
    clock = folder / "clock-offset"
    clock.write_text("0")
    world = AuthWorld(
        replicas=[f"http://127.0.0.1:{p}" for p in REPLICA_PORTS],
        tiktok=f"http://127.0.0.1:{TIKTOK_PORT}",
        secrets=stack.secrets,
        database=f"gatepost_authtest_{uuid.uuid4().hex[:8]}",
        clock_file=clock,
        logs=folder / "logs",
        mongodb_url=stack.mongodb_url,
        kafka=kafka_env(stack),
        stack=stack,
    )
    config = folder / "tiktok.json"
    config.write_text(
        json.dumps(
            {"redirect_uris": [f"{world.replicas[0]}/tiktok/callback"], "auto_consent": True}
        )
    )
    supervisor = Supervisor(world.logs)
    try:
        supervisor.start(
            "tiktok",
            [
                sys.executable,
                "-m",
                "gatepost_standins.tiktok",
                "--port",
                str(TIKTOK_PORT),
                "--config",
                str(config),
            ],
            ready=lambda: port_open("127.0.0.1", TIKTOK_PORT),
        )
        for index, port in enumerate(REPLICA_PORTS):
            supervisor.start(
                f"auth-{index}",
                [sys.executable, "-m", "gatepost_auth"],
                env=world.env(port),
                ready=lambda port=port: http_ok(f"http://127.0.0.1:{port}/readyz"),
            )
        yield world
    finally:
        supervisor.stop()


def kafka_env(stack: Stack) -> dict[str, str]:
    admin = stack.kafka_options()
    return {
        "KAFKA_BOOTSTRAP_SERVERS": stack.kafka_bootstrap,
        "KAFKA_USERNAME": admin.get("sasl_plain_username", ""),
        "KAFKA_PASSWORD": admin.get("sasl_plain_password", ""),
        "WEBHOOK_CONSUMER_GROUP": f"auth-under-test-{uuid.uuid4().hex[:8]}",
    }


def client(base: str) -> httpx.Client:
    """A browser-like client of one replica: cookies kept, CSRF cookie echoed."""
    http = httpx.Client(base_url=base, follow_redirects=True, timeout=30)

    def echo_csrf(request: httpx.Request) -> None:
        if token := http.cookies.get("gatepost_csrf"):
            request.headers["X-CSRF-Token"] = token

    http.event_hooks["request"].append(echo_csrf)
    return http


def signed_up(world: AuthWorld) -> httpx.Client:
    http = client(world.replicas[0])
    email = f"a-{uuid.uuid4().hex[:10]}@example.com"
    sign_up_by_link(http, world.mailbox, email, "correct horse")
    return http


def new_creator(world: AuthWorld, nickname: str = "Creator") -> str:
    answer = httpx.post(
        f"{world.tiktok}/_control/creators",
        json={"username": f"c{uuid.uuid4().hex[:6]}", "nickname": nickname},
    )
    open_id: str = answer.json()["open_id"]
    httpx.post(f"{world.tiktok}/_control/consent-as/{open_id}").raise_for_status()
    return open_id


def connected(world: AuthWorld, nickname: str = "Creator") -> tuple[httpx.Client, dict[str, Any]]:
    """A signed-up user with one freshly connected TikTok account (a creator of its own)."""
    http = signed_up(world)
    new_creator(world, nickname)
    landed = http.get("/tiktok/connect")
    assert landed.status_code == 200 and landed.url.path == "/accounts", landed.text
    [account] = landed.json()
    return http, account


def internal_token(
    world: AuthWorld,
    replica: int,
    account_id: str,
    rejected: bool = False,
    rejected_token: str | None = None,
) -> httpx.Response:
    """The publisher's call for a fresh token, for the account's owner; `rejected_token`: the
    token TikTok refused, named by its hash."""
    with MongoClient(world.mongodb_url) as mongo:
        account = mongo[world.database]["accounts"].find_one({"_id": account_id}) or {}
    body = {"current_token_rejected": rejected, "user_id": account.get("user_id", "nobody")}
    if rejected_token is not None:
        body["rejected_token_sha256"] = hashlib.sha256(rejected_token.encode()).hexdigest()
    return httpx.post(
        f"{world.replicas[replica]}/internal/accounts/{account_id}/token",
        json=body,
        auth=service_auth(world.secrets, "publisher", "auth"),
        timeout=60,
    )
