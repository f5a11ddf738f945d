"""In-memory stand-ins for the publisher's ports, wired through the service's own composition root
(`bootstrap.wire`), so the lifecycle runs without MongoDB, Kafka, auth or TikTok."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections import defaultdict
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from gatepost_common import signing
from gatepost_common.clock import Clock
from gatepost_common.cloud_event import CloudEvent, envelope
from gatepost_common.events import PostApproved, PostProgressed, PostPublished
from gatepost_common.mongo import Document
from gatepost_publisher.adapters import AuthRefused, Grant
from gatepost_publisher.bootstrap import Adapters, Parts, wire
from gatepost_publisher.calls import CallFailed, NotYet
from gatepost_publisher.domain import Handling
from gatepost_publisher.headroom import AppCreators, creator_cap
from gatepost_publisher.jobs import move_update, new_job
from gatepost_publisher.lifecycle import ACTIVE, INITIATED, JobStatus, Move
from gatepost_publisher.limits import next_place
from gatepost_publisher.livestore import LiveStore
from gatepost_publisher.pinning import pinned
from gatepost_publisher.settings import Settings
from gatepost_publisher.webhooks import forward
from tests.unit.memory import MemoryDatabase

T = TypeVar("T")
START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PRIVATE_KEY, PUBLIC_KEY = signing.generate_keypair()


class FakeClock(Clock):
    def __init__(self) -> None:
        self.at = START

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


class FakeJobs:
    """The job store's semantics: a move applies only from its source state (and owner)."""

    def __init__(self) -> None:
        self.docs: dict[str, Document] = {}

    async def add(self, job: Document) -> bool:
        if job["_id"] in self.docs:
            return False
        self.docs[job["_id"]] = new_job(job)
        return True

    async def get(self, job_id: str) -> Document | None:
        found = self.docs.get(job_id)
        return copy.deepcopy(found) if found else None

    async def claim_due(
        self, owner: str, now: datetime, lease: timedelta, limit: int = 1
    ) -> list[Document]:
        due = [
            d
            for d in self.docs.values()
            if d["status"] in ACTIVE
            and d["due_at"] <= now
            and (d["lease_until"] is None or d["lease_until"] < now)
        ]
        claimed = sorted(due, key=lambda d: d["due_at"])[:limit]
        for job in claimed:
            job.update(lease_until=now + lease, lease_owner=owner)
        return copy.deepcopy(claimed)

    async def renew(self, job_id: str, owner: str, until: datetime) -> bool:
        job = self.docs.get(job_id)
        if job is None or job["lease_owner"] != owner or job["status"] == JobStatus.DONE:
            return False
        job["lease_until"] = until
        return True

    async def move(
        self,
        job_id: str,
        move: Move,
        fields: Document,
        *,
        owner: str | None = None,
        post_ids: list[str] | None = None,
    ) -> bool:
        job = self.docs.get(job_id)
        if job is None or job["status"] != move.source:
            return False
        if owner is not None and job["lease_owner"] != owner:
            return False
        job.update(move_update(move, fields)["$set"])
        if post_ids:
            await self.add_post_ids(job_id, post_ids)
        return True

    async def note(self, job_id: str, owner: str, fields: Document) -> bool:
        job = self.docs.get(job_id)
        if job is None or job["lease_owner"] != owner or job["status"] == JobStatus.DONE:
            return False
        for dotted, value in fields.items():  # MongoDB's dotted paths
            *parents, name = dotted.split(".")
            target = job
            for parent in parents:
                target = target[parent]
            target[name] = value
        return True

    async def adopt(self, job_id: str, fields: Document) -> bool:
        job = self.docs.get(job_id)
        if job is None or job["publish_id"] is not None:
            return False
        if job["status"] != JobStatus.INITIATING and not (
            job["status"] == JobStatus.DONE and job.get("result") == "UNKNOWN"
        ):
            return False
        ended = {"result": None, "fail_reason": None, "finished_at": None, "outcome_pending": False}
        changes = move_update(INITIATED, {**fields, **ended})
        job.update(changes["$set"])
        return True

    async def orphaned_attempts(self, now: datetime) -> list[Document]:
        return [
            copy.deepcopy(d)
            for d in self.docs.values()
            if d["status"] == JobStatus.INITIATING and d["lease_until"] < now
        ]

    async def add_post_ids(self, job_id: str, post_ids: list[str]) -> None:
        job = self.docs[job_id]
        job["post_ids"] += [p for p in post_ids if p not in job["post_ids"]]
        job.update(flag=None, visibility_due=None)

    async def watch_visibility(self, job_id: str, due: datetime | None) -> None:
        self.docs[job_id]["visibility_due"] = due

    async def visibility_due(self, now: datetime) -> list[Document]:
        return [
            copy.deepcopy(d)
            for d in self.docs.values()
            if d.get("visibility_due") and d["visibility_due"] <= now
        ]

    async def flag(self, job_id: str, flag: str) -> bool:
        job = self.docs[job_id]
        if job["post_ids"]:
            return False
        job.update(flag=flag, visibility_due=None)
        return True

    async def pending_outcomes(self, finished_before: datetime) -> list[Document]:
        return [
            copy.deepcopy(d)
            for d in self.docs.values()
            if d.get("outcome_pending") and d["finished_at"] <= finished_before
        ]

    async def outcomes_sent(self, job_ids: list[str]) -> None:
        for job_id in job_ids:
            self.docs[job_id]["outcome_pending"] = False

    async def latest_attempt(self, post_id: str, user_id: str) -> Document | None:
        mine = [
            d
            for d in self.docs.values()
            if d["post_id"] == post_id and d["approved"]["user_id"] == user_id
        ]
        latest = max(mine, key=lambda d: d["attempt"], default=None)
        return copy.deepcopy(latest)

    async def by_publish_id(self, publish_id: str) -> Document | None:
        found = [d for d in self.docs.values() if d["publish_id"] == publish_id]
        return copy.deepcopy(found[0]) if found else None


