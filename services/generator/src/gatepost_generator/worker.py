"""The generation worker of one replica: up to N topics at once, each claimed from MongoDB with a
lease that is renewed while it is worked. A replica that dies hands its topics on when their
leases run out; a topic claimed `topic_attempts` times without an end fails with the reason.
`post.generated` goes out through an outbox: the post is stored with the topic first, emitted
after, and emitted again by any replica if Kafka did not acknowledge it (consumers are idempotent
by post id), so a crash anywhere loses no post and makes no second one."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from gatepost_common.clock import Clock
from gatepost_common.cloud_event import envelope
from gatepost_common.events import PostGenerated
from gatepost_common.kafka import Emit
from gatepost_common.metrics import GENERATION_DURATION, POSTS_FAILED, POSTS_GENERATED
from gatepost_common.telemetry import stored_trace, tracer
from gatepost_generator import domain
from gatepost_generator.adapters import MongoTopicRepository
from gatepost_generator.domain import GenerationFailed, Topic, TopicStatus
from gatepost_generator.generation import Generator, LostTopic
from gatepost_generator.provider_errors import plain_reason
from gatepost_generator.settings import Settings
from gatepost_generator.turns import on_behalf_of

logger = logging.getLogger(__name__)
SOURCE = "gatepost/generator"
OUTBOX_GRACE = timedelta(seconds=10)


@dataclass
class GenerationWorker:
    settings: Settings
    topics: MongoTopicRepository
    generator: Generator
    emit_event: Emit  # post.generated
    clock: Clock
    owner: str = field(default_factory=lambda: f"generator-{uuid.uuid4().hex[:12]}")
    running: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    holders: dict[str, str] = field(default_factory=dict)  # topic in hand → its person
    ended: set[str] = field(default_factory=set)  # running, but only emitting: no lease held
    renewed_at: float = 0.0

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.settings.lease_s)

    async def run(self) -> None:
        """Claim while there is room, renew what is held, flush the outbox; until cancelled. A
        step that fails (MongoDB or Kafka away for a moment) is tried again at the next tick,
        and the generations in hand go on meanwhile; when stopped, the topics in hand are given
        back, for this replica or another to take up at once instead of after their lease."""
        try:
            while True:
                try:
                    await self.fill()
                    await self.renew()
                    await self.flush_outbox()
                except Exception:
                    logger.exception("a step of the generation worker failed; trying again")
                await asyncio.sleep(self.settings.worker_interval_s)
        finally:
            in_hand = dict(self.running)
            for task in in_hand.values():
                task.cancel()
            await asyncio.gather(*in_hand.values(), return_exceptions=True)
            await self.give_back(list(in_hand))

    async def give_back(self, topic_ids: list[str]) -> None:
        """Best effort: a topic not given back is taken up when its lease runs out."""
        now = self.clock.now()
        try:
            async with asyncio.timeout(5):
                for topic_id in topic_ids:
                    await self.topics.apply(domain.give_back(topic_id, self.owner, now))
        except Exception:
            logger.warning("topics in hand not given back; their leases will run out")

    async def fill(self) -> None:
        """Claim up to the concurrency; the last free place is kept for a person this replica
        holds no topic of, so someone's single topic starts at the next tick even while
        another person's import fills every other place (which it then does one fewer)."""
        concurrency = self.settings.generation_concurrency
        while len(self.running) < concurrency:
            last = concurrency > 1 and len(self.running) == concurrency - 1
            served = set(self.holders.values()) if last else set()
            topic = await self.topics.claim_next(
                self.owner, self.clock.now(), self.lease, never=served
            )
            if topic is None:
                return
            topic_id: str = topic["_id"]
            self.holders[topic_id] = topic["user_id"]
            task = asyncio.create_task(self.work(topic))
            self.running[topic_id] = task
            task.add_done_callback(partial(self.forget, topic_id))

    def forget(self, topic_id: str, _: asyncio.Task[None]) -> None:
        self.running.pop(topic_id, None)
        self.holders.pop(topic_id, None)
        self.ended.discard(topic_id)

    async def renew(self) -> None:
        """Keep the leases of the topics in hand (a few times per lease, at least every 5 s);
        stop the ones this replica lost."""
        if time.monotonic() - self.renewed_at < min(self.settings.lease_s / 4, 5.0):
            return
        self.renewed_at = time.monotonic()
        now = self.clock.now()
        for topic_id, task in list(self.running.items()):
            if topic_id in self.ended:
                continue
            if not await self.topics.apply(domain.renew(topic_id, self.owner, now, self.lease)):
                lost = {"fields": {"topic_id": topic_id}}
                logger.info("topic lost (deleted or taken over)", extra=lost)
                task.cancel()

    async def work(self, topic: Topic) -> None:
        context = stored_trace(topic.get("trace"))
        with tracer.start_as_current_span("generate topic", context=context):
            if topic["attempts"] > self.settings.topic_attempts:
                await self.end(
                    topic,
                    failure=f"gave up after {topic['attempts'] - 1} attempts: "
                    "the generator stopped while working on it each time",
                )
                return
            started = time.perf_counter()
            try:
                with on_behalf_of(topic["user_id"]):  # its model calls take the person's turns
                    post = await self.generator.generate(topic, self.owner)
            except LostTopic:
                return
            except GenerationFailed as failure:
                await self.end(topic, failure=str(failure))
                GENERATION_DURATION.record(time.perf_counter() - started, {"outcome": "failed"})
                return
            except Exception as error:  # a bug or an outage: the topic fails with the reason
                logger.exception("generation failed", extra={"fields": {"topic_id": topic["_id"]}})
                reason = plain_reason(error)  # an outage's text can name hosts or keys
                await self.end(topic, failure=f"generation stopped on an error: {reason}")
                return
            if await self.end(topic, post=post):
                GENERATION_DURATION.record(time.perf_counter() - started, {"outcome": "generated"})
                POSTS_GENERATED.add(1)
                await self.emit(topic["_id"], post)

    async def end(
        self, topic: Topic, *, post: PostGenerated | None = None, failure: str = ""
    ) -> bool:
        now = self.clock.now()
        if post is None:
            change = domain.finish(
                topic["_id"], self.owner, TopicStatus.FAILED, now, reason=failure, stage=None
            )
        else:
            change = domain.finish(
                topic["_id"],
                self.owner,
                TopicStatus.GENERATED,
                now,
                stage=None,
                post_id=post.post_id,
                post=post.model_dump(mode="json"),
                emitted=False,
            )
        ended = await self.topics.apply(change)
        if ended:
            self.ended.add(topic["_id"])
        if ended and post is None:
            POSTS_FAILED.add(1, {"stage": "generation"})
        return ended

    async def emit(self, topic_id: str, post: PostGenerated) -> None:
        try:
            event = envelope(post, source=SOURCE, subject=post.post_id)
            await self.emit_event(event, post.post_id)
        except Exception:
            logger.warning("post.generated not acknowledged; the outbox sends it again")
            return
        await self.topics.mark_emitted(topic_id)

    async def flush_outbox(self) -> None:
        for topic in await self.topics.unemitted(self.clock.now() - OUTBOX_GRACE):
            context = stored_trace(topic.get("trace"))
            with tracer.start_as_current_span("emit generated post", context=context):
                await self.emit(topic["_id"], PostGenerated.model_validate(topic["post"]))
