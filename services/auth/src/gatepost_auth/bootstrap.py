"""Composition root of the auth service: `build` wires the use cases to what they are given (a
database, TikTok's HTTP client, a clock, a mailer), `create_app` gives them the real ones. Unit
tests call `build` with an in-memory database and TikTok answered by a mock transport."""

from typing import Any

import httpx
from fastapi import FastAPI

from gatepost_auth.adapters import MongoAccountRepository
from gatepost_auth.api_token_routes import LocalTokenChecks
from gatepost_auth.api_token_routes import internal_router as token_checks
from gatepost_auth.api_token_routes import router as api_token_routes
from gatepost_auth.api_tokens import ApiTokens
from gatepost_auth.entrypoints import router as account_routes
from gatepost_auth.handlers import Auth
from gatepost_auth.internal_routes import router as internal_routes
from gatepost_auth.mail import FileMailbox, Mailer, SmtpMailer
from gatepost_auth.renewal import keep_renewing
from gatepost_auth.review_mail import ReviewMail
from gatepost_auth.session_routes import router as session_routes
from gatepost_auth.session_store import MongoSessions, Sessions
from gatepost_auth.settings import Settings
from gatepost_auth.tokens import TokenKeeper
from gatepost_auth.user_routes import mailbox_router
from gatepost_auth.user_routes import router as user_routes
from gatepost_auth.users import MongoUserRepository
from gatepost_auth.webhooks import RemovedAuthorizations, subscribers
from gatepost_common.api_tokens import TokenChecks
from gatepost_common.audit import AuditLog
from gatepost_common.clock import Clock, clock_for
from gatepost_common.crypto import TokenCipher
from gatepost_common.service import Infrastructure, create_service_app, infrastructure
from gatepost_common.sessions import SessionKey
from gatepost_common.tiktok import TikTokClient


def keeper_over(
    settings: Settings, db: Any, tiktok_http: httpx.AsyncClient, clock: Clock
) -> TokenKeeper:
    tiktok = TikTokClient(
        tiktok_http,
        client_key=settings.tiktok_client_key,
        client_secret=settings.tiktok_client_secret,
    )
    return TokenKeeper(
        settings,
        MongoAccountRepository(db),
        TokenCipher.from_config(settings.token_keys, settings.active_token_key),
        tiktok,
        AuditLog(db),
        clock,
    )


def token_keeper(settings: Settings, infra: Infrastructure) -> TokenKeeper:
    return keeper_over(
        settings,
        infra.db,
        httpx.AsyncClient(base_url=settings.tiktok_api_base, timeout=30),
        clock_for(settings.environment, settings.clock_offset_file),
    )


def build(
    settings: Settings, db: Any, tiktok_http: httpx.AsyncClient, clock: Clock, mailer: Mailer
) -> Auth:
    """People, sessions and TikTok accounts over `db` (a MongoDB database)."""
    keeper = keeper_over(settings, db, tiktok_http, clock)
    users = MongoUserRepository(db)
    return Auth(settings, users, keeper.accounts, keeper, keeper.tiktok, clock, mailer)


def review_mail(settings: Settings, db: Any, mailer: Mailer) -> ReviewMail:
    return ReviewMail(
        db,
        mailer,
        clock_for(settings.environment, settings.clock_offset_file),
        settings.public_url,
        settings.review_mail_every_s,
        settings.review_mail_interval_s,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    infra = infrastructure(settings)
    mailer: Mailer = (
        FileMailbox(settings.mailbox_file)
        if settings.mailbox_file is not None
        else SmtpMailer(settings.smtp_url, settings.mail_from)
    )
    auth = build(
        settings,
        infra.db,
        httpx.AsyncClient(base_url=settings.tiktok_api_base, timeout=30),
        clock_for(settings.environment, settings.clock_offset_file),
        mailer,
    )
    keeper = auth.keeper
    api_tokens = ApiTokens(infra.db, keeper.audit, auth.clock, settings.api_token_per_minute)

    async def renew_tokens() -> None:
        await keep_renewing(keeper)

    infra.background.append(renew_tokens)
    broker = infra.kafka()
    review = review_mail(settings, infra.db, mailer)
    subscribers(broker, RemovedAuthorizations(auth.keeper), settings.webhook_consumer_group, review)
    infra.background.append(review.run)

    sessions = MongoSessions(infra.db)

    async def on_start() -> None:
        await auth.users.ensure_indexes()
        await sessions.ensure_indexes()
        await auth.accounts.ensure_indexes()
        await auth.keeper.audit.ensure_indexes()
        await api_tokens.ensure_indexes()
        await review.ensure_indexes()

    return create_service_app(
        infra,
        title="Gatepost auth",
        routers=[
            account_routes,
            user_routes,
            session_routes,
            internal_routes,
            api_token_routes,
            token_checks,
            *([mailbox_router] if isinstance(mailer, FileMailbox) else []),
        ],
        provided={
            SessionKey: SessionKey(settings.session_public_key),
            Auth: auth,
            Sessions: sessions,
            FileMailbox: mailer,
            ApiTokens: api_tokens,
            TokenChecks: LocalTokenChecks(api_tokens),
        },
        on_start=on_start,
    )
