"""Settings of the media service."""

from pathlib import Path
from typing import Literal

from gatepost_common.settings import ServiceSettings
from gatepost_media.confinement import ChildLimits
from gatepost_media.fetching import FetchPolicy


class Settings(ServiceSettings):
    service_name: str = "media"
    http_port: int = 8005
    media_dir: Path = Path(".run/local/media")
    # TikTok pulls from here: in production the verified https domain or URL prefix.
    public_base_url: str = "http://127.0.0.1:8080/media"
    max_upload_bytes: int = 20_000_000
    max_pixels: int = 40_000_000
    max_video_bytes: int = 4_000_000_000  # TikTok's limit
    video_fetch_timeout_s: float = 600.0
    # a video URL a person gives is fetched only from public addresses, over https on these
    # ports; the local run and the tests serve videos over http from 127.0.0.1 and turn
    # `fetch_private_addresses` on (which lifts the scheme and port rules too)
    fetch_private_addresses: bool = False
    # what the decoder of an untrusted picture (Pillow, in a child: confinement.py) may use,
    # and how many run at once; it may write no file
    decoders_at_once: int = 2
    decoder_memory_bytes: int = 2 * 1024**3
    decoder_cpu_s: int = 60
    fetch_plain_http: bool = False
    fetch_ports: frozenset[int] = frozenset({443, 80})
    # ffprobe and ffmpeg: how many at once, and each child's CPU seconds and address space
    video_tools_at_once: int = 2
    video_tool_cpu_s: int = 120
    video_tool_memory_bytes: int = 2 << 30
    jpeg_quality: int = 90
    # expired media (approval's MEDIA_RETENTION_DAYS): a file stored, or stored again, within
    # this long is never deleted, since a post on its way to the queue may use it
    expiry_grace_s: float = 86400.0
    fit: Literal["crop", "pad"] = "crop"

    def decoder_limits(self) -> ChildLimits:
        return ChildLimits(self.decoders_at_once, self.decoder_cpu_s, self.decoder_memory_bytes)

    def video_tool_limits(self) -> ChildLimits:
        return ChildLimits(
            self.video_tools_at_once, self.video_tool_cpu_s, self.video_tool_memory_bytes
        )

    def fetch_policy(self) -> FetchPolicy:
        return FetchPolicy(
            private=self.fetch_private_addresses,
            plain_http=self.fetch_plain_http,
            ports=self.fetch_ports,
        )

    def url_of(self, name: str) -> str:
        """The public, stable URL of a stored file (`<sha256>.jpg`, `<sha256>.mp4`, …)."""
        return f"{self.public_base_url}/{name}"
