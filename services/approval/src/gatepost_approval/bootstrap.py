"""Composition root of the approval service: `build` wires the use cases to what they are given
(a database, an emitter, HTTP clients), `create_app` gives them the real ones. Unit tests call
`build` with an in-memory database, a list for an emitter and mock transports."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from gatepost_approval.adapters import CreatorInfoClient, IllustrationClient, MongoPostRepository
from gatepost_approval.entrypoints import router as queue_routes
from gatepost_approval.entrypoints import subscribers
from gatepost_approval.handlers import Approvals
from gatepost_approval.mcp_server import Links, agent_tools, api_for, mcp_route
from gatepost_approval.media_client import MediaClient
from gatepost_approval.media_expiry import MediaExpiry
from gatepost_approval.outbox import ApprovalOutbox
from gatepost_approval.retention import Retention
from gatepost_approval.settings import Settings
from gatepost_approval.slides import SlideEditor
from gatepost_approval.stuck import StuckFinder
from gatepost_approval.upload_routes import router as upload_routes
from gatepost_approval.uploads import Storage, Uploads
from gatepost_approval.webhook_endpoints import Endpoints
from gatepost_approval.webhook_outbox import Retries, WebhookOutbox
from gatepost_approval.webhook_routes import router as webhook_routes
from gatepost_common.api_tokens import AuthTokenChecks, TokenChecks
from gatepost_common.clock import Clock, clock_for
from gatepost_common.kafka import Emit, emitter
from gatepost_common.quotas import DailyQuotas, Quota
from gatepost_common.service import create_service_app, infrastructure
from gatepost_common.sessions import SessionKey
from gatepost_common.slides import SlideComposer, StyleSource

# an HTTP client for another service's internal routes, its calls signed as approval
Calls = Callable[[str, str, float], httpx.AsyncClient]


@dataclass
class Parts:
    posts: MongoPostRepository
    approvals: Approvals
    uploads: Uploads
    outbox: ApprovalOutbox
    stuck: StuckFinder
    endpoints: Endpoints
    webhooks: WebhookOutbox
    media_expiry: MediaExpiry


def webhooks_of(settings: Settings, db: Any, clock: Clock) -> WebhookOutbox:
    policy = settings.webhook_policy()
    retries = Retries(
        base_s=settings.webhook_retry_base_s,
        max_s=settings.webhook_retry_max_s,
        window_s=settings.webhook_retry_window_s,
        timeout_s=settings.webhook_timeout_s,
    )
    endpoints = Endpoints(db, policy, clock)
    return WebhookOutbox(db, endpoints, policy, clock, retries, settings.webhook_interval_s)


def build(settings: Settings, db: Any, emit: Emit, calls: Calls, auth: httpx.AsyncClient) -> Parts:
    """The use cases over `db` (a MongoDB database); `auth`: auth's public routes, asked with
    the person's own session (creator_info of their account)."""
    posts = MongoPostRepository(db)
    creators = CreatorInfoClient(auth)
    editor = SlideEditor(
        posts,
        SlideComposer(calls("media", settings.media_url, 30)),
        # a new picture is one image call: tens of seconds with real models
        IllustrationClient(calls("generator", settings.generator_url, 180)),
        StyleSource(calls("auth", settings.auth_url, 20)),
    )
    clock = clock_for(settings.environment, settings.clock_offset_file)
    webhooks = webhooks_of(settings, db, clock)
    outbox = ApprovalOutbox(posts, emit, settings.outbox_interval_s, webhooks)
    approvals = Approvals(settings, posts, outbox, creators, editor, webhooks)
    storage = Storage(
        DailyQuotas(db, clock),
        Quota("stored_bytes", "bytes stored", settings.quota_stored_bytes_per_day),
    )
    # a person's video goes through to media as it arrives: minutes for a large file
    media = MediaClient(calls("media", settings.media_url, 900))
    uploads = Uploads(posts, media, creators, storage)
    stuck = StuckFinder(
        posts.posts,
        clock,
        timedelta(seconds=settings.stuck_after_s),
        settings.stuck_check_interval_s,
    )
    media_expiry = MediaExpiry(
        posts.posts,
        MediaClient(calls("media", settings.media_url, 60)),
        Retention(
            undelivered=timedelta(days=settings.media_retention_days),
            delivered=timedelta(days=settings.media_retention_published_days),
        ),
        clock,
        settings.media_retention_interval_s,
    )
    return Parts(
        posts, approvals, uploads, outbox, stuck, webhooks.endpoints, webhooks, media_expiry
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    infra = infrastructure(settings)
    broker = infra.kafka()
    parts = build(
        settings,
        infra.db,
        emitter(broker),
        lambda service, url, timeout: infra.calls(service, url, timeout),
        httpx.AsyncClient(base_url=settings.auth_url, timeout=30),
    )
    subscribers(broker, parts.approvals)
    infra.background.append(parts.outbox.run)
    infra.background.append(parts.stuck.run)
    infra.background.append(parts.webhooks.run)
    infra.background.append(parts.media_expiry.run)
    app = create_service_app(
        infra,
        title="Gatepost approval",
        routers=[queue_routes, upload_routes, webhook_routes],
        provided={
            SessionKey: SessionKey(settings.session_public_key),
            TokenChecks: AuthTokenChecks(
                infra.calls("auth", settings.auth_url, 10), settings.service_name
            ),
            MongoPostRepository: parts.posts,
            Approvals: parts.approvals,
            Uploads: parts.uploads,
            Endpoints: parts.endpoints,
            WebhookOutbox: parts.webhooks,
        },
        on_start=lambda: indexes(parts),
    )
    # the MCP server for agents: its tools call the /v1/ routes with the agent's own token
    tools = agent_tools(
        api_for(settings.generator_url, settings.publisher_url, app), Links(settings.public_url)
    )
    route, serve_mcp = mcp_route(tools)
    app.router.routes.append(route)
    infra.background.append(serve_mcp)
    return app


async def indexes(parts: Parts) -> None:
    await parts.posts.ensure_indexes()
    await parts.endpoints.ensure_indexes()
    await parts.webhooks.ensure_indexes()
