"""Re-seal every stored TikTok token with the active key:
`python -m gatepost_auth.rotate_keys` (with TOKEN_KEYS holding the old and the new key and
ACTIVE_TOKEN_KEY naming the new one). Safe to run while auth serves: an account a refresh holds
(its lease live) is left to that refresh, which seals the new pair with the active key; one
refreshed meanwhile is already sealed with it. What is left is counted: run it again."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from gatepost_auth.adapters import TOKEN_FIELDS
from gatepost_auth.bootstrap import token_keeper
from gatepost_auth.settings import Settings
from gatepost_auth.tokens import TokenKeeper
from gatepost_common.service import infrastructure


@dataclass(frozen=True)
class Resealed:
    count: int  # accounts now sealed with the active key
    left: int  # held by a refresh or changed meanwhile: not touched


async def reseal_all(keeper: TokenKeeper) -> Resealed:
    """Re-encrypt every token not sealed with the active key (after adding a new key)."""
    cipher, count, left = keeper.cipher, 0, 0
    for account in await keeper.accounts.sealed_with_other_keys(cipher.active_key_id):
        fields = {
            name: cipher.encrypt(cipher.decrypt(account[name], account["_id"]), account["_id"])
            for name in TOKEN_FIELDS
            if name in account
        }
        if await keeper.accounts.replace_sealed(account, fields, keeper.clock.now()):
            count += 1
        else:
            left += 1
    return Resealed(count, left)


async def rotate() -> Resealed:
    settings = Settings()
    infra = infrastructure(settings, kafka=False)
    try:
        return await reseal_all(token_keeper(settings, infra))
    finally:
        await infra.mongo.close()


if __name__ == "__main__":
    done = asyncio.run(rotate())
    print(f"re-sealed {done.count} account(s) with the active key")
    if done.left:
        print(f"{done.left} account(s) were being refreshed: run this again to re-seal them")
