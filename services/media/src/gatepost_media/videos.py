"""Videos a person brings: checked with ffprobe against what TikTok accepts (the media transfer
guide: MP4, MOV or WebM; H.264, H.265, VP8 or VP9; 23–60 frames a second; 360–4096 pixels a side;
at most 10 minutes by the upload endpoints, 4 GB), and a poster frame taken with ffmpeg. The
creator's own limit (`max_video_post_duration_sec`) is checked by approval, against fresh
creator_info, when a person approves the post."""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from gatepost_media.video_tools import RejectedVideo, VideoTools

__all__ = ["RejectedVideo", "VideoFacts", "facts_of", "poster_frame", "probe"]

CODECS = frozenset({"h264", "hevc", "vp8", "vp9"})
WEBM_CODECS = frozenset({"vp8", "vp9"})
MIN_SIDE, MAX_SIDE = 360, 4096
MIN_FPS, MAX_FPS = 23, 60
LONGEST_S = 600  # "max via upload endpoint 10 min"
MIME = {"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm"}  # by file extension


@dataclass(frozen=True)
class VideoFacts:
    mime: str
    extension: str
    codec: str
    width: int
    height: int
    fps: float
    duration_s: float


async def probe(tools: VideoTools, path: Path) -> VideoFacts:
    """What the file is, by ffprobe; RejectedVideo when TikTok would not take it."""
    out = await tools.run(
        "ffprobe",
        *tools.reading(path),
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
    )
    return facts_of(json.loads(out))


def facts_of(report: dict[str, Any]) -> VideoFacts:
    """The checks, on ffprobe's JSON report."""
    form = report.get("format") or {}
    names = set(str(form.get("format_name", "")).split(","))
    brand = str((form.get("tags") or {}).get("major_brand", "")).strip()
    video = next((s for s in report.get("streams", []) if s.get("codec_type") == "video"), None)
    if video is None:
        raise RejectedVideo("the file has no video stream")
    codec = str(video.get("codec_name", ""))
    if "webm" in names:
        extension = "webm"
        if codec not in WEBM_CODECS:
            raise RejectedVideo(f"a WebM video must be VP8 or VP9, not {codec}")
    elif "mov" in names or "mp4" in names:
        extension = "mov" if brand == "qt" else "mp4"
    else:
        raise RejectedVideo(
            f"TikTok takes MP4, MOV or WebM videos, not {form.get('format_long_name') or 'this'}"
        )
    if codec not in CODECS:
        raise RejectedVideo(f"TikTok takes H.264, H.265, VP8 or VP9 video, not {codec}")
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise RejectedVideo(
            f"the video is {width}×{height}: TikTok takes {MIN_SIDE} to {MAX_SIDE} pixels a side"
        )
    fps = frame_rate(str(video.get("avg_frame_rate") or "0/1"))
    if not MIN_FPS <= round(fps, 2) <= MAX_FPS:
        raise RejectedVideo(f"the video has {fps:.3g} frames a second: TikTok takes 23 to 60")
    duration = float(form.get("duration") or video.get("duration") or 0)
    if not 0 < duration <= LONGEST_S:
        raise RejectedVideo(
            f"the video is {duration:.0f} s long: TikTok takes videos of up to {LONGEST_S} s"
        )
    return VideoFacts(
        MIME[extension], extension, codec, width, height, round(fps, 3), round(duration, 3)
    )


def frame_rate(text: str) -> float:
    """ffprobe's "30000/1001"; "0/0" when unknown."""
    numerator, _, denominator = text.partition("/")
    try:
        return float(Fraction(int(numerator), int(denominator or 1)))
    except (ValueError, ZeroDivisionError):
        return 0.0


async def poster_frame(tools: VideoTools, path: Path, duration_s: float) -> bytes:
    """A frame a second in (or halfway through a shorter video), as JPEG bytes."""
    at = f"{min(1.0, duration_s / 2):.3f}"
    return await tools.run(
        "ffmpeg",
        "-ss",
        at,
        *tools.reading(path),
        "-frames:v",
        "1",
        "-f",
        "image2",
        "-c:v",
        "mjpeg",
        "pipe:1",
    )
