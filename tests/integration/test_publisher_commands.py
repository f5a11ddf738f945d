"""The MongoDB commands one published post costs the publisher, counted on the wire (a PyMongo
CommandListener) while its real repositories run against the MongoDB-wire server: issue 34's
budget is 12 a post. The post goes as in the drain benchmark: taken in, handed to TikTok
(creator_info, content/init), polled once while TikTok processes it and once more when it is
public. TikTok and auth are scripted (the commands are the subject here, not the calls)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

from pymongo import AsyncMongoClient, monitoring

from gatepost_common import signing
from gatepost_common.audit import AuditLog, verify_chain
from gatepost_common.cloud_event import CloudEvent, envelope
from gatepost_common.events import PostApproved
from gatepost_common.ratelimit import RateLimiter
from gatepost_devstack.stack import Stack
from gatepost_publisher.adapters import Grant
from gatepost_publisher.bootstrap import Adapters, Parts, wire
from gatepost_publisher.calls import TikTokCalls
from gatepost_publisher.headroom import AppCreators
from gatepost_publisher.jobs import MongoJobRepository
from gatepost_publisher.limits import DailyCap, InboxShares, InitLocks
from gatepost_publisher.livestore import LiveStore
from gatepost_publisher.pinning import pinned
from gatepost_publisher.settings import Settings
from tests.unit.publisher.fakes import PRIVATE_KEY, PUBLIC_KEY, FakeClock, FakeServed

POSTS = 4  # of four accounts, worked side by side as the worker does
# issue 34's target is 12 a post; 44.75 (first posts) when this test was written, 23 (each
# further post) after the cuts (what bounds the rest: docs/benchmarks.md)
BUDGET = 23


class Commands(monitoring.CommandListener):
    """Each command the client sends, by name and collection."""

    def __init__(self) -> None:
        self.seen: Counter[tuple[str, str]] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        collection = event.command.get(event.command_name)
        self.seen[(event.command_name, str(collection))] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


class Auth:
    async def access_token(
        self, account_id: str, user_id: str, rejected: str | None = None
    ) -> Grant:
        return Grant(f"token-{account_id}", f"creator-{account_id}")


class TikTok:
    """TikTok as the stand-in answers a healthy photo post: processing, then public."""

    def __init__(self) -> None:
        self.polls: Counter[str] = Counter()

    async def creator_info(self, token: str) -> dict[str, Any]:
        return {"privacy_level_options": ["PUBLIC_TO_EVERYONE"], "creator_username": "c"}

    async def init_photo_post(self, token: str, **_: Any) -> str:
        return f"p_pub_{token}_{len(self.polls)}_{uuid.uuid4().hex[:6]}"

    async def publish_status(self, token: str, publish_id: str) -> dict[str, Any]:
        self.polls[publish_id] += 1
        if self.polls[publish_id] == 1:
            return {"status": "PROCESSING_DOWNLOAD"}
        return {"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": [7_000_000_001]}


def approval(account: str, n: int, clock: FakeClock) -> CloudEvent[PostApproved]:
    unsigned = PostApproved.model_validate(
        {
            "post_id": f"post-{account}-{n}",
            "user_id": "user-1",
            "account_id": account,
            "approved_at": clock.now(),
            "approved_by": "user-1",
            "title": "A title",
            "description": "A caption #tag",
            "photo_urls": [f"https://media.example/p/{account}/{n}.jpg" for n in range(7)],
            "photo_sha256": [f"{n:064x}" for n in range(7)],
            "cover_index": 0,
            "options": {"privacy_level": "PUBLIC_TO_EVERYONE", "disable_comment": False},
            "signature": "",
        }
    )
    signed = unsigned.model_copy(
        update={"signature": signing.sign(PRIVATE_KEY, unsigned.signed_data())}
    )
    return envelope(signed, source="test", subject=signed.post_id)


async def published(
    parts: Parts,
    jobs: MongoJobRepository,
    clock: FakeClock,
    served: FakeServed,
    commands: Commands,
    accounts: list[str],
    n: int,
) -> Counter[str]:
    """Post number `n` of each account, from its approval to its outcome marked sent: the
    commands it took, by name and collection."""
    events = [approval(account, n, clock) for account in accounts]
    for event in events:
        served.files.update(pinned(event.data))
    commands.seen.clear()
    for event in events:
        await parts.intake.on_post_approved(event)
    worker = parts.worker
    for _ in range(3):  # hand over, then two polls a status interval apart
        claimed = await jobs.claim_due(worker.owner, clock.now(), worker.lease, POSTS)
        assert len(claimed) == POSTS
        await asyncio.gather(*(worker.work(job) for job in claimed))
        clock.advance(parts.worker.settings.status_poll_max_interval_s * 2)
    await parts.outcomes.mark_sent()  # between jobs, once for all
    used = Counter({f"{name} {collection}": k for (name, collection), k in commands.seen.items()})
    for account in accounts:
        job = await jobs.get(f"post-{account}-{n}")
        assert job is not None and job["result"] == "PUBLISH_COMPLETE"
        assert job["post_ids"] == ["7000000001"] and not job["outcome_pending"]
    return used


async def test_a_published_post_costs_the_publisher_at_most_23_commands(stack: Stack) -> None:
    commands = Commands()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        stack.mongodb_url, tz_aware=True, event_listeners=[commands]
    )
    db = client[f"{stack.database_prefix}_commands_{uuid.uuid4().hex[:6]}"]
    settings = Settings(
        session_public_key=PUBLIC_KEY,
        approval_public_key=PUBLIC_KEY,
        tiktok_client_key="k",
        tiktok_client_secret="s",
        verified_url_prefixes=["https://media.example/p/"],
    )
    clock, served, tiktok = FakeClock(), FakeServed(), TikTok()
    jobs, audit, limiter = MongoJobRepository(db), AuditLog(db), RateLimiter(db, clock)

    async def emit(event: CloudEvent[Any], key: str) -> None:
        pass  # post.progressed and post.published: Kafka's business, not MongoDB's

    adapters = Adapters(
        jobs,
        audit,
        TikTokCalls(settings, Auth(), limiter, audit, clock),
        tiktok,  # type: ignore[arg-type]
        DailyCap(db, settings.daily_cap),
        InitLocks(db),
        InboxShares(db, settings.inbox_share_cap),
        AppCreators(db, settings.active_creator_cap),
        None,  # type: ignore[arg-type]
        served,
        LiveStore(db),
    )
    parts = wire(settings, adapters, emit, clock)
    try:
        await jobs.ensure_indexes()
        await audit.ensure_indexes()
        accounts = [f"acc-{uuid.uuid4().hex[:8]}" for _ in range(POSTS)]
        # an account's first post also makes its rate windows, its creator's places and its
        # audit tail; the second is what each further post of a drain costs
        first = await published(parts, jobs, clock, served, commands, accounts, 1)
        later = await published(parts, jobs, clock, served, commands, accounts, 2)
        print(f"\nMongoDB commands an account's first post: {first.total() / POSTS:.2f}")
        print(f"MongoDB commands each further post: {later.total() / POSTS:.2f}")
        print("\n".join(f"  {n / POSTS:5.2f}  {c}" for c, n in later.most_common()))
        for account in accounts:
            entries = list(reversed(await audit.for_account(account, limit=50)))
            kinds = [e["kind"] for e in entries]
            assert kinds.count("tiktok_call") == 8 and kinds.count("outcome") == 2, kinds
            assert kinds[0] == "intake" and verify_chain(entries) is None
        assert later.total() <= BUDGET * POSTS, later
        assert first.total() <= (BUDGET + 9) * POSTS, first  # 32 a post
    finally:
        await client.drop_database(db.name)
        await client.close()
