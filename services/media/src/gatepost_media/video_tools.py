"""ffprobe and ffmpeg as children that can do little harm: the demuxer forced from the file's
first bytes (only the containers TikTok takes), local files only (`-protocol_whitelist file`),
and, through the one runner of confinement.py, a bounded number at once, CPU-time and memory
limits and no file written (RLIMIT_FSIZE 0); errors for people name no server path (the child's
stderr goes to the log)."""

from __future__ import annotations

import logging
from pathlib import Path

from gatepost_common.errors import RefusedInput
from gatepost_media.confinement import Confinement

logger = logging.getLogger(__name__)
MATROSKA = b"\x1a\x45\xdf\xa3"  # EBML: WebM is Matroska
ISO_BOXES = frozenset({b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})


class RejectedVideo(RefusedInput, ValueError):
    """The file is not a video TikTok takes; the message says why, for the person."""


def demuxer_of(head: bytes) -> str:
    """ffmpeg's demuxer for a file starting with `head` (its first 64 bytes): `mov` (MP4 and
    MOV) or `matroska` (WebM); RejectedVideo for anything else, which no demuxer then reads."""
    if head[:4] == MATROSKA and b"webm" in head:  # the EBML header's DocType: not any Matroska
        return "matroska"
    if head[4:8] in ISO_BOXES:
        return "mov"
    raise RejectedVideo("this is not a video in a container TikTok takes (MP4, MOV or WebM)")


class VideoTools:
    """Runs ffprobe and ffmpeg through `runner` (confinement.py: the limits)."""

    def __init__(self, runner: Confinement) -> None:
        self.runner = runner

    def reading(self, path: Path) -> list[str]:
        """The arguments that make the child read `path`, and only it, with the right demuxer."""
        with path.open("rb") as file:
            demuxer = demuxer_of(file.read(64))
        return ["-v", "error", "-protocol_whitelist", "file", "-f", demuxer, "-i", f"file:{path}"]

    async def run(self, *command: str) -> bytes:
        """The child's stdout; RejectedVideo (with no path in it) when it fails."""
        try:
            done = await self.runner.run(*command)
        except TimeoutError:
            raise RejectedVideo(
                f"reading the video took longer than {self.runner.limits.timeout_s:.0f} s"
            ) from None
        if done.status != 0:
            logger.info("%s failed (%s): %s", command[0], done.status, done.err[-2000:])
            if done.status < 0:
                raise RejectedVideo("reading the video took more work than allowed")
            raise RejectedVideo(f"this is not a video {Path(command[0]).name} can read")
        return done.out
