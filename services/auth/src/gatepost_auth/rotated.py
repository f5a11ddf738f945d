"""The pair TikTok issued on a refresh: stored by compare-and-set on the refresh token's
ciphertext read under the lease. When that is lost the account is read again, for only one case
is a reason to give the new token back: the person disconnected meanwhile. A revoke ends the
creator's whole authorisation of Gatepost (the app leaves their TikTok settings), so a pair
that lost to anything else is stored or dropped, never revoked."""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from gatepost_auth.domain import Account, AccountStatus, NeedsReauth, RefreshUnavailable
from gatepost_common.tiktok_oauth import TokenSet

if TYPE_CHECKING:
    from gatepost_auth.tokens import TokenKeeper

logger = logging.getLogger(__name__)
STORE_ATTEMPTS = 5  # each lost one means the ciphertext changed again under a live refresh


async def keep_issued(
    keeper: TokenKeeper, account: Account, used: str, tokens: TokenSet, reason: str
) -> str:
    """The access token to hand out once TikTok answered the refresh with `used`: the new one,
    stored; or, when another pair was stored meanwhile (a reconnect), that one."""
    account_id = account["_id"]
    fields = keeper.sealed(account_id, tokens)
    expected = account["refresh_token"]
    for _ in range(STORE_ATTEMPTS):
        if await keeper.accounts.store_rotated(account_id, expected, fields):
            await keeper.audit.append(
                account_id, "token_refreshed", reason=reason, expires_in=tokens.expires_in
            )
            return tokens.access_token
        current = await keeper.accounts.get(account_id)
        if current is None or current.get("status") == AccountStatus.DISCONNECTED:
            logger.info(
                "refresh outlived a disconnect", extra={"fields": {"account_id": account_id}}
            )
            with contextlib.suppress(Exception):  # the person's disconnect stands either way
                await keeper.tiktok.revoke(tokens.access_token)
            raise NeedsReauth(account_id)
        if current.get("status") != AccountStatus.CONNECTED or not holds(keeper, current, used):
            return await another_pair_stands(keeper, current)
        # still connected with the token that was used, sealed anew (a key rotation): again
        expected = current["refresh_token"]
    raise RefreshUnavailable(account_id)


def holds(keeper: TokenKeeper, account: Account, used: str) -> bool:
    """Whether the account's stored refresh token is `used`, whatever key seals it."""
    try:
        return keeper.cipher.decrypt(account["refresh_token"], account["_id"]) == used
    except Exception:  # no refresh token, or sealed with a key this replica lacks: not provably
        return False


async def another_pair_stands(keeper: TokenKeeper, account: Account) -> str:
    """A reconnect (or a refresh after this one's lease ran out) stored its own pair: it
    stands, this one is dropped; the lease is given back if still held."""
    account_id = account["_id"]
    logger.info("a newer pair was stored meanwhile", extra={"fields": {"account_id": account_id}})
    await keeper.accounts.finish_lease(account_id, keeper.owner, {})
    if account.get("status") != AccountStatus.CONNECTED:
        raise NeedsReauth(account_id)
    return keeper.cipher.decrypt(account["access_token"], account_id)
