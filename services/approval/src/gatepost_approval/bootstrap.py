"""Composition root of the approval service."""

import httpx
from fastapi import FastAPI

from gatepost_approval.adapters import CreatorInfoClient, IllustrationClient, MongoPostRepository
from gatepost_approval.entrypoints import routes, subscribers
from gatepost_approval.handlers import Approvals
from gatepost_approval.settings import Settings
from gatepost_approval.slides import SlideEditor
from gatepost_approval.upload_routes import upload_routes
from gatepost_approval.uploads import MediaClient, Uploads
from gatepost_common.service import create_service_app, infrastructure
from gatepost_common.slides import SlideComposer, StyleSource


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    infra = infrastructure(settings)
    posts = MongoPostRepository(infra.db)
    creators = CreatorInfoClient(httpx.AsyncClient(base_url=settings.auth_url, timeout=30))
    editor = SlideEditor(
        posts,
        SlideComposer(infra.calls("media", settings.media_url, timeout=30)),
        # a new picture is one image call: tens of seconds with real models
        IllustrationClient(infra.calls("generator", settings.generator_url, timeout=180)),
        StyleSource(infra.calls("auth", settings.auth_url, timeout=20)),
    )
    approvals = Approvals(settings, posts, infra.kafka(), creators, editor)
    # a person's video goes through to media as it arrives: minutes for a large file
    media = MediaClient(infra.calls("media", settings.media_url, timeout=900))
    uploads = Uploads(posts, media, creators)
    subscribers(infra.kafka(), approvals)
    infra.background.append(approvals.run_outbox)
    return create_service_app(
        infra,
        title="Gatepost approval",
        routers=[
            routes(approvals, posts, settings.session_public_key),
            upload_routes(uploads, settings.session_public_key),
        ],
        on_start=posts.ensure_indexes,
    )
