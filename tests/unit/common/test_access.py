"""gatepost_common.access: an internal route opens only to the services its table names, with a
valid token (docs/architecture.md shows the table: tests/unit/contracts keeps them equal)."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gatepost_common.access import (
    INTERNAL,
    SERVICE_TOKEN_HEADER,
    CallerKeys,
    service_token,
)
from gatepost_common.provided import provide
from gatepost_common.signing import generate_keypair


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
