"""Ending a connection: the person disconnects (revoked at TikTok, then the tokens forgotten), or
TikTok says the person removed the app (authorization.removed): the same end state, the audit
trail kept."""

from __future__ import annotations

from gatepost_auth.domain import AccountStatus, RefreshUnavailable, UnknownAccount
from gatepost_auth.tokens import TokenKeeper
from gatepost_common.tiktok_oauth import TikTokOAuthError


async def disconnect(keeper: TokenKeeper, account_id: str) -> None:
    """Revoke at TikTok, then forget the tokens; the audit trail stays."""
    account = await keeper.accounts.get(account_id)
    if account is None:
        raise UnknownAccount(account_id)
    if "access_token" in account:
        try:
            await keeper.tiktok.revoke(keeper.cipher.decrypt(account["access_token"], account_id))
        except TikTokOAuthError as error:
            if error.http_status >= 500:
                raise RefreshUnavailable(account_id) from None
            # already invalid at TikTok: nothing left to revoke there
    await keeper.accounts.drop_tokens(account_id, AccountStatus.DISCONNECTED, keeper.clock.now())
    await keeper.audit.append(account_id, "revoked", by="user")


async def authorization_removed(keeper: TokenKeeper, open_id: str, reason: int) -> int:
    """TikTok told us (webhook) that the user removed the app: same end state as disconnect.
    Told again (a repeated delivery), nothing changes: the count is of accounts ended now."""
    accounts = [
        a
        for a in await keeper.accounts.with_open_id(open_id)
        if a.get("status") != AccountStatus.DISCONNECTED
    ]
    for account in accounts:
        await keeper.accounts.drop_tokens(
            account["_id"], AccountStatus.DISCONNECTED, keeper.clock.now()
        )
        await keeper.audit.append(account["_id"], "revoked", by="tiktok", reason=reason)
    return len(accounts)
