"""Benchmark (not a test): how fast publisher replicas drain many accounts' approved posts through
the TikTok stand-in (TikTok's per-token limits: content/init 6 a minute, creator_info 20,
status/fetch 30; processing taking `--processing` seconds per post), against the best any client
could do within those limits.

Every account may post `min(M, cap)` today. With content/init limited to L calls in any 60 s, an
account's k-th post cannot start before floor((k-1)/L) minutes, so the optimum drain time is
floor((min(M, cap)-1)/L) minutes plus what one post takes alone (measured first, on an idle
stack). Counted on TikTok's side: 429 answers, posts beyond a creator's cap and content that was
initiated twice (all should be 0).

The approvals are signed here with the local run's approval key, as the approval service would,
for posts sharing one generated carousel's pictures (each with its own title): generating
thousands of carousels is the generation benchmark's business.

    uv run python -m benchmarks.publisher_drain [--accounts 200] [--posts 8] [--processing 15]
        [--replicas 2] [--cap 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from benchmarks.report import bench_stack, save
from gatepost_common import signing
from gatepost_common.cloud_event import envelope
from gatepost_common.events import PostApproved, PublishOptions
from gatepost_common.topics import POST_APPROVED, POST_PUBLISHED
from gatepost_devstack.outside import collect, event_of, eventually, generated_posts, signed_up
from gatepost_devstack.stack import Stack

INIT_PER_MINUTE = 6  # TikTok's documented content/init limit, per access token
REPLICA_PORTS = 18_700  # extra publisher replicas listen from here on


def approval(
    stack: Stack, user_id: str, account_id: str, photo_urls: list[str], n: int
) -> PostApproved:
    unsigned = PostApproved(
        post_id=f"bench-{uuid.uuid4().hex[:12]}",
        user_id=user_id,
        account_id=account_id,
        approved_at=datetime.now(UTC),
        approved_by=user_id,
        title=f"Drain benchmark {n} of {account_id[-8:]}",
        description=f"Post {n} of the publisher drain benchmark #gatepost #benchmark",
        photo_urls=photo_urls,
        cover_index=0,
        options=PublishOptions(privacy_level="PUBLIC_TO_EVERYONE", disable_comment=False),
        signature="",
    )
    key = stack.secrets["approval_signing_key"]
    return unsigned.model_copy(update={"signature": signing.sign(key, unsigned.signed_data())})


async def send(stack: Stack, approvals: list[PostApproved]) -> None:
    producer = AIOKafkaProducer(  # as the approval service: its principal may write post.approved
        bootstrap_servers=stack.kafka_bootstrap, linger_ms=5, **stack.kafka_options("approval")
    )
    await producer.start()
    try:
        sent = [
            await producer.send(
                POST_APPROVED,
                envelope(a, source="gatepost/approval", subject=a.post_id)
                .model_dump_json()
                .encode(),
                key=a.account_id.encode(),
                headers=[("content-type", b"application/cloudevents+json")],
            )
            for a in approvals
        ]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def outcomes(stack: Stack, post_ids: set[str], count: int, wait_s: float) -> list[Any]:
    return await collect(
        stack.kafka_bootstrap,
        POST_PUBLISHED,
        lambda r: event_of(r)["data"].get("post_id") in post_ids,
        count=count,
        timeout=wait_s,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--posts", type=int, default=8, help="approved posts per account")
    parser.add_argument("--processing", type=float, default=15.0, help="TikTok's seconds a post")
    parser.add_argument("--replicas", type=int, default=2, help="publisher replicas")
    parser.add_argument("--cap", type=int, default=10, help="the publisher's DAILY_CAP")
    parser.add_argument(
        "--mongo",
        choices=["memory", "disk"],
        default="memory",
        help="the local MongoDB-wire server's backend: in memory (the default: it answers a "
        "command in well under a millisecond, as a real MongoDB does) or on disk, as the local "
        "run's (H2, about 0.7 ms of one serialised thread a command: the publishers' commands "
        "queue for 20-40 ms behind each other)",
    )
    args = parser.parse_args()
    allowed = min(args.posts, args.cap)
    os.environ["TIKTOK_STANDIN_PROCESSING_DELAY_S"] = str(args.processing)
    # production's first status poll (the local run polls sooner, for quick feedback)
    with bench_stack(
        "publisher_drain",
        mongo_in_memory=args.mongo == "memory",
        DAILY_CAP=str(args.cap),
        STATUS_POLL_INTERVAL_S="10",
    ) as stack:
        replicas = [
            subprocess.Popen(
                [sys.executable, "-m", "gatepost_publisher"],
                env={
                    **os.environ,
                    **stack.service_env("publisher"),
                    "HTTP_PORT": str(REPLICA_PORTS + n),
                },
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for n in range(args.replicas - 1)
        ]
        try:
            figures = drain(stack, args, allowed)
        finally:
            for process in replicas:
                process.send_signal(signal.SIGTERM)
                process.wait(30)
    report(args, figures)
    save("publisher_drain" + ("-mongo-on-disk" if args.mongo == "disk" else ""), figures)


def drain(stack: Stack, args: argparse.Namespace, allowed: int) -> dict[str, Any]:
    for n in range(args.replicas - 1):
        url = f"http://127.0.0.1:{REPLICA_PORTS + n}/readyz"
        ready = eventually(lambda u=url: _ready(u), timeout=60)  # type: ignore[misc]
        assert ready, f"publisher replica {n + 2} did not start"
    print(f"connecting {args.accounts} TikTok accounts …", flush=True)
    # one at a time: the stand-in's consent goes to the creator named last (a creator each)
    owners = [
        (user, account) for _, user, account in (signed_up(stack) for _ in range(args.accounts))
    ]
    print("generating one carousel for its pictures …", flush=True)
    [post] = asyncio.run(generated_posts(stack, owners[:1]))
    photos = [slide["image_url"] for slide in post["slides"]]

    # one post alone, on an idle stack: what a post takes when no limit holds it back
    lone = approval(stack, *owners[0], photos, 0)
    started = time.monotonic()
    asyncio.run(send(stack, [lone]))
    [first] = asyncio.run(outcomes(stack, {lone.post_id}, 1, 300))
    single = time.monotonic() - started
    assert event_of(first)["data"]["status"] == "PUBLISH_COMPLETE", event_of(first)

    # the lone account has posted once today already: it gets one post fewer, and one place
    batch = [
        approval(stack, user, account, photos, k + 1)
        for k in range(args.posts)
        for index, (user, account) in enumerate(owners)
        if not (index == 0 and k == args.posts - 1)
    ]
    to_publish = min(args.posts - 1, args.cap - 1) + (args.accounts - 1) * allowed
    print(f"approving {len(batch)} posts of {args.accounts} accounts at once …", flush=True)
    started, wall_start = time.monotonic(), time.time()
    asyncio.run(send(stack, batch))
    wait_s = (allowed // INIT_PER_MINUTE + 1) * 60 + 20 * args.processing + 300
    done = asyncio.run(outcomes(stack, {a.post_id for a in batch}, to_publish, wait_s))
    drained = time.monotonic() - started

    tiktok = f"http://127.0.0.1:{stack.ports.tiktok}/_control"
    requests = httpx.get(f"{tiktok}/requests", timeout=60).json()
    publishes = httpx.get(f"{tiktok}/publishes", timeout=60).json()
    per_creator = Counter(p["open_id"] for p in publishes)
    inits = httpx.get(f"{tiktok}/init-calls", timeout=60).json()
    statuses = Counter(event_of(r)["data"]["status"] for r in done)
    optimum = (allowed - 1) // INIT_PER_MINUTE * 60 + single
    return {
        "accounts": args.accounts,
        "posts_per_account": args.posts,
        "daily_cap": args.cap,
        "processing_s": args.processing,
        "replicas": args.replicas,
        "mongo_backend": args.mongo,
        "published": dict(statuses),
        "expected": to_publish,
        "deferred_to_tomorrow": len(batch) - len(done),
        "single_post_s": round(single, 2),
        "drain_s": round(drained, 1),
        "optimum_s": round(optimum, 1),
        "drain_to_optimum": round(drained / optimum, 2),
        "tiktok_429s": sum(1 for r in requests if r["status"] == 429),
        "tiktok_429s_by_path": dict(Counter(r["path"] for r in requests if r["status"] == 429)),
        "cap_overruns": sum(max(0, n - args.cap) for n in per_creator.values()),
        "duplicate_inits": sum(max(0, n - 1) for n in inits.values()),
        "kth_init_of_every_account_by_s": kth_inits(publishes, wall_start, 1.0),
        "kth_init_of_half_the_accounts_by_s": kth_inits(publishes, wall_start, 0.5),
    }


def kth_inits(publishes: list[dict[str, Any]], since: float, share: float) -> list[float]:
    """When `share` of the accounts had made their k-th init (k = 1, 2, …), seconds after the
    batch was sent: an account's (L+k)-th post cannot start before a minute after its k-th, so
    how soon the first inits of every account go out bounds the whole drain."""
    times: dict[str, list[float]] = {}
    for p in publishes:
        if p["created_at"] >= since:
            times.setdefault(p["open_id"], []).append(p["created_at"] - since)
    ordered = [sorted(t) for t in times.values()]
    deepest = min((len(t) for t in ordered), default=0)
    reached = max(1, round(share * len(ordered)))
    return [round(sorted(t[k] for t in ordered)[reached - 1], 1) for k in range(deepest)]


def _ready(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def report(args: argparse.Namespace, f: dict[str, Any]) -> None:
    print(
        f"\n{args.accounts} accounts × {args.posts} posts, daily cap {args.cap}, TikTok "
        f"processing {args.processing:g} s, {args.replicas} publisher replicas, the local "
        f"MongoDB-wire server {'in memory' if args.mongo == 'memory' else 'on disk'}:"
    )
    print(f"  one post alone           {f['single_post_s']:7.1f} s")
    print(
        f"  drain of {f['expected']} posts     {f['drain_s']:7.1f} s vs optimum "
        f"{f['optimum_s']:.1f} s: {f['drain_to_optimum']:.2f}x"
    )
    print(f"  outcomes                 {f['published']}")
    print(f"  waiting for tomorrow     {f['deferred_to_tomorrow']}")
    print(f"  TikTok 429 answers       {f['tiktok_429s']} {f['tiktok_429s_by_path'] or ''}")
    print(f"  posts beyond the cap     {f['cap_overruns']}")
    print(f"  content initiated twice  {f['duplicate_inits']}")
    print(f"  k-th init of every account by (s): {f['kth_init_of_every_account_by_s']}")
    print(f"  k-th init of half of them by (s):  {f['kth_init_of_half_the_accounts_by_s']}")


if __name__ == "__main__":
    main()
