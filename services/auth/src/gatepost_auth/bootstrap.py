"""Composition root of the auth service."""

import httpx
from fastapi import FastAPI

from gatepost_auth.adapters import MongoAccountRepository, MongoUserRepository
from gatepost_auth.entrypoints import routes
from gatepost_auth.handlers import Auth
from gatepost_auth.mail import FileMailbox, Mailer, SmtpMailer
from gatepost_auth.settings import Settings
from gatepost_auth.tokens import TokenKeeper
from gatepost_common.audit import AuditLog
from gatepost_common.clock import clock_for
from gatepost_common.crypto import TokenCipher
from gatepost_common.service import Infrastructure, create_service_app, infrastructure
from gatepost_common.tiktok import TikTokClient


def token_keeper(settings: Settings, infra: Infrastructure) -> TokenKeeper:
    tiktok = TikTokClient(
        httpx.AsyncClient(base_url=settings.tiktok_api_base, timeout=30),
        client_key=settings.tiktok_client_key,
        client_secret=settings.tiktok_client_secret,
    )
    return TokenKeeper(
        settings,
        MongoAccountRepository(infra.db),
        TokenCipher.from_config(settings.token_keys, settings.active_token_key),
        tiktok,
        AuditLog(infra.db),
        clock_for(settings.environment, settings.clock_offset_file),
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    infra = infrastructure(settings, kafka=False)
    keeper = token_keeper(settings, infra)
    users = MongoUserRepository(infra.db)
    mailer: Mailer = (
        FileMailbox(settings.mailbox_file)
        if settings.mailbox_file is not None
        else SmtpMailer(settings.smtp_url, settings.mail_from)
    )
    auth = Auth(settings, users, keeper.accounts, keeper, keeper.tiktok, keeper.clock, mailer)
    infra.background.append(keeper.run)

    async def on_start() -> None:
        await users.ensure_indexes()
        await keeper.accounts.ensure_indexes()
        await keeper.audit.ensure_indexes()

    return create_service_app(
        infra,
        title="Gatepost auth",
        routers=[routes(auth, infra.internal_callers())],
        on_start=on_start,
    )
