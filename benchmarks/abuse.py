"""Abuse run (not a test; its own command): floods of large bodies without a session or service
token at every service, on its own port and through the gateway, while each part's memory is
sampled; bounded requests to 127.0.0.1 only. It prints, per target, what was answered and how
many bytes had left the client when the answer came (an upper bound of what reached the
service: socket buffers hold part of it), then each part's peak memory and the stack folder's
disk use. Then signed-in people each pass one daily quota (the stack runs with small ones:
`quota_abuse.LIMITS`), the requests over it sent at once. It exits non-zero on any 5xx, a part
that died, or a quota overrun (more accepted or counted than the limit).

    uv run python -m benchmarks.abuse [--at-once 16] [--mb 50] [--port-offset 21000]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx

from benchmarks.footprint import Memory, memory_by_part, peak_while
from benchmarks.quota_abuse import LIMITS, Case, quota_cases, quota_report
from benchmarks.report import save
from gatepost_devstack.config import Ports
from gatepost_devstack.stack import Stack

CHUNK = 64 * 1024
MULTIPART = {"content-type": "multipart/form-data; boundary=x"}
JSON = {"content-type": "application/json"}


@dataclass
class Target:
    name: str
    url: str
    headers: dict[str, str]
    answers: dict[str, int] = field(default_factory=dict)
    most_taken: int = 0


def targets(ports: Ports) -> list[Target]:
    own = "http://127.0.0.1:{}".format
    gateway = own(ports.gateway)
    return [
        Target("auth POST /signout", f"{own(ports.auth)}/signout", JSON),
        Target("generator POST /topics", f"{own(ports.generator)}/topics", JSON),
        Target("generator POST /topics/bulk", f"{own(ports.generator)}/topics/bulk", MULTIPART),
        Target("approval POST /uploads", f"{own(ports.approval)}/uploads", MULTIPART),
        Target("publisher POST /webhooks/tiktok", f"{own(ports.publisher)}/webhooks/tiktok", JSON),
        Target("media POST /internal/images", f"{own(ports.media)}/internal/images", {}),
        Target("gateway POST /api/approval/uploads", f"{gateway}/api/approval/uploads", MULTIPART),
        Target("gateway POST /api/generator/topics", f"{gateway}/api/generator/topics", JSON),
    ]


class Body:
    """`size` bytes made as they are sent; `sent` counts what left before the answer."""

    def __init__(self, size: int) -> None:
        self.size, self.sent = size, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.sent < self.size:
            part = b"x" * min(CHUNK, self.size - self.sent)
            self.sent += len(part)
            yield part


async def one(client: httpx.AsyncClient, target: Target, size: int) -> None:
    body = Body(size)
    try:
        answer = await client.post(target.url, content=body, headers=target.headers)
        said = str(answer.status_code)
    except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
        said = "closed before the whole body"  # the server answered and hung up: not read
    target.answers[said] = target.answers.get(said, 0) + 1
    # what left the client bounds what the server took (socket buffers hold the rest)
    target.most_taken = max(target.most_taken, body.sent)


async def flood(all_targets: list[Target], at_once: int, size: int) -> None:
    async with httpx.AsyncClient(timeout=120) as client:
        for target in all_targets:
            await asyncio.gather(*(one(client, target, size) for _ in range(at_once)))


def disk_mb(stack: Stack) -> float:
    out = subprocess.run(["du", "-sk", str(stack.folder)], capture_output=True, text=True)
    return int(out.stdout.split()[0]) / 1024 if out.stdout else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--at-once", type=int, default=16, help="parallel requests a target")
    parser.add_argument("--mb", type=int, default=50, help="each request's body, MB")
    parser.add_argument("--port-offset", type=int, default=21000)
    args = parser.parse_args()
    stack = Stack(
        "bench-abuse",
        Ports().shifted(args.port_offset),
        fresh=True,
        database_prefix="gatepost_bench_abuse",
        auto_consent=True,  # the quota cases connect a stand-in creator per person
        extra_env=dict(LIMITS),
    )
    print(f"starting a local stack (logs: {stack.supervisor.logs}) …", flush=True)
    stack.start()
    all_targets = targets(stack.ports)
    try:
        idle, disk_before = memory_by_part(stack), disk_mb(stack)
        size = args.mb * 1_000_000
        work = threading.Thread(target=asyncio.run, args=(flood(all_targets, args.at_once, size),))
        work.start()
        peak = peak_while(stack, work)
        disk_after = disk_mb(stack)
        cases = quota_cases(stack)
        dead = [c.name for c in stack.supervisor.dead()]
    finally:
        stack.stop()
    failures = report(all_targets, idle, peak, disk_before, disk_after, dead, args, cases)
    sys.exit(1 if failures else 0)


def report(
    all_targets: list[Target],
    idle: dict[str, Memory],
    peak: dict[str, Memory],
    disk_before: float,
    disk_after: float,
    dead: list[str],
    args: argparse.Namespace,
    cases: list[Case],
) -> list[str]:
    print(f"\n{args.at_once} at once × {args.mb} MB, no session or token, to each target")
    print(f"{'target':<38}{'answers':<44}{'most sent before the answer':>28}")
    failures = [f"{name} died" for name in dead]
    for t in all_targets:
        answers = ", ".join(f"{n}× {said}" for said, n in sorted(t.answers.items()))
        print(f"{t.name:<38}{answers:<44}{t.most_taken / 1e6:>25.1f} MB")
        failures += [f"{t.name}: {said}" for said in t.answers if said.startswith("5")]
    print(f"\n{'part':<16}{'idle RSS MB':>14}{'peak RSS MB':>14}")
    for name, memory in idle.items():
        print(f"{name:<16}{memory.rss_mb:>14.0f}{peak[name].rss_mb:>14.0f}")
    print(f"\nthe stack's folder: {disk_before:.0f} MB before, {disk_after:.0f} MB after")
    failures += quota_report(cases)
    print("failures: " + ("; ".join(failures) if failures else "none"))
    save(
        "abuse",
        {
            "at_once": args.at_once,
            "body_mb": args.mb,
            "targets": {
                t.name: {"answers": t.answers, "most_sent": t.most_taken} for t in all_targets
            },
            "rss_mb": {
                n: {"idle": round(m.rss_mb), "peak": round(peak[n].rss_mb)} for n, m in idle.items()
            },
            "disk_mb": {"before": round(disk_before), "after": round(disk_after)},
            "quotas": {
                c.name: {"answers": c.answers, "accepted": c.accepted, "counted": c.used}
                for c in cases
            },
            "failures": failures,
        },
    )
    return failures


if __name__ == "__main__":
    main()
