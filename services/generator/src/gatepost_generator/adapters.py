"""MongoDB topic repository and the media service's HTTP client."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any, cast

import httpx
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gatepost_common.mongo import Document, newest_of_user
from gatepost_common.slide_style import SlideFormat
from gatepost_common.slides import SlideComposer, patiently
from gatepost_generator import domain
from gatepost_generator.domain import VISIBLE, Topic, TopicStatus, Transition


class MongoTopicRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.topics = db["topics"]

    async def ensure_indexes(self) -> None:
        await self.topics.create_index([("user_id", 1), ("created_at", -1)])
        await self.topics.create_index([("user_id", 1), ("import_id", 1)])
        await self.topics.create_index([("status", 1), ("queued_at", 1), ("position", 1)])
        await self.topics.create_index([("status", 1), ("lease_until", 1)])
        await self.topics.create_index([("status", 1), ("emitted", 1), ("updated_at", 1)])

    async def queue(self, topics: list[Topic], now: datetime) -> None:
        """Store new topics, queued for generation in the order given (a CSV's row order)."""
        await self.topics.insert_many([queued(t, now, n) for n, t in enumerate(topics)])

    async def known(self, topic_id: str) -> bool:
        """Whether the topic is stored, in any state (a deleted one too)."""
        return await self.topics.find_one({"_id": topic_id}, {"_id": 1}) is not None

    async def accept(self, topic: Topic, now: datetime, *, refused: str | None = None) -> bool:
        """Queue a topic announced on Kafka (or store it failed, with the reason it was
        `refused`), unless it is known already (in any state: a redelivery, the event of a
        topic made through the API, a deleted topic)."""
        document = queued(topic, now)
        if refused is not None:
            document.update(domain.refused(refused))
        try:
            await self.topics.insert_one(document)
            return True
        except DuplicateKeyError:
            return False

    async def get(self, topic_id: str, user_id: str) -> Topic | None:
        found = await self.topics.find_one(
            {"_id": topic_id, "user_id": user_id, "status": {"$in": VISIBLE}}
        )
        return cast(Topic | None, found)

    async def apply(self, transition: Transition) -> bool:
        """Whether the transition's condition held (and so its update was applied). Not
        `modified_count`: a renewal within the millisecond of the claim or of the last renewal
        sets the same lease and modifies nothing, and was taken for a lost topic."""
        result = await self.topics.update_one(transition.when, transition.update)
        return result.matched_count == 1

    async def claim_next(
        self, owner: str, now: datetime, lease: timedelta, never: Collection[str] = ()
    ) -> Topic | None:
        """The oldest claimable topic of the person with the fewest in flight (domain.turns),
        of no one in `never`."""
        for passed_over in domain.turns(await self.generating_per_user(now)):
            claim = domain.claim_next(owner, now, lease, {*passed_over, *never})
            claimed = await self.topics.find_one_and_update(
                claim.when,
                claim.update,
                sort=[("queued_at", 1), ("position", 1)],
                return_document=ReturnDocument.AFTER,
            )
            if claimed is not None:
                return cast(Topic, claimed)
        return None

    async def generating_per_user(self, now: datetime) -> dict[str, int]:
        pipeline = [
            {"$match": domain.in_flight(now)},
            {"$group": {"_id": "$user_id", "topics": {"$sum": 1}}},
        ]
        cursor = await self.topics.aggregate(pipeline)
        return {doc["_id"]: doc["topics"] async for doc in cursor}

    async def save(
        self, topic_id: str, owner: str, fields: Document, increments: dict[str, int] | None = None
    ) -> bool:
        """Store progress of a generation this worker still holds; False when it lost it."""
        update: dict[str, Any] = {"$set": fields}
        if increments:
            update["$inc"] = increments
        result = await self.topics.update_one(domain.held_by(topic_id, owner), update)
        return result.matched_count == 1

    async def unemitted(self, older_than: datetime) -> list[Topic]:
        """Generated topics whose `post.generated` was not acknowledged by Kafka yet."""
        cursor = self.topics.find(
            {
                "status": TopicStatus.GENERATED.value,
                "emitted": False,
                "updated_at": {"$lt": older_than},
            }
        ).limit(100)
        return [cast(Topic, doc) async for doc in cursor]

    async def mark_emitted(self, topic_id: str) -> None:
        await self.topics.update_one({"_id": topic_id}, {"$set": {"emitted": True}})

    async def for_user(
        self, user_id: str, status: str | None, limit: int, skip: int
    ) -> list[Topic]:
        found = await newest_of_user(self.topics, user_id, status, limit, skip, statuses=VISIBLE)
        return cast(list[Topic], found)

    async def import_progress(self, user_id: str, import_id: str) -> dict[str, int]:
        """How many topics of one bulk import are in each state."""
        counts = {status.value: 0 for status in TopicStatus}
        async for row in await self.topics.aggregate(
            [
                {"$match": {"user_id": user_id, "import_id": import_id}},
                {"$group": {"_id": "$status", "n": {"$sum": 1}}},
            ]
        ):
            counts[row["_id"]] = row["n"]
        return counts


def queued(topic: Topic, now: datetime, position: int = 0) -> Document:
    return {
        **topic,
        "position": position,  # among the topics queued at the same time
        "status": TopicStatus.QUEUED.value,
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
        "queued_at": now,
    }


class MediaClient(SlideComposer):
    """media's internal routes: store an image, compose a slide."""

    async def store(self, image: bytes, slide_format: SlideFormat = "1080x1080") -> dict[str, Any]:
        """Hand one image to media, to be made a picture of the slide's shape; storing is
        idempotent (content-addressed), so a timed-out or dropped upload, or media restarting,
        is simply waited out and sent again."""
        response = await patiently(lambda: self._upload(image, slide_format))
        response.raise_for_status()
        stored: dict[str, Any] = response.json()
        return stored

    async def _upload(self, image: bytes, slide_format: SlideFormat) -> httpx.Response:
        return await self.http.post(
            "/internal/images", content=image, params={"format": slide_format}
        )