@dataclass
class FakeAudit:
    entries: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    async def append(self, account_id: str, kind: str, **detail: Any) -> None:
        self.entries.append((account_id, kind, detail))

    def batched(self) -> AbstractAsyncContextManager[None]:
        return contextlib.nullcontext()  # entries are kept as they are appended

    async def written(self) -> None:
        pass

    def kinds(self) -> list[str]:
        return [kind for _, kind, _ in self.entries]


class FakeCap:
    """`cap` posts per creator within any 24 hours: a place is held for 24 hours from its init."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.held: dict[str, dict[str, datetime]] = defaultdict(dict)  # holder → post → since
        self.releases = 0

    async def reserve(self, holder: str, post_id: str, now: datetime) -> datetime | None:
        places = self.held[holder]
        for post, since in list(places.items()):
            if since <= now - timedelta(hours=24):
                del places[post]
        if post_id in places:
            return None
        frees = next_place(sorted(places.values()), self.cap)
        if frees is None:
            places[post_id] = now
        return frees

    async def release(self, holder: str, post_id: str) -> None:
        if self.held[holder].pop(post_id, None) is not None:
            self.releases += 1


class FakeShares:
    """The inbox budget: `cap` drafts per creator within any 24 hours."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.sent: dict[str, tuple[str, datetime]] = {}

    async def reserve(self, creator: str, job_id: str, now: datetime) -> datetime | None:
        if job_id in self.sent:
            return None
        day = timedelta(hours=24)
        recent = sorted(at for c, at in self.sent.values() if c == creator and at > now - day)
        frees = next_place(recent, self.cap)
        if frees is None:
            self.sent[job_id] = (creator, now)
        return frees

    async def release(self, job_id: str) -> None:
        self.sent.pop(job_id, None)


class FakeLocks:
    def __init__(self) -> None:
        self.holders: dict[str, tuple[str, datetime]] = {}

    async def take(self, creator: str, job_id: str, now: datetime, until: datetime) -> bool:
        holder = self.holders.get(creator)
        if holder is not None and holder[0] != job_id and holder[1] >= now:
            return False
        self.holders[creator] = (job_id, until)
        return True

    async def give_back(self, creator: str, job_id: str) -> None:
        if self.holders.get(creator, ("",))[0] == job_id:
            del self.holders[creator]


