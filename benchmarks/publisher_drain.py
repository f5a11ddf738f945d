"""Benchmark (not a test): how fast the publisher drains N accounts × M approved posts through
the TikTok stand-in, which enforces TikTok's per-token limits (content/init 6 a minute) and its
daily post cap, against the best any client could do within those limits.

Each account may post `min(M, cap)` today; the rest must wait for tomorrow. With content/init
limited to L calls in any 60 s, the k-th post of an account cannot start before
floor((k-1)/L) minutes: the optimum drain time is floor((min(M, cap)-1)/L) minutes, plus the time
one post takes (measured here as the fastest single post). Counted on TikTok's side: 429 answers
and posts beyond an account's cap (both should be 0).

    uv run python -m benchmarks.publisher_drain [--accounts 3] [--posts 12] [--cap 10]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from itertools import zip_longest
from typing import Any

import httpx

from benchmarks.report import bench_stack, save
from gatepost_common.topics import POST_PUBLISHED
from gatepost_devstack.stack import Stack
from tests.support import APPROVAL, collect, event_of, eventually, generated_posts, signed_up

INIT_PER_MINUTE = 6  # TikTok's documented content/init limit, per access token


async def published(stack: Stack, post_ids: set[str], wait_s: float) -> list[Any]:
    return await collect(
        stack.kafka_bootstrap,
        POST_PUBLISHED,
        lambda r: event_of(r)["data"].get("post_id") in post_ids,
        count=len(post_ids),
        timeout=wait_s,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=3)
    parser.add_argument("--posts", type=int, default=12, help="approved posts per account")
    parser.add_argument("--cap", type=int, default=10, help="the publisher's DAILY_CAP")
    args = parser.parse_args()
    allowed = min(args.posts, args.cap)
    with bench_stack("publisher_drain", DAILY_CAP=str(args.cap)) as stack:
        users = {
            account: (client, user)
            for client, user, account in (signed_up(stack) for _ in range(args.accounts))
        }
        print(f"generating {args.accounts * args.posts} posts …", flush=True)
        owners = [(user, account) for account, (_, user) in users.items()]
        queue: dict[str, list[str]] = {account: [] for account in users}
        for post in asyncio.run(generated_posts(stack, owners * args.posts)):
            queue[post["account_id"]].append(post["post_id"])

        def approve(account: str, post_id: str) -> None:
            client = users[account][0]
            eventually(lambda: client.get(f"/api/approval/posts/{post_id}").status_code == 200)
            client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL).raise_for_status()

        # one post alone: what a post takes when no limit holds it back
        lone_account = next(iter(queue))
        lone = queue[lone_account].pop(0)
        single_started = time.monotonic()
        approve(lone_account, lone)
        asyncio.run(published(stack, {lone}, 120))
        single = time.monotonic() - single_started

        # each account may post `allowed` today, the lone post included
        expected = {
            post_id
            for account, ids in queue.items()
            for post_id in ids[: allowed - (account == lone_account)]
        }
        print(f"approving {sum(map(len, queue.values()))} posts, one at a time …", flush=True)
        started = time.monotonic()
        for round_ in zip_longest(*queue.values()):  # accounts in turn, as people would
            for account, post_id in zip(queue, round_, strict=True):
                if post_id is not None:
                    approve(account, post_id)
        done = asyncio.run(published(stack, expected, 600))
        drained = time.monotonic() - started
        to_defer = sum(map(len, queue.values())) - len(expected)

        def deferrals() -> int:
            return sum(
                1
                for client, _ in users.values()
                for job in client.get("/api/publisher/publications").json()
                if job.get("status") == "queued" and job.get("deferred_reason")
            )

        deferred = eventually(lambda: deferrals() >= to_defer) and deferrals()
        tiktok = f"http://127.0.0.1:{stack.ports.tiktok}/_control"
        requests = httpx.get(f"{tiktok}/requests").json()
        per_creator = Counter(p["open_id"] for p in httpx.get(f"{tiktok}/publishes").json())

    statuses = Counter(event_of(r)["data"]["status"] for r in done)
    too_many = sum(1 for r in requests if r["status"] == 429)
    overruns = sum(max(0, n - args.cap) for n in per_creator.values())
    optimum = (allowed - 1) // INIT_PER_MINUTE * 60 + single
    figures: dict[str, Any] = {
        "accounts": args.accounts,
        "posts_per_account": args.posts,
        "daily_cap": args.cap,
        "published": dict(statuses),
        "expected": len(expected),
        "deferred_to_tomorrow": deferred,
        "should_be_deferred": to_defer,
        "single_post_s": round(single, 2),
        "drain_s": round(drained, 1),
        "optimum_s": round(optimum, 1),
        "drain_to_optimum": round(drained / optimum, 2),
        "tiktok_429s": too_many,
        "cap_overruns": overruns,
    }
    print(f"\n{args.accounts} accounts × {args.posts} posts, daily cap {args.cap}:")
    print(f"  one post alone           {single:7.1f} s")
    print(
        f"  drain of {len(expected)} posts       {drained:7.1f} s vs optimum {optimum:.1f} s: "
        f"{drained / optimum:.2f}x"
    )
    print(
        f"  outcomes                 {dict(statuses)}; deferred to tomorrow: {deferred} "
        f"of {to_defer} beyond the cap"
    )
    print(f"  TikTok 429 answers       {too_many}")
    print(f"  posts beyond the cap     {overruns}")
    save("publisher_drain", figures)


if __name__ == "__main__":
    main()
