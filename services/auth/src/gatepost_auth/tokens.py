"""The life of a connected account's tokens: store sealed, hand out fresh, refresh before expiry
(one replica at a time), mark `needs_reauth`. The loop renewing them ahead of time: renewal.py;
ending a connection (revoking): ending.py; re-sealing under a new key: rotate_keys.py."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

import httpx

from gatepost_auth.adapters import MongoAccountRepository
from gatepost_auth.domain import (
    TRANSIENT_OAUTH_ERRORS,
    Account,
    AccountStatus,
    NeedsReauth,
    RefreshUnavailable,
    UnknownAccount,
    backoff,
    needs_refresh,
    usable,
)
from gatepost_auth.rotated import keep_issued
from gatepost_auth.settings import Settings
from gatepost_common.audit import AuditLog
from gatepost_common.clock import Clock
from gatepost_common.crypto import TokenCipher
from gatepost_common.tiktok import TikTokClient, TikTokError
from gatepost_common.tiktok_oauth import TikTokOAuthError, TokenSet

logger = logging.getLogger(__name__)
T = TypeVar("T")
LEASE_WAIT_S = 0.2


@dataclass
class TokenKeeper:
    settings: Settings
    accounts: MongoAccountRepository
    cipher: TokenCipher
    tiktok: TikTokClient
    audit: AuditLog
    clock: Clock
    owner: str = field(default_factory=lambda: f"auth-{uuid.uuid4()}")

    def sealed(self, account_id: str, tokens: TokenSet) -> dict[str, object]:
        now = self.clock.now()
        return {
            "access_token": self.cipher.encrypt(tokens.access_token, account_id),
            "refresh_token": self.cipher.encrypt(tokens.refresh_token, account_id),
            "access_expires_at": now + timedelta(seconds=tokens.expires_in),
            "refresh_expires_at": now + timedelta(seconds=tokens.refresh_expires_in),
            "scope": tokens.scope,
            "tokens_at": now,  # when TikTok last issued them (connected or refreshed)
            "status": AccountStatus.CONNECTED.value,
            "reauth_reason": None,
            "refresh_failures": 0,
            "next_refresh_at": None,
        }

    async def needs_reauth(
        self, account_id: str, error: str, log_id: str, reason: str
    ) -> NeedsReauth:
        """Only its owner can restore the account (by connecting again): store why; the caller
        raises the answer."""
        await self.accounts.finish_lease(
            account_id,
            self.owner,
            {"status": AccountStatus.NEEDS_REAUTH.value, "reauth_reason": reason},
        )
        await self.audit.append(
            account_id, "refresh_failed", error=error, log_id=log_id, outcome="needs_reauth"
        )
        logger.warning(
            "refresh refused: account needs re-authorisation",
            extra={"fields": {"account_id": account_id, "error": error}},
        )
        return NeedsReauth(account_id)

    async def on_behalf(self, account_id: str, call: Callable[[str], Awaitable[T]]) -> T:
        """A TikTok call with the account's token; when TikTok says the token is no longer
        valid (`access_token_invalid`), refreshed once and asked again."""
        try:
            return await call(await self.access_token(account_id))
        except TikTokError as error:
            if error.code != "access_token_invalid":
                raise
        return await call(await self.access_token(account_id, rejected=True))

    async def access_token(
        self, account_id: str, *, rejected: bool = False, rejected_sha256: str | None = None
    ) -> str:
        """A valid access token, refreshed first when near expiry or when TikTok rejected it.
        A rejected token named by its hash that is no longer the current one (another caller
        had it refreshed meanwhile) refreshes nothing: the current token is the answer."""
        for _ in range(int(self.settings.refresh_lease_s / LEASE_WAIT_S) + 10):
            account = await self.accounts.get(account_id)
            if account is None or not usable(account):
                raise UnknownAccount(account_id)
            if account.get("status") == AccountStatus.NEEDS_REAUTH:
                raise NeedsReauth(account_id)
            window = timedelta(seconds=self.settings.refresh_window_s)
            if rejected and rejected_sha256 and self.replaced(account, rejected_sha256):
                rejected = False  # replaced already: the current one, unless it is due too
            stale = rejected or needs_refresh(
                self.clock.now(), account["access_expires_at"], window
            )
            if not stale:
                return self.cipher.decrypt(account["access_token"], account_id)
            refreshed = await self.refresh(
                account_id,
                reason="rejected" if rejected else "expiring",
                only_if_expiring=not rejected,
            )
            if refreshed is not None:
                return refreshed
            # another replica holds the lease: wait for its result instead of refreshing twice
            await asyncio.sleep(LEASE_WAIT_S)
            rejected = False
            previous = account["access_token"]
            current = await self.accounts.get(account_id)
            if current is not None and current.get("access_token") != previous:
                return self.cipher.decrypt(current["access_token"], account_id)
        raise RefreshUnavailable(account_id)

    def replaced(self, account: Account, rejected_sha256: str) -> bool:
        """Whether the account's current token is another than the one TikTok rejected."""
        current = self.cipher.decrypt(account["access_token"], account["_id"])
        return hashlib.sha256(current.encode()).hexdigest() != rejected_sha256

    async def refresh(self, account_id: str, reason: str, *, only_if_expiring: bool) -> str | None:
        """Refresh under a lease; returns the new access token, or None if another holds it.
        With `only_if_expiring`, also None when the token no longer expires within the window:
        what the caller saw as due may have been refreshed by another replica meanwhile."""
        now = self.clock.now()
        lease = timedelta(seconds=self.settings.refresh_lease_s)
        window = timedelta(seconds=self.settings.refresh_window_s)
        account = await self.accounts.take_lease(
            account_id, self.owner, now, lease, now + window if only_if_expiring else None
        )
        if account is None:
            return None
        ended = account.get("refresh_expires_at")
        if ended is not None and ended <= now:  # the end of TikTok's refresh chain: no call
            day = ended.date().isoformat()
            raise await self.needs_reauth(
                account_id,
                "refresh_expired",
                "",
                f"TikTok's authorisation of this account ended on {day} (it lasts a fixed time "
                "from connecting): reconnect it",
            )
        used = self.cipher.decrypt(account["refresh_token"], account_id)
        try:
            async with asyncio.timeout(self.settings.refresh_timeout_s):
                tokens = await self.tiktok.refresh(used)
        except TimeoutError:
            await self.transient_failure(account, "timeout")
            raise RefreshUnavailable(account_id) from None
        except TikTokOAuthError as error:
            if error.error in TRANSIENT_OAUTH_ERRORS or error.http_status >= 500:
                await self.transient_failure(account, str(error.error))
                raise RefreshUnavailable(account_id) from None
            raise await self.needs_reauth(
                account_id,
                error.error,
                error.log_id,
                f"TikTok no longer accepts this account's authorisation ({error.error}): "
                "reconnect it",
            ) from None
        except httpx.HTTPError as error:
            await self.transient_failure(account, type(error).__name__)
            raise RefreshUnavailable(account_id) from None
        except (ValueError, KeyError, TypeError) as error:
            # not TikTok's token JSON (an edge's HTML page, a cut body): try again later
            await self.transient_failure(account, f"unreadable answer ({type(error).__name__})")
            raise RefreshUnavailable(account_id) from None
        return await keep_issued(self, account, used, tokens, reason)

    async def transient_failure(self, account: Account, error: str) -> None:
        failures = int(account.get("refresh_failures") or 0) + 1
        delay = backoff(failures, timedelta(seconds=self.settings.refresh_max_backoff_s))
        await self.accounts.finish_lease(
            str(account["_id"]),
            self.owner,
            {"refresh_failures": failures, "next_refresh_at": self.clock.now() + delay},
        )
        await self.audit.append(
            str(account["_id"]),
            "refresh_failed",
            error=error,
            outcome="retry",
            retry_in_s=int(delay.total_seconds()),
        )
