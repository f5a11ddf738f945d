"""Decoders of untrusted files (Pillow on uploaded images, ffprobe and ffmpeg on videos) run in a
child process that cannot write to a file, so a decoder an attacker's file takes over cannot put
bytes behind a public media name: RLIMIT_FSIZE is 0 (any write to a file fails: EFBIG, or
SIGXFSZ ends the process), its address space and CPU time are bounded, it dumps no core. Input
and output pass by pipe. Limits: the child runs as media's user, so it could still unlink or
rename a file (an empty one at most); the publisher's pinned-bytes check refuses any change."""

from __future__ import annotations

import asyncio
import resource
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from gatepost_media import decoder
from gatepost_media.domain import NormalisedImage, RejectedImage


@dataclass(frozen=True)
class Confinement:
    memory_bytes: int = 2 * 1024**3
    cpu_s: int = 60

    def limits(self) -> Callable[[], None]:
        """Applied in the child before it runs anything (hard limits: it cannot raise them)."""

        def apply() -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            resource.setrlimit(resource.RLIMIT_AS, (self.memory_bytes, self.memory_bytes))
            resource.setrlimit(resource.RLIMIT_CPU, (self.cpu_s, self.cpu_s))

        return apply

    async def run(
        self, *command: str, given: bytes | None = None, timeout_s: float = 120
    ) -> tuple[int, bytes, bytes]:
        """Run `command` confined, `given` on its stdin: its exit status, stdout and stderr."""
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE if given is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            preexec_fn=self.limits(),
        )
        try:
            out, err = await asyncio.wait_for(process.communicate(given), timeout_s)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise
        return int(process.returncode or 0), out, err

    async def normalise(
        self, data: bytes, *, max_pixels: int, quality: int, fit: Literal["crop", "pad"]
    ) -> NormalisedImage:
        """`decoder.normalise` in a confined child (`python -m gatepost_media.decoder`)."""
        child = [sys.executable, "-B", "-m", decoder.__name__]
        command = [*child, str(max_pixels), str(quality), fit]
        try:
            status, jpeg, err = await self.run(*command, given=data)
        except TimeoutError:
            raise RejectedImage("the image took too long to decode") from None
        if status == decoder.REFUSED:
            raise RejectedImage(err.decode(errors="replace")[:300])
        if status != 0 or not jpeg:
            raise RejectedImage("the image could not be decoded within the decoder's limits")
        return NormalisedImage.of(jpeg)
