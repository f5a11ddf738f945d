"""auth's token rules through its composition root (`bootstrap.build`), over an in-memory
database, a fake clock and TikTok answered by a mock transport: a token is refreshed before it
expires and once however many ask at the same time; TikTok's refusal of the refresh chain makes
the account need reconnecting (with the reason), a passing failure backs off and says when it
tries again; a chain that ended is not even tried; disconnecting revokes at TikTok."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from gatepost_auth.bootstrap import build
from gatepost_auth.domain import NeedsReauth, RefreshUnavailable
from gatepost_auth.ending import disconnect
from gatepost_auth.handlers import Auth
from gatepost_auth.mail import Mail
from gatepost_auth.settings import Settings
from gatepost_common.clock import Clock
from tests.unit.memory import MemoryDatabase

DAY = 86_400


class FakeClock(Clock):
    def __init__(self) -> None:
        self.at = datetime(2026, 11, 23, 12, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


class FakeTikTok:
    """TikTok's OAuth and user info, as the production client reaches them."""

    def __init__(self) -> None:
        self.issued = 0
        self.refreshes: list[str] = []
        self.revoked: list[str] = []
        self.revoke_answer: tuple[int, dict[str, str]] = (200, {})
        self.refresh_error: tuple[int, str] | None = None
        self.slow_s = 0.0
        # what happens elsewhere while TikTok answers a refresh (a key rotation, a reconnect)
        self.during_refresh: Callable[[], Awaitable[object]] | None = None
        # refresh tokens answered with something that is not TikTok's JSON: (status, body)
        self.unreadable: dict[str, tuple[int, str]] = {}

    def tokens(self) -> dict[str, Any]:
        self.issued += 1
        return {
            "open_id": "creator-1",
            "access_token": f"act.{self.issued}",
            "expires_in": DAY,
            "refresh_token": f"rft.{self.issued}",
            "refresh_expires_in": 365 * DAY,
            "scope": "user.info.basic,video.publish,video.upload",
            "token_type": "Bearer",
        }

    async def answer(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        if request.url.path == "/v2/oauth/token/" and form["grant_type"] == "authorization_code":
            return httpx.Response(200, json=self.tokens())
        if request.url.path == "/v2/oauth/token/":
            self.refreshes.append(form["refresh_token"])
            await asyncio.sleep(self.slow_s)
            if self.during_refresh is not None:
                await self.during_refresh()
            if form["refresh_token"] in self.unreadable:
                status, body = self.unreadable[form["refresh_token"]]
                return httpx.Response(status, text=body, headers={"content-type": "text/html"})
            if self.refresh_error:
                status, error = self.refresh_error
                return httpx.Response(status, json={"error": error, "log_id": "log-1"})
            return httpx.Response(200, json=self.tokens())
        if request.url.path == "/v2/oauth/revoke/":
            self.revoked.append(form["token"])
            status, body = self.revoke_answer
            return httpx.Response(status, json=body)
        if request.url.path == "/v2/user/info/":
            user = {"open_id": "creator-1", "display_name": "Balcony Gardener", "avatar_url": ""}
            return httpx.Response(200, json={"data": {"user": user}, "error": {"code": "ok"}})
        return httpx.Response(404, json={"error": "not_found"})


class Outbox:
    def __init__(self) -> None:
        self.sent: list[Mail] = []

    async def send(self, mail: Mail) -> None:
        self.sent.append(mail)


def key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


async def connected(refresh_window_s: int = 3600) -> tuple[Auth, FakeTikTok, FakeClock, str]:
    tiktok, clock = FakeTikTok(), FakeClock()
    settings = Settings(
        session_private_key="unused",
        session_public_key="unused",
        token_keys={"k1": key()},
        active_token_key="k1",
        state_secret="s" * 32,
        tiktok_client_key="client",
        tiktok_client_secret="secret",
        tiktok_redirect_uri="https://gatepost.example/callback",
        smtp_url="smtp://mail.example:587",
        refresh_window_s=refresh_window_s,
        refresh_lease_s=5,
    )
    http = httpx.AsyncClient(
        base_url="https://tiktok", transport=httpx.MockTransport(tiktok.answer)
    )
    auth = build(settings, MemoryDatabase(), http, clock, Outbox())
    account_id = await auth.connect("u1", "code-1", None)
    return auth, tiktok, clock, account_id


async def test_a_fresh_token_is_used_as_it_is_and_one_near_expiry_is_refreshed_once() -> None:
    auth, tiktok, clock, account_id = await connected()
    assert await auth.keeper.access_token(account_id) == "act.1"
    assert tiktok.refreshes == []
    clock.at += timedelta(seconds=DAY - 1800)  # inside the refresh window
    tiktok.slow_s = 0.3  # several callers arrive while TikTok answers the first
    tokens = await asyncio.gather(*(auth.keeper.access_token(account_id) for _ in range(5)))
    assert tokens == ["act.2"] * 5
    assert tiktok.refreshes == ["rft.1"]  # one refresh, under the lease
    account = await auth.accounts.get(account_id)
    assert account is not None and account["tokens_at"] == clock.at  # the account's health


async def test_a_refused_refresh_chain_needs_reconnecting_and_says_why() -> None:
    auth, tiktok, _clock, account_id = await connected()
    tiktok.refresh_error = (400, "invalid_grant")
    with pytest.raises(NeedsReauth):
        await auth.keeper.access_token(account_id, rejected=True)
    account = await auth.accounts.get(account_id)
    assert account is not None and account["status"] == "needs_reauth"
    assert "invalid_grant" in account["reauth_reason"]
    with pytest.raises(NeedsReauth):  # and TikTok is not asked again
        await auth.keeper.access_token(account_id)
    assert tiktok.refreshes == ["rft.1"]


async def test_a_passing_failure_backs_off_and_tells_when_it_tries_again() -> None:
    auth, tiktok, clock, account_id = await connected()
    tiktok.refresh_error = (503, "temporarily_unavailable")
    with pytest.raises(RefreshUnavailable):
        await auth.keeper.access_token(account_id, rejected=True)
    account = await auth.accounts.get(account_id)
    assert account is not None
    assert account["status"] == "connected" and account["refresh_failures"] == 1
    assert account["next_refresh_at"] > clock.at


async def test_a_refresh_chain_that_ended_is_not_tried() -> None:
    auth, tiktok, clock, account_id = await connected()
    clock.at += timedelta(days=366)
    with pytest.raises(NeedsReauth):
        await auth.keeper.access_token(account_id)
    assert tiktok.refreshes == []
    account = await auth.accounts.get(account_id)
    assert account is not None and "reconnect it" in account["reauth_reason"]


async def test_a_token_replaced_meanwhile_is_not_refreshed_again() -> None:
    auth, tiktok, _clock, account_id = await connected()
    rejected = hashlib.sha256(b"act.0").hexdigest()  # not the current one: another's
    assert await auth.keeper.access_token(account_id, rejected=True, rejected_sha256=rejected) == (
        "act.1"
    )
    assert tiktok.refreshes == []


async def test_disconnecting_revokes_at_tiktok_and_forgets_the_tokens() -> None:
    auth, tiktok, _clock, account_id = await connected()
    await disconnect(auth.keeper, account_id)
    assert tiktok.revoked == ["act.1"]
    account = await auth.accounts.get(account_id)
    assert account is not None and account["status"] == "disconnected"
    assert "access_token" not in account and "refresh_token" not in account
    kinds = [e["kind"] for e in await auth.keeper.audit.for_account(account_id)]
    assert kinds[:2] == ["revoked", "connected"]  # newest first


@pytest.mark.parametrize("status", [200, 400])
async def test_a_revoke_tiktok_refuses_as_already_ended_disconnects_with_either_status(
    status: int,
) -> None:
    """TikTok's revoke errors may come with HTTP 200 (as its token errors do) or 400: unconfirmed,
    so both readings are handled alike."""
    auth, tiktok, _clock, account_id = await connected()
    tiktok.revoke_answer = (status, {"error": "invalid_request", "log_id": "log-1"})
    await disconnect(auth.keeper, account_id)
    account = await auth.accounts.get(account_id)
    assert account is not None and account["status"] == "disconnected"
    assert "access_token" not in account


@pytest.mark.parametrize("status", [200, 503])
async def test_a_revoke_that_failed_on_tiktoks_side_keeps_the_connection(status: int) -> None:
    """A passing failure (`server_error`, with HTTP 200 or 5xx) is not an ended token: the
    tokens are kept and the person may try again."""
    auth, tiktok, _clock, account_id = await connected()
    tiktok.revoke_answer = (status, {"error": "server_error", "log_id": "log-1"})
    with pytest.raises(RefreshUnavailable):
        await disconnect(auth.keeper, account_id)
    account = await auth.accounts.get(account_id)
    assert account is not None and "access_token" in account
