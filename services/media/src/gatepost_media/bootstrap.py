"""Composition root of the media service."""

from fastapi import FastAPI

from gatepost_common.service import create_service_app, infrastructure
from gatepost_media.adapters import ImageStore, VideoStore
from gatepost_media.confinement import Confinement
from gatepost_media.entrypoints import router as image_routes
from gatepost_media.image_tools import ImageTools
from gatepost_media.settings import Settings
from gatepost_media.video_routes import router as video_routes
from gatepost_media.video_tools import VideoTools


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    infra = infrastructure(settings, kafka=False)
    return create_service_app(
        infra,
        title="Gatepost media",
        routers=[image_routes, video_routes],
        provided={
            Settings: settings,
            ImageStore: ImageStore(settings.media_dir, infra.db),
            VideoStore: VideoStore(settings.media_dir / "videos", infra.db),
            # decoders of untrusted files, each kind within its own limits (confinement.py)
            ImageTools: ImageTools(Confinement(settings.decoder_limits())),
            VideoTools: VideoTools(Confinement(settings.video_tool_limits())),
        },
    )
