"""Settings of the media service."""

from pathlib import Path
from typing import Literal

from gatepost_common.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "media"
    http_port: int = 8005
    media_dir: Path = Path(".run/local/media")
    # TikTok pulls from here: in production the verified https domain or URL prefix.
    public_base_url: str = "http://127.0.0.1:8080/media"
    max_upload_bytes: int = 20_000_000
    max_pixels: int = 40_000_000
    fetch_timeout_s: float = 15.0
    max_video_bytes: int = 4_000_000_000  # TikTok's limit
    video_fetch_timeout_s: float = 600.0
    # a video URL a person gives is fetched only from public addresses; the local run and the
    # tests serve videos from 127.0.0.1 and turn this on
    fetch_private_addresses: bool = False
    # what a decoder of an untrusted file (Pillow, ffprobe, ffmpeg) may use; it may write no file
    decoder_memory_bytes: int = 2 * 1024**3
    decoder_cpu_s: int = 60
    jpeg_quality: int = 90
    fit: Literal["crop", "pad"] = "crop"

    def url_of(self, name: str) -> str:
        """The public, stable URL of a stored file (`<sha256>.jpg`, `<sha256>.mp4`, …)."""
        return f"{self.public_base_url}/{name}"
