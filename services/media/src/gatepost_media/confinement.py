"""The one runner of decoders of untrusted files (Pillow on uploaded images, ffprobe and ffmpeg
on videos): each runs in a child process that cannot write a file, so a decoder an attacker's
file takes over cannot put bytes behind a public media name. RLIMIT_FSIZE is 0 (any write to a
file fails: EFBIG, or SIGXFSZ ends the process), its address space and CPU time are bounded, it
dumps no core, only so many run at once and each has a wall-clock deadline. Input and output
pass by pipe. Limits: the child runs as media's user, so it could still unlink or rename a file
(an empty one at most); the publisher's pinned-bytes check refuses any change."""

from __future__ import annotations

import asyncio
import resource
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ChildLimits:
    """What one kind of child may use: how many at once, CPU seconds, bytes of address space,
    and seconds of wall clock."""

    concurrency: int = 2
    cpu_s: int = 120
    memory_bytes: int = 2 << 30
    timeout_s: float = 120

    def in_child(self) -> Callable[[], None]:
        """Applied in the child before it runs anything (hard limits: it cannot raise them)."""
        cpu_s, memory = self.cpu_s, self.memory_bytes

        def apply() -> None:
            # SIGXCPU at the soft limit, SIGKILL a second later
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

        return apply


@dataclass(frozen=True)
class Finished:
    """A child's exit status (negative: the signal that ended it), stdout and stderr."""

    status: int
    out: bytes
    err: bytes


class Confinement:
    """Runs commands within `limits`; TimeoutError (the child killed) past its deadline."""

    def __init__(self, limits: ChildLimits) -> None:
        self.limits = limits
        self.slots = asyncio.Semaphore(limits.concurrency)

    async def run(self, *command: str, given: bytes | None = None) -> Finished:
        """Run `command` confined, `given` on its stdin (else /dev/null)."""
        async with self.slots:
            process = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.PIPE if given is not None else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                preexec_fn=self.limits.in_child(),
            )
            try:
                out, err = await asyncio.wait_for(process.communicate(given), self.limits.timeout_s)
            except TimeoutError:
                process.kill()
                await process.wait()
                raise
        return Finished(int(process.returncode or 0), out, err)
