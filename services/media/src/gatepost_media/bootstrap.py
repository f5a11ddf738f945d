"""Composition root of the media service."""

from datetime import timedelta

from fastapi import FastAPI

from gatepost_common.clock import clock_for
from gatepost_common.service import create_service_app, infrastructure
from gatepost_media.adapters import ImageStore, VideoStore
from gatepost_media.confinement import Confinement
from gatepost_media.entrypoints import router as image_routes
from gatepost_media.expiry import Expiry
from gatepost_media.expiry_routes import router as expiry_routes
from gatepost_media.image_tools import ImageTools
from gatepost_media.settings import Settings
from gatepost_media.video_routes import router as video_routes
from gatepost_media.video_tools import VideoTools


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    infra = infrastructure(settings, kafka=False)
    clock = clock_for(settings.environment, settings.clock_offset_file)
    images = ImageStore(settings.media_dir, infra.db, clock)
    videos = VideoStore(settings.media_dir / "videos", infra.db, clock)
    return create_service_app(
        infra,
        title="Gatepost media",
        routers=[image_routes, video_routes, expiry_routes],
        provided={
            Settings: settings,
            ImageStore: images,
            VideoStore: videos,
            Expiry: Expiry(images, videos, clock, timedelta(seconds=settings.expiry_grace_s)),
            # decoders of untrusted files, each kind within its own limits (confinement.py)
            ImageTools: ImageTools(Confinement(settings.decoder_limits())),
            VideoTools: VideoTools(Confinement(settings.video_tool_limits())),
        },
    )
