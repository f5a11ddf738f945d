"""Composition root of the publisher service."""

import httpx
from fastapi import FastAPI

from gatepost_common.audit import AuditLog
from gatepost_common.service import create_service_app, infrastructure
from gatepost_common.tiktok import TikTokClient
from gatepost_publisher.adapters import AuthClient, MongoJobRepository
from gatepost_publisher.entrypoints import routes, subscribers
from gatepost_publisher.handlers import Publisher
from gatepost_publisher.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    infra = infrastructure(settings)
    jobs, audit = MongoJobRepository(infra.db), AuditLog(infra.db)
    tiktok = TikTokClient(
        httpx.AsyncClient(base_url=settings.tiktok_api_base, timeout=30),
        client_key=settings.tiktok_client_key,
        client_secret=settings.tiktok_client_secret,
    )
    auth = AuthClient(
        httpx.AsyncClient(base_url=settings.auth_url, timeout=30), settings.internal_token
    )
    publisher = Publisher(settings, jobs, audit, infra.kafka(), auth, tiktok)
    subscribers(infra.kafka(), publisher)
    infra.background.append(publisher.run)

    async def on_start() -> None:
        await jobs.ensure_indexes()
        await audit.ensure_indexes()

    return create_service_app(
        infra,
        title="Gatepost publisher",
        routers=[routes(jobs, audit, settings.session_public_key)],
        on_start=on_start,
    )
