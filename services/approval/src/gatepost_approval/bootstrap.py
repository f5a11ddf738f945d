"""Composition root of the approval service."""

import httpx
from fastapi import FastAPI

from gatepost_approval.adapters import CreatorInfoClient, MongoPostRepository
from gatepost_approval.entrypoints import routes, subscribers
from gatepost_approval.handlers import Approvals
from gatepost_approval.settings import Settings
from gatepost_common.service import create_service_app, infrastructure


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    infra = infrastructure(settings)
    posts = MongoPostRepository(infra.db)
    creators = CreatorInfoClient(httpx.AsyncClient(base_url=settings.auth_url, timeout=30))
    approvals = Approvals(settings, posts, infra.kafka(), creators)
    subscribers(infra.kafka(), approvals)
    infra.background.append(approvals.run_outbox)
    return create_service_app(
        infra,
        title="Gatepost approval",
        routers=[routes(approvals, posts, settings.session_public_key)],
        on_start=posts.ensure_indexes,
    )
