"""Use cases of the topic library: add one topic, import many, retry a failed one, delete one."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from faststream.kafka import KafkaBroker
from pydantic import ValidationError

from gatepost_common.events import TopicCreated, TopicSource, envelope
from gatepost_common.kafka import publish_event
from gatepost_generator.adapters import MongoTopicRepository

logger = logging.getLogger(__name__)
SOURCE = "gatepost/generator"
MAX_IMPORT_ROWS = 5000
PUBLISH_CONCURRENCY = 50


class ImportRejected(ValueError):
    """The import as a whole cannot be read (not a list, no header, too many rows)."""


class TopicNotFound(LookupError):
    """No such topic for this user."""


class TopicBusy(RuntimeError):
    """The topic is in a state that does not allow this (e.g. generating)."""


@dataclass
class TopicLibrary:
    topics: MongoTopicRepository
    broker: KafkaBroker

    async def add(self, user_id: str, account_id: str, text: str, source: TopicSource) -> str:
        [result] = await self.add_many(user_id, [{"text": text, "account_id": account_id}], source)
        if not result["accepted"]:
            raise ValueError(result["error"])
        return str(result["topic_id"])

    async def add_many(
        self, user_id: str, rows: list[dict[str, Any]], source: TopicSource
    ) -> list[dict[str, Any]]:
        """Validate every row; store and announce the valid ones; say why the others failed."""
        if len(rows) > MAX_IMPORT_ROWS:
            raise ImportRejected(f"at most {MAX_IMPORT_ROWS} topics per import")
        results: list[dict[str, Any]] = []
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
                results.append({"row": number, "accepted": False, "error": row_error(error)})
                continue
            accepted.append(data)
            results.append({"row": number, "accepted": True, "topic_id": data.topic_id})
        if accepted:
            await self.topics.add_many(
                [
                    {
                        "_id": t.topic_id,
                        "user_id": user_id,
                        "account_id": t.account_id,
                        "text": t.text,
                        "source": source,
                    }
                    for t in accepted
                ]
            )
            await self.announce(accepted)
        return results

    async def announce(self, topics: list[TopicCreated]) -> None:
        gate = asyncio.Semaphore(PUBLISH_CONCURRENCY)

        async def one(topic: TopicCreated) -> None:
            async with gate:
                try:
                    event = envelope(topic, source=SOURCE, subject=topic.topic_id)
                    await publish_event(self.broker, event, key=topic.topic_id)
                except Exception:
                    logger.exception("topic.created not published")
                    await self.topics.finish(
                        topic.topic_id, "failed", reason="could not be queued for generation: retry"
                    )

        await asyncio.gather(*(one(t) for t in topics))

    async def retry(self, user_id: str, topic_id: str) -> None:
        topic = await self.topics.get(topic_id, user_id)
        if topic is None:
            raise TopicNotFound(topic_id)
        if not await self.topics.reset_failed(topic_id):
            raise TopicBusy(f"only a failed topic can be retried; this one is {topic['status']}")
        await self.announce(
            [
                TopicCreated(
                    topic_id=topic_id,
                    user_id=user_id,
                    account_id=topic["account_id"],
                    text=topic["text"],
                    source=topic["source"],
                )
            ]
        )

    async def delete(self, user_id: str, topic_id: str) -> None:
        topic = await self.topics.get(topic_id, user_id)
        if topic is None:
            raise TopicNotFound(topic_id)
        if not await self.topics.delete_unless_generating(topic_id):
            raise TopicBusy("a topic cannot be deleted while it is generating")


def row_error(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        return f"{field}: {first['msg']}"
    return str(error)


def parse_csv(data: bytes, default_account: str | None) -> list[dict[str, Any]]:
    """Rows of a CSV upload with a header naming `text` and (or a default for) `account_id`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected("the CSV file must be UTF-8") from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "text" not in reader.fieldnames:
        raise ImportRejected("the CSV file needs a header row with a 'text' column")
    if "account_id" not in reader.fieldnames and not default_account:
        raise ImportRejected("give an 'account_id' column or the account_id parameter")
    return [
        {"text": row.get("text"), "account_id": row.get("account_id") or default_account}
        for row in reader
    ]
