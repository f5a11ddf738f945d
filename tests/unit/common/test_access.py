"""docs/ACCESS.md shows who may do what; the tables in it are exactly gatepost_common.access's,
which the services, the local Kafka's ACLs and docker-compose.yml's kafka-init enforce."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gatepost_common.access import (
    INTERNAL,
    INTERNAL_ROUTES,
    SERVICE_TOKEN_HEADER,
    TOPICS,
    CallerKeys,
    service_token,
)
from gatepost_common.provided import provide
from gatepost_common.signing import generate_keypair

DOC = Path(__file__).parents[3] / "docs" / "ACCESS.md"


def route_rows() -> list[str]:
    return [
        f"| {service} | `{route}` | {', '.join(sorted(callers))} |"
        for service, routes in INTERNAL_ROUTES.items()
        for route, callers in routes.items()
    ]


def topic_rows() -> list[str]:
    return [
        f"| `{topic}` | {', '.join(sorted(a.writers))} | {', '.join(sorted(a.readers))} |"
        for topic, a in TOPICS.items()
    ]


def test_the_documented_tables_are_the_enforced_ones() -> None:
    lines = DOC.read_text().splitlines()
    documented = {line for line in lines if line.startswith("| ") and not line.startswith("| -")}
    for row in route_rows() + topic_rows():
        assert row in documented, f"docs/ACCESS.md lacks: {row}"
    headers = {
        "| Service | Internal route | May be called by |",
        "| Topic | Written by | Read by |",
    }
    extra = documented - set(route_rows()) - set(topic_rows()) - headers
    assert not [row for row in extra if "`" in row], f"documented but not enforced: {extra}"


@pytest.fixture
def app() -> tuple[TestClient, dict[str, str]]:
    keys = {name: generate_keypair() for name in ("generator", "publisher")}
    service = provide(
        FastAPI(), {CallerKeys: CallerKeys("auth", {name: p[1] for name, p in keys.items()})}
    )
    dependency = INTERNAL

    @service.post("/internal/accounts/{account_id}/token", dependencies=[dependency])
    async def token(account_id: str) -> dict[str, str]:
        return {"account_id": account_id}

    @service.post("/internal/not-in-the-table", dependencies=[dependency])
    async def unlisted() -> dict[str, str]:
        return {}

    return TestClient(service), {name: pair[0] for name, pair in keys.items()}


def header(
    key: str, issuer: str, audience: str = "auth", at: float | None = None
) -> dict[str, str]:
    return {SERVICE_TOKEN_HEADER: service_token(key, issuer, audience, at or time.time())}


def test_a_route_opens_to_the_callers_the_table_names_and_no_one_else(app: Any) -> None:
    client, keys = app
    url = "/internal/accounts/a1/token"
    assert client.post(url, headers=header(keys["publisher"], "publisher")).status_code == 200
    assert client.post(url, headers=header(keys["generator"], "generator")).status_code == 403
    # a route the table does not name is closed to everyone
    unlisted = client.post(
        "/internal/not-in-the-table", headers=header(keys["publisher"], "publisher")
    )
    assert unlisted.status_code == 403


def test_forged_expired_or_misaddressed_tokens_are_refused(app: Any) -> None:
    client, keys = app
    url = "/internal/accounts/a1/token"
    refused = [
        {},
        {SERVICE_TOKEN_HEADER: "not a token"},
        header(keys["generator"], "publisher"),  # the publisher's name, the generator's key
        header(keys["publisher"], "publisher", audience="media"),
        header(keys["publisher"], "publisher", at=time.time() - 300),
        header(keys["publisher"], "nobody-we-know"),
        # unsigned ("alg": "none") tokens are never accepted
        {
            SERVICE_TOKEN_HEADER: jwt.encode(
                {"iss": "publisher", "aud": "auth"}, None, algorithm="none"
            )
        },
    ]
    for headers in refused:
        assert client.post(url, headers=headers).status_code == 401, headers
