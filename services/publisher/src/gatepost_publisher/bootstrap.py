"""Composition root of the publisher service."""

import httpx
from fastapi import FastAPI

from gatepost_common.audit import AuditLog
from gatepost_common.clock import clock_for
from gatepost_common.ratelimit import RateLimiter
from gatepost_common.service import create_service_app, infrastructure
from gatepost_common.tiktok import TikTokClient
from gatepost_publisher.adapters import AuthClient, MongoJobRepository
from gatepost_publisher.calls import TikTokCalls
from gatepost_publisher.entrypoints import routes, subscribers
from gatepost_publisher.limits import DailyCap
from gatepost_publisher.publishing import Publisher
from gatepost_publisher.settings import Settings
from gatepost_publisher.webhooks import WebhookInbox


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    infra = infrastructure(settings)
    clock = clock_for(settings.environment, settings.clock_offset_file)
    jobs, audit = MongoJobRepository(infra.db), AuditLog(infra.db)
    tiktok = TikTokClient(
        httpx.AsyncClient(base_url=settings.tiktok_api_base, timeout=30),
        client_key=settings.tiktok_client_key,
        client_secret=settings.tiktok_client_secret,
    )
    auth = AuthClient(
        httpx.AsyncClient(base_url=settings.auth_url, timeout=60), settings.internal_token
    )
    limiter = RateLimiter(infra.db, clock)
    calls = TikTokCalls(settings, auth, limiter, audit)
    publisher = Publisher(
        settings,
        jobs,
        audit,
        infra.kafka(),
        calls,
        tiktok,
        DailyCap(infra.db, settings.daily_cap),
        clock,
    )
    inbox = WebhookInbox(infra.db, jobs, publisher, auth, clock)
    subscribers(infra.kafka(), publisher)
    infra.background.append(publisher.run)

    async def reapply_webhooks() -> None:
        await inbox.run(settings.worker_interval_s)

    infra.background.append(reapply_webhooks)

    async def on_start() -> None:
        await jobs.ensure_indexes()
        await audit.ensure_indexes()
        await limiter.ensure_indexes()
        await inbox.ensure_indexes()

    return create_service_app(
        infra,
        title="Gatepost publisher",
        routers=[routes(settings, jobs, audit, inbox)],
        on_start=on_start,
    )
