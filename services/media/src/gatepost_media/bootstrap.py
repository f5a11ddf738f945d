"""Composition root of the media service."""

from fastapi import FastAPI

from gatepost_common.service import create_service_app, infrastructure
from gatepost_media.adapters import ImageStore, VideoStore
from gatepost_media.entrypoints import routes
from gatepost_media.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    infra = infrastructure(settings, kafka=False)
    store = ImageStore(settings.media_dir, infra.db)
    return create_service_app(
        infra,
        title="Gatepost media",
        routers=[
            routes(
                settings,
                store,
                VideoStore(settings.media_dir / "videos", infra.db),
                infra.internal_callers(),
            )
        ],
    )
