"""Re-seal every stored TikTok token with the active key:
`python -m gatepost_auth.rotate_keys` (with TOKEN_KEYS holding the old and the new key and
ACTIVE_TOKEN_KEY naming the new one). Safe to run while auth serves: a token refreshed meanwhile
is already sealed with the new key and is left alone."""

from __future__ import annotations

import asyncio

from gatepost_auth.bootstrap import token_keeper
from gatepost_auth.settings import Settings
from gatepost_common.service import infrastructure


async def rotate() -> int:
    settings = Settings()
    infra = infrastructure(settings, kafka=False)
    try:
        return await token_keeper(settings, infra).reseal_all()
    finally:
        await infra.mongo.close()


if __name__ == "__main__":
    print(f"re-sealed {asyncio.run(rotate())} account(s) with the active key")
