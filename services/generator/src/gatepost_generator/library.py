"""Use cases of the topic library: add one topic, import many (with progress), queue one another
system announced, retry a failed one, delete one."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from gatepost_common.clock import Clock
from gatepost_common.cloud_event import CloudEvent, envelope
from gatepost_common.consuming import PoisonMessage
from gatepost_common.events import TopicCreated, TopicSource
from gatepost_common.kafka import Emit
from gatepost_common.quotas import QuotaExceeded
from gatepost_common.slides import StyleSource
from gatepost_common.telemetry import current_trace
from gatepost_generator import domain
from gatepost_generator.adapters import MongoTopicRepository
from gatepost_generator.allowance import Allowance
from gatepost_generator.domain import Topic
from gatepost_generator.imports import (
    MAX_IMPORT_ROWS,
    NOT_YOURS,
    ImportCounts,
    ImportNotFound,
    ImportRejected,
    RowVerdict,
    TopicBusy,
    TopicNotFound,
    TopicRefused,
)

logger = logging.getLogger(__name__)


SOURCE = "gatepost/generator"
PUBLISH_CONCURRENCY = 50


@dataclass
class TopicLibrary:
    topics: MongoTopicRepository
    emit: Emit  # topic.created, for topics typed or imported here
    clock: Clock
    accounts: StyleSource  # auth: whose an account is
    allowance: Allowance  # the person's daily quotas

    async def add(self, user_id: str, account_id: str, text: str, source: TopicSource) -> str:
        [result] = await self.add_many(user_id, [{"text": text, "account_id": account_id}], source)
        if not result["accepted"]:
            raise TopicRefused(result["error"])
        return str(result["topic_id"])

    async def add_many(
        self,
        user_id: str,
        rows: Sequence[object],
        source: TopicSource,
        import_id: str | None = None,
    ) -> list[RowVerdict]:
        """Validate every row; queue the valid ones and announce them; say why the others
        failed. Queued in MongoDB first, so a topic is never lost once accepted."""
        if len(rows) > MAX_IMPORT_ROWS:
            raise ImportRejected(f"at most {MAX_IMPORT_ROWS} topics per import")
        results: list[RowVerdict] = []
        accepted: list[TopicCreated] = []
        for number, row in enumerate(rows, start=1):
            try:
                if not isinstance(row, dict):
                    raise ValueError("each row must be an object with text and account_id")
                data = TopicCreated(
                    topic_id=str(uuid.uuid4()),
                    user_id=user_id,
                    account_id=str(row.get("account_id") or "").strip(),
                    text=str(row.get("text") or "").strip(),
                    source=source,
                )
            except (ValidationError, ValueError) as error:
                results.append(RowVerdict(row=number, accepted=False, error=row_error(error)))
                continue
            accepted.append(data)
            results.append(RowVerdict(row=number, accepted=True, topic_id=data.topic_id))
        # checked at the door: no model call is ever paid for a post that cannot be approved
        owned = {
            account: await self.accounts.owns(user_id, account)
            for account in {t.account_id for t in accepted}
        }
        refused = {t.topic_id for t in accepted if not owned[t.account_id]}
        accepted = [t for t in accepted if t.topic_id not in refused]
        results = [
            RowVerdict(row=r["row"], accepted=False, error=NOT_YOURS)
            if r.get("topic_id") in refused
            else r
            for r in results
        ]
        if accepted:
            # the day's quotas too: refused whole (429), before anything is queued
            await self.allowance.for_topics(user_id, len(accepted), imported=bool(import_id))
            trace = current_trace()
            try:
                await self.topics.queue(
                    [topic_document(t, trace, import_id) for t in accepted], self.clock.now()
                )
            except BaseException:
                await self.allowance.give_back_topics(user_id, len(accepted))
                raise
            await self.announce(accepted)
        return results

    async def accept(self, event: CloudEvent[TopicCreated]) -> None:
        """A `topic.created` from Kafka: queued, unless the topic is known already; one naming
        an account that is not the user's is dead-lettered, before any model call."""
        topic = event.data
        if not await self.accounts.owns(topic.user_id, topic.account_id):
            raise PoisonMessage(
                f"account {topic.account_id} is not a connected TikTok account of user "
                f"{topic.user_id}: nothing is generated for it"
            )
        known = {"fields": {"topic_id": topic.topic_id}}
        if await self.topics.known(topic.topic_id):  # a redelivery, or a topic made here
            logger.info("topic known already", extra=known)
            return
        document = topic_document(topic, current_trace())
        refused: str | None = None
        try:
            await self.allowance.for_topics(topic.user_id, 1)
        except QuotaExceeded as over:  # failed with the reason, for the person to see
            refused = over.reason
        if not await self.topics.accept(document, self.clock.now(), refused=refused):
            logger.info("topic known already", extra=known)
            if refused is None:
                await self.allowance.give_back_topics(topic.user_id, 1)

    async def announce(self, topics: list[TopicCreated]) -> None:
        """Tell other systems (best effort: the topics are queued already)."""
        gate = asyncio.Semaphore(PUBLISH_CONCURRENCY)

        async def one(topic: TopicCreated) -> None:
            async with gate:
                try:
                    event = envelope(topic, source=SOURCE, subject=topic.topic_id)
                    await self.emit(event, topic.topic_id)
                except Exception:
                    logger.warning("topic.created not published; the topic is queued anyway")

        await asyncio.gather(*(one(t) for t in topics))

    async def retry(self, user_id: str, topic_id: str) -> None:
        """A failed topic queued again: its images are drawn again, and counted again."""
        await self.allowance.for_images(user_id, domain.SLIDES)
        if not await self.topics.apply(domain.retry(topic_id, user_id, self.clock.now())):
            await self.allowance.give_back_images(user_id, domain.SLIDES)
            topic = await self.topics.get(topic_id, user_id)
            if topic is None:
                raise TopicNotFound(topic_id)
            raise TopicBusy(f"only a failed topic can be retried; this one is {topic['status']}")

    async def delete(self, user_id: str, topic_id: str) -> None:
        """Hide the topic and stop its generation; it is never generated again."""
        if not await self.topics.apply(domain.delete(topic_id, user_id, self.clock.now())):
            raise TopicNotFound(topic_id)

    async def progress(self, user_id: str, import_id: str) -> ImportCounts:
        counts = await self.topics.import_progress(user_id, import_id)
        total = sum(counts.values())
        if total == 0:
            raise ImportNotFound(import_id)
        finished = sum(counts.get(s.value, 0) for s in domain.ENDED)
        return ImportCounts(import_id, total, finished, counts)


def topic_document(
    topic: TopicCreated, trace: dict[str, str] | None, import_id: str | None = None
) -> Topic:
    document = Topic(
        _id=topic.topic_id,
        user_id=topic.user_id,
        account_id=topic.account_id,
        text=topic.text,
        source=topic.source,
        trace=trace,
    )
    if import_id:
        document["import_id"] = import_id
    return document


def row_error(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        return f"{field}: {first['msg']}"
    return str(error)
