"""ffprobe and ffmpeg as children that can do little harm: the demuxer forced from the file's
first bytes (only the containers TikTok takes), local files only (`-protocol_whitelist file`),
a bounded number at once, CPU-time and memory limits, no file written (RLIMIT_FSIZE 0), and
errors for people without server paths (the child's stderr goes to the log)."""

from __future__ import annotations

import asyncio
import logging
import resource
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gatepost_common.errors import RefusedInput

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


@dataclass(frozen=True)
class ChildLimits:
    concurrency: int = 2
    cpu_s: int = 120
    memory_bytes: int = 2 << 30
    timeout_s: float = 120


class VideoTools:
    """Runs ffprobe and ffmpeg within `ChildLimits`."""

    def __init__(self, limits: ChildLimits) -> None:
        self.limits = limits
        self.slots = asyncio.Semaphore(limits.concurrency)

    def reading(self, path: Path) -> list[str]:
        """The arguments that make the child read `path`, and only it, with the right demuxer."""
        with path.open("rb") as file:
            demuxer = demuxer_of(file.read(64))
        return ["-v", "error", "-protocol_whitelist", "file", "-f", demuxer, "-i", f"file:{path}"]

    async def run(self, *command: str) -> bytes:
        """The child's stdout; RejectedVideo (with no path in it) when it fails."""
        async with self.slots:
            process = await asyncio.create_subprocess_exec(
                *command,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                preexec_fn=self._limited(),
            )
            try:
                out, err = await asyncio.wait_for(process.communicate(), self.limits.timeout_s)
            except TimeoutError:
                process.kill()
                await process.wait()
                raise RejectedVideo(
                    f"reading the video took longer than {self.limits.timeout_s:.0f} s"
                ) from None
        if process.returncode != 0:
            logger.info("%s failed (%s): %s", command[0], process.returncode, err[-2000:])
            if process.returncode is not None and process.returncode < 0:
                raise RejectedVideo("reading the video took more work than allowed")
            raise RejectedVideo(f"this is not a video {Path(command[0]).name} can read")
        return out

    def _limited(self) -> Callable[[], None]:
        cpu_s, memory = self.limits.cpu_s, self.limits.memory_bytes

        def limit() -> None:  # in the child, before exec
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            # it writes no file (a decoder taken over cannot put bytes behind a public media
            # name; the poster frame goes out by pipe) and dumps no core
            resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

        return limit