class FakeServed:
    """media's URLs, each as the SHA-256 of what it serves; a URL nobody set answers 404.
    `World.approve` sets each approved URL to the approved bytes, as media keeps them."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        self.sizes: dict[str, tuple[int, int]] = {}  # a photo's width and height (default square)
        self.asked: list[str] = []

    async def sha256(self, url: str) -> str:
        self.asked.append(url)
        if url not in self.files:
            raise CallFailed(Handling.RETRY, "media_unserved", f"media answered {url} with 404")
        return self.files[url]

    async def size(self, url: str) -> tuple[int, int] | None:
        return self.sizes.get(url, (1080, 1080))


Answer = Any  # a value to return, or an exception to raise


class NoTikTok:
    """The TikTok client behind `FakeCalls`, which answers without sending: never reached."""

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        async def unreachable(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError(f"TikTok's {name} was reached past the fake calls")

        return unreachable


class FakeCalls:
    """TikTok and auth as scripted answers per endpoint; a call without a script answers like a
    healthy TikTok (creator_info allowing every privacy level, init a new publish_id, status
    PROCESSING_DOWNLOAD). Counts every call, so tests can say what was (not) sent."""

    def __init__(self) -> None:
        self.script: dict[str, list[Answer]] = defaultdict(list)
        self.sent: list[str] = []
        self.slots_free_in: dict[str, timedelta] = {}
        self.auth_answers: list[Answer] = []
        self.creators: dict[str, str] = {}  # account → open_id; "creator-1" when not given
        self.gate: asyncio.Event | None = None  # when set: every call waits for it
        self.at_gate = asyncio.Event()  # set once a call waits at the gate
        self.in_flight = self.most_in_flight = 0

    def then(self, endpoint: str, *answers: Answer) -> None:
        self.script[endpoint].extend(answers)

    async def free_in(self, account: str, endpoint: str) -> timedelta:
        return self.slots_free_in.get(endpoint, timedelta(0))

    async def grant(self, account: str, user: str, rejected: str | None = None) -> Grant:
        if self.auth_answers:
            answer = self.auth_answers.pop(0)
            if isinstance(answer, AuthRefused):  # as TikTokCalls.grant reports auth's refusals
                raise CallFailed(answer.handling, answer.code, answer.reason)
            if isinstance(answer, BaseException):
                raise answer
        return Grant("token", self.creators.get(account, "creator-1"))

    async def call(
        self,
        account: str,
        user: str,
        endpoint: str,
        send: Callable[[str], Awaitable[T]],
        *,
        post_id: str,
        repeatable: bool = True,
        grant: Grant | None = None,
    ) -> T:
        if (wait := self.slots_free_in.get(endpoint, timedelta(0))) > timedelta(0):
            raise NotYet(wait)
        if grant is None:
            await self.grant(account, user)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.gate is not None:
                self.at_gate.set()
                await self.gate.wait()
        finally:
            self.in_flight -= 1
        self.sent.append(endpoint)
        answer = self.script[endpoint].pop(0) if self.script[endpoint] else self.healthy(endpoint)
        if isinstance(answer, BaseException):
            raise answer
        if endpoint.endswith("init") and isinstance(answer, str):
            answer = (answer, None)  # a publish_id, no upload URL
        result: T = answer
        return result

    def healthy(self, endpoint: str) -> Answer:
        return {
            "creator_info": {
                "privacy_level_options": ["PUBLIC_TO_EVERYONE", "SELF_ONLY"],
                "posting_blocked": None,
            },
            "content_init": f"p_pub_{len(self.sent)}",
            "video_init": f"v_pub_{len(self.sent)}",
            "inbox_video_init": f"v_inbox_{len(self.sent)}",
            "status_fetch": {"status": "PROCESSING_DOWNLOAD"},
        }[endpoint]


def server_error(uncertain: bool) -> CallFailed:
    return CallFailed(Handling.RETRY, "internal_error", "TikTok failed", uncertain=uncertain)


def refused(code: str, what: Handling = Handling.FAIL) -> CallFailed:
    return CallFailed(what, code, f"TikTok refused ({code})")


@dataclass
class World:
    settings: Settings
    clock: FakeClock
    jobs: FakeJobs
    audit: FakeAudit
    calls: FakeCalls
    cap: FakeCap
    locks: FakeLocks
    shares: FakeShares
    served: FakeServed
    emitted: list[PostPublished]
    progressed: list[PostProgressed]
    parts: Parts
    app: AppCreators
    db: Any = None  # the in-memory MongoDB of the live links and numbers

    async def approve(self, post_id: str = "post-1", attempt: int = 1, **changes: Any) -> str:
        data = {
            "post_id": post_id,
            "user_id": "user-1",
            "account_id": changes.pop("account_id", "account-1"),
            "approved_at": self.clock.now(),
            "approved_by": "user-1",
            "title": "A title",
            "description": "A caption #tag",
            "photo_urls": ["https://media.example/p/1.jpg"],
            "cover_index": 0,
            "options": {"privacy_level": "PUBLIC_TO_EVERYONE", "disable_comment": False},
            "attempt": attempt,
            "signature": "",
            **changes,
        }
        unsigned = PostApproved.model_validate(data)
        for url, sha256 in pinned(unsigned):  # media serves what was approved
            self.served.files.setdefault(url, sha256)
        signed = unsigned.model_copy(
            update={"signature": signing.sign(PRIVATE_KEY, unsigned.signed_data())}
        )
        await self.parts.intake.on_post_approved(envelope(signed, source="test", subject=post_id))
        return post_id if attempt == 1 else f"{post_id}#{attempt}"

    async def step(self, owner: str = "worker-a") -> dict[str, Any] | None:
        """Claim the job due first and work one step of it, as one worker would."""
        claimed = await self.jobs.claim_due(owner, self.clock.now(), timedelta(seconds=120))
        if not claimed:
            return None
        [job] = claimed
        worker = self.parts.worker
        worker.owner = owner
        await worker.step(job)
        return self.jobs.docs[job["_id"]]

    def job(self, job_id: str = "post-1") -> Document:
        return self.jobs.docs[job_id]


def world(**settings: Any) -> World:
    config = Settings(
        session_public_key=PUBLIC_KEY,
        approval_public_key=PUBLIC_KEY,
        tiktok_client_key="k",
        tiktok_client_secret="s",
        verified_url_prefixes=["https://media.example/p/"],
        **settings,
    )
    clock, jobs, audit, calls = FakeClock(), FakeJobs(), FakeAudit(), FakeCalls()
    cap, locks, shares = FakeCap(config.daily_cap), FakeLocks(), FakeShares(config.inbox_share_cap)
    served = FakeServed()
    app = AppCreators(cast(Any, MemoryDatabase()), creator_cap(config))  # the real one, in memory
    emitted: list[PostPublished] = []
    progressed: list[PostProgressed] = []
    live_db = MemoryDatabase()  # the live links' and numbers' collections

    async def emit(event: CloudEvent[Any], key: str) -> None:
        if isinstance(event.data, PostProgressed):
            progressed.append(event.data)
        else:
            emitted.append(event.data)

    adapters = Adapters(
        jobs,
        audit,
        calls,
        NoTikTok(),
        cap,
        locks,
        shares,
        app,
        NoTikTok(),  # type: ignore[arg-type]
        served,
        LiveStore(cast(Any, live_db)),
    )
    parts = wire(config, adapters, emit, clock)
    return World(
        config,
        clock,
        jobs,
        audit,
        calls,
        cap,
        locks,
        shares,
        served,
        emitted,
        progressed,
        parts,
        app,
        live_db,
    )


async def forwarded(body: bytes) -> bytes:
    """What the receiver writes to `tiktok.webhook` for TikTok's `body`."""
    made: list[CloudEvent[Any]] = []

    async def keep(made_event: CloudEvent[Any], key: str) -> None:
        made.append(made_event)

    await forward(keep, body)
    return made[0].model_dump_json().encode()
