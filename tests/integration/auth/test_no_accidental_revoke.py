"""A key rotation while a refresh is in flight, against the real MongoDB-wire server and the TikTok
stand-in (issue 30): the creator stays connected with the pair TikTok just issued, and nothing
is revoked at TikTok (a revoke removes Gatepost from the creator's TikTok apps)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from gatepost_auth.bootstrap import token_keeper
from gatepost_auth.rotate_keys import Resealed, reseal_all
from gatepost_auth.settings import Settings
from gatepost_common.crypto import new_key
from gatepost_common.service import Infrastructure
from tests.integration.auth.conftest import AuthWorld, connected, internal_token
from tests.integration.auth.test_accounts import stored


def revokes(world: AuthWorld) -> int:
    calls = httpx.get(f"{world.tiktok}/_control/requests").json()
    return sum(1 for call in calls if call["path"] == "/v2/oauth/revoke/")


async def test_a_key_rotation_during_a_refresh_keeps_the_creator_connected(
    auth_world: AuthWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, account = connected(auth_world)
    account_id = account["account_id"]
    # a replica that knows the new key (still sealing with the old), as before a rotation, and
    # `python -m gatepost_auth.rotate_keys` with the new key active
    keys = {"local-1": auth_world.secrets["token_key"], "local-2": new_key()}
    for name, value in auth_world.env(0, TOKEN_KEYS=json.dumps(keys)).items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        auth_world.mongodb_url, tz_aware=True
    )
    infra = Infrastructure(settings, None, mongo)
    keeper = token_keeper(settings, infra)
    rotation = token_keeper(settings.model_copy(update={"active_token_key": "local-2"}), infra)
    real_refresh, passes, issued = keeper.tiktok.refresh, list[Resealed](), list[str]()

    async def rotated_meanwhile(refresh_token: str) -> Any:
        tokens = await real_refresh(refresh_token)  # TikTok rotated the refresh token
        issued.append(tokens.refresh_token)
        passes.append(await reseal_all(rotation))
        return tokens

    keeper.tiktok.refresh = rotated_meanwhile  # type: ignore[method-assign]
    before = revokes(auth_world)
    try:
        fresh = await keeper.refresh(account_id, reason="test", only_if_expiring=False)
    finally:
        # the running replicas know only local-1: every account back under it
        await reseal_all(token_keeper(settings, infra))
        await mongo.close()
    assert fresh is not None and passes[0].left >= 1, passes
    assert revokes(auth_world) == before
    doc = stored(auth_world, account_id)
    assert doc["status"] == "connected"
    assert keeper.cipher.decrypt(doc["access_token"], account_id) == fresh
    assert keeper.cipher.decrypt(doc["refresh_token"], account_id) == issued[0]
    # the replicas hand out the new token, and TikTok takes it
    assert internal_token(auth_world, 1, account_id).json()["access_token"] == fresh
    info = httpx.get(
        f"{auth_world.tiktok}/v2/user/info/?fields=open_id",
        headers={"Authorization": f"Bearer {fresh}"},
    )
    assert info.status_code == 200, info.text
