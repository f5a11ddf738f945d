"""Composition root of the auth service."""

import httpx
from fastapi import FastAPI

from gatepost_auth.adapters import MongoAccountRepository, MongoUserRepository
from gatepost_auth.entrypoints import routes
from gatepost_auth.handlers import Auth
from gatepost_auth.settings import Settings
from gatepost_common.crypto import TokenCipher
from gatepost_common.service import create_service_app, infrastructure
from gatepost_common.tiktok import TikTokClient


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    infra = infrastructure(settings, kafka=False)
    users, accounts = MongoUserRepository(infra.db), MongoAccountRepository(infra.db)
    tiktok = TikTokClient(
        httpx.AsyncClient(base_url=settings.tiktok_api_base, timeout=30),
        client_key=settings.tiktok_client_key,
        client_secret=settings.tiktok_client_secret,
    )
    cipher = TokenCipher.from_config(settings.token_keys, settings.active_token_key)
    auth = Auth(settings, users, accounts, cipher, tiktok)

    async def on_start() -> None:
        await users.ensure_indexes()
        await accounts.ensure_indexes()

    return create_service_app(
        infra, title="Gatepost auth", routers=[routes(auth)], on_start=on_start
    )
