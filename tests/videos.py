"""Sample media for tests, made by ffmpeg and Pillow when a test needs it (none is stored)."""

from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path

from PIL import Image


def make_video(
    path: Path,
    seconds: float,
    *,
    size: str = "640x360",
    noise: bool = False,
    codec: str = "libx264",
    rate: int = 30,
) -> Path:
    """An MP4 (or whatever `path`'s suffix says) of `seconds`. `noise`: every frame random and
    lossless, about 12.7 MB a second at 640×360, for files that must be large."""
    source = (
        [
            "-f", "lavfi", "-i", f"color=c=gray:s={size}:r={rate}",
            "-vf", "noise=alls=100:allf=t+u,format=yuv420p",
            "-preset", "ultrafast", "-qp", "0",
        ]
        if noise
        else ["-f", "lavfi", "-i", f"testsrc2=s={size}:r={rate}", "-pix_fmt", "yuv420p"]
    )  # fmt: skip
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", *source, "-t", str(seconds), "-c:v", codec, str(path)],
        check=True,
        timeout=120,
    )
    return path


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def photo(seed: int, side: int = 800) -> bytes:
    """A JPEG of its own colour (a distinct picture per seed)."""
    colour = (seed * 67 % 256, seed * 131 % 256, seed * 29 % 256)
    out = io.BytesIO()
    Image.new("RGB", (side, side), colour).save(out, "JPEG")
    return out.getvalue()
