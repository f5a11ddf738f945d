"""Composition root of the publisher service."""

from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from gatepost_common.audit import AuditLog
from gatepost_common.clock import Clock, clock_for
from gatepost_common.kafka import Emit, emitter
from gatepost_common.ratelimit import RateLimiter
from gatepost_common.service import create_service_app, infrastructure
from gatepost_common.sessions import SessionKey
from gatepost_common.tiktok import TikTokClient
from gatepost_publisher.adapters import AuthClient, HostedVideo
from gatepost_publisher.budget import Budgets, headroom_routes
from gatepost_publisher.budget import router as budget_routes
from gatepost_publisher.calls import TikTokCalls
from gatepost_publisher.collecting import Collector
from gatepost_publisher.display import DisplayApi
from gatepost_publisher.entrypoints import WebhookReceiver, subscribers
from gatepost_publisher.entrypoints import router as publication_routes
from gatepost_publisher.feedback import Feedback
from gatepost_publisher.feedback_routes import internal as feedback_internal_routes
from gatepost_publisher.feedback_routes import router as feedback_routes
from gatepost_publisher.following import Following
from gatepost_publisher.headroom import AppCreators, creator_cap
from gatepost_publisher.insight_routes import router as insight_routes
from gatepost_publisher.insight_store import InsightStore
from gatepost_publisher.insights import Insights
from gatepost_publisher.intake import Intake
from gatepost_publisher.jobs import MongoJobRepository
from gatepost_publisher.lifecycle import Schedule
from gatepost_publisher.limits import DailyCap, InboxShares, InitLocks
from gatepost_publisher.live import LiveLinks
from gatepost_publisher.livestore import LiveStore
from gatepost_publisher.outcomes import Outcomes
from gatepost_publisher.pinning import ServedBytes
from gatepost_publisher.places import Places
from gatepost_publisher.ports import (
    AppWindow,
    Audit,
    Calls,
    Cap,
    JobStore,
    Locks,
    Served,
    Shares,
    VideoSource,
)
from gatepost_publisher.settings import Settings
from gatepost_publisher.starting import Starting
from gatepost_publisher.uploading import Uploading
from gatepost_publisher.webhooks import WebhookInbox
from gatepost_publisher.withdrawing import Withdrawals
from gatepost_publisher.withdrawing import router as withdraw_routes
from gatepost_publisher.worker import Worker


@dataclass(frozen=True)
class Adapters:
    """The world as the use cases see it: MongoDB, TikTok and auth here, fakes in unit tests."""

    jobs: JobStore
    audit: Audit
    calls: Calls
    tiktok: TikTokClient
    cap: Cap
    locks: Locks
    shares: Shares
    app: AppWindow  # the creators the app posted for within 24 hours (TikTok's app-wide cap)
    videos: VideoSource
    served: Served  # what media's URLs serve: checked against the approved SHA-256s
    live: LiveStore | None = None  # posts after PUBLISH_COMPLETE (issue 29)


@dataclass(frozen=True)
class Parts:
    intake: Intake
    starting: Starting
    following: Following
    outcomes: Outcomes
    worker: Worker
    withdrawals: Withdrawals
    live: LiveLinks | None = None


def wire(settings: Settings, adapters: Adapters, emit: Emit, clock: Clock) -> Parts:
    """The use cases over the given adapters."""
    a = adapters
    schedule = Schedule(
        poll_first_s=settings.status_poll_interval_s,
        poll_max_s=settings.status_poll_max_interval_s,
        retry_base_s=settings.transient_backoff_s,
    )
    outcomes = Outcomes(settings, a.jobs, a.audit, a.cap, a.shares, emit, clock)
    starting = Starting(
        settings,
        a.jobs,
        a.audit,
        a.calls,
        a.tiktok,
        a.locks,
        a.served,
        Places(settings, a.cap, a.shares, a.app, outcomes, clock),
        outcomes,
        clock,
        schedule,
    )
    uploading = Uploading(settings, a.jobs, a.tiktok, a.videos, outcomes, clock, schedule)
    live = None
    if a.live is not None:
        live = LiveLinks(settings, a.live, a.jobs, a.calls, a.tiktok, outcomes, clock)
    following = Following(
        settings, a.jobs, a.calls, a.tiktok, outcomes, clock, schedule, uploading, live
    )
    worker = Worker(settings, a.jobs, starting, following, outcomes, clock)
    intake = Intake(settings, a.jobs, a.audit, clock)
    withdrawals = Withdrawals(a.jobs, a.audit, outcomes)
    return Parts(intake, starting, following, outcomes, worker, withdrawals, live)


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
    auth = AuthClient(infra.calls("auth", settings.auth_url, timeout=60))
    limiter = RateLimiter(infra.db, clock)
    calls = TikTokCalls(settings, auth, limiter, audit, clock)
    broker = infra.kafka()
    shares = InboxShares(infra.db, settings.inbox_share_cap)
    # FILE_UPLOAD reads the approved video from media's URL, a chunk at a time
    videos = HostedVideo(httpx.AsyncClient(timeout=120, follow_redirects=False))
    cap = DailyCap(infra.db, settings.daily_cap)
    app = AppCreators(infra.db, creator_cap(settings))
    served = ServedBytes(httpx.AsyncClient(timeout=120, follow_redirects=False))
    live_store, insights = LiveStore(infra.db), InsightStore(infra.db)
    reader = Insights(settings, jobs, live_store, insights, clock)
    adapters = Adapters(
        jobs,
        audit,
        calls,
        tiktok,
        cap,
        InitLocks(infra.db),
        shares,
        app,
        videos,
        served,
        live_store,
    )
    emit = emitter(broker)
    parts = wire(settings, adapters, emit, clock)
    following, worker = parts.following, parts.worker
    inbox = WebhookInbox(infra.db, jobs, following, audit, clock, parts.live)
    subscribers(broker, parts.intake, inbox, settings.intake_consumers)
    infra.background.append(worker.run)

    async def reapply_webhooks() -> None:
        await inbox.run(settings.worker_interval_s)

    infra.background.append(reapply_webhooks)
    if parts.live is not None:
        infra.background.append(parts.live.run)
    if settings.insights_enabled:
        display = DisplayApi(httpx.AsyncClient(base_url=settings.tiktok_api_base, timeout=30))
        collector = Collector(settings, live_store, insights, calls, display, limiter, clock)
        infra.background.append(collector.run)

    async def on_start() -> None:
        await jobs.ensure_indexes()
        await audit.ensure_indexes()
        await inbox.ensure_indexes()
        await shares.ensure_indexes()
        await live_store.ensure_indexes()
        await insights.ensure_indexes()

    return create_service_app(
        infra,
        title="Gatepost publisher",
        routers=[
            publication_routes,
            budget_routes,
            headroom_routes,
            withdraw_routes,
            insight_routes,
            feedback_routes,
            feedback_internal_routes,
        ],
        provided={
            SessionKey: SessionKey(settings.session_public_key),
            MongoJobRepository: jobs,
            LiveStore: live_store,
            Insights: reader,
            Feedback: Feedback(reader, auth),
            AuditLog: audit,
            AuthClient: auth,
            Budgets: Budgets(settings, cap, shares, app, clock),
            Withdrawals: parts.withdrawals,
            WebhookReceiver: WebhookReceiver(
                settings.tiktok_client_secret, settings.webhook_tolerance_s, emit, clock
            ),
        },
        on_start=on_start,
    )
