"""Re-seal every stored TikTok token with the active key:
`python -m gatepost_auth.rotate_keys` (with TOKEN_KEYS holding the old and the new key and
ACTIVE_TOKEN_KEY naming the new one). Safe to run while auth serves: a token refreshed meanwhile
is already sealed with the new key and is left alone."""

from __future__ import annotations

import asyncio

from gatepost_auth.adapters import TOKEN_FIELDS
from gatepost_auth.bootstrap import token_keeper
from gatepost_auth.settings import Settings
from gatepost_auth.tokens import TokenKeeper
from gatepost_common.service import infrastructure


async def reseal_all(keeper: TokenKeeper) -> int:
    """Re-encrypt every token not sealed with the active key (after adding a new key)."""
    cipher, count = keeper.cipher, 0
    for account in await keeper.accounts.sealed_with_other_keys(cipher.active_key_id):
        fields = {
            name: cipher.encrypt(cipher.decrypt(account[name], account["_id"]), account["_id"])
            for name in TOKEN_FIELDS
            if name in account
        }
        count += await keeper.accounts.replace_sealed(account, fields)
    return count


async def rotate() -> int:
    settings = Settings()
    infra = infrastructure(settings, kafka=False)
    try:
        return await reseal_all(token_keeper(settings, infra))
    finally:
        await infra.mongo.close()


if __name__ == "__main__":
    print(f"re-sealed {asyncio.run(rotate())} account(s) with the active key")
