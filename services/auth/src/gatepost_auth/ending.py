"""Ending a connection: the person disconnects (revoked at TikTok, then the tokens forgotten), or
TikTok says the person removed the app (authorization.removed): the same end state, the audit
trail kept."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from gatepost_auth.domain import (
    TRANSIENT_OAUTH_ERRORS,
    AccountStatus,
    RefreshUnavailable,
    UnknownAccount,
)
from gatepost_auth.tokens import TokenKeeper
from gatepost_common.tiktok_oauth import TikTokOAuthError

logger = logging.getLogger(__name__)


async def disconnect(keeper: TokenKeeper, account_id: str) -> None:
    """Revoke at TikTok, then forget the tokens; the audit trail stays."""
    account = await keeper.accounts.get(account_id)
    if account is None:
        raise UnknownAccount(account_id)
    if "access_token" in account:
        try:
            await keeper.tiktok.revoke(keeper.cipher.decrypt(account["access_token"], account_id))
        except TikTokOAuthError as error:
            # TikTok's revoke errors may come with HTTP 200 or 4xx (unconfirmed): its error code,
            # not the status, tells a passing failure (try again) from a token already ended
            if error.http_status >= 500 or error.error in TRANSIENT_OAUTH_ERRORS:
                raise RefreshUnavailable(account_id) from None
            # already invalid at TikTok: nothing left to revoke there
    await keeper.accounts.drop_tokens(account_id, AccountStatus.DISCONNECTED, keeper.clock.now())
    await keeper.audit.append(account_id, "revoked", by="user")


async def authorization_removed(
    keeper: TokenKeeper, open_id: str, reason: int, created: datetime | None = None
) -> int:
    """TikTok told us (webhook, sent at `created`) that the user removed the app: the same end
    state as a disconnect, for each connection that began before it. A connection made since
    (a redelivery after a reconnect) is not TikTok's removal's: it stays. Told again, nothing
    changes: the count is of accounts ended now."""
    # TikTok's create_time has whole seconds: a connection within that second is ended (the
    # removal may be the newer), one in a later second is newer than the removal
    before = created + timedelta(seconds=1) if created is not None else None
    ended = 0
    for account in await keeper.accounts.with_open_id(open_id):
        if await keeper.accounts.end_if_connected_before(
            account["_id"], before, keeper.clock.now()
        ):
            await keeper.audit.append(account["_id"], "revoked", by="tiktok", reason=reason)
            ended += 1
        elif account.get("status") != AccountStatus.DISCONNECTED:
            logger.info(
                "authorization.removed older than the connection: ignored",
                extra={"fields": {"account_id": account["_id"], "created": str(created)}},
            )
    return ended
