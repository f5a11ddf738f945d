"""MongoDB topic repository and the HTTP clients (OpenAI-compatible AI, media service)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import httpx
from openai import AsyncOpenAI
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gatepost_common.mongo import Document, newest_of_user

FINAL = ("generated", "failed")


class MongoTopicRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.topics = db["topics"]

    async def ensure_indexes(self) -> None:
        await self.topics.create_index([("user_id", 1), ("created_at", -1)])

    async def add_many(self, topics: list[Document]) -> None:
        now = datetime.now(UTC)
        await self.topics.insert_many(
            [{**t, "status": "draft", "created_at": now, "updated_at": now} for t in topics]
        )

    async def get(self, topic_id: str, user_id: str) -> Document | None:
        return await self.topics.find_one({"_id": topic_id, "user_id": user_id})

    async def progress(self, topic_id: str, stage: str, **fields: Any) -> None:
        await self.topics.update_one(
            {"_id": topic_id, "status": "generating"},
            {"$set": {"stage": stage, "updated_at": datetime.now(UTC), **fields}},
        )

    async def reset_failed(self, topic_id: str) -> bool:
        result = await self.topics.update_one(
            {"_id": topic_id, "status": "failed"},
            {
                "$set": {
                    "status": "draft",
                    "reason": None,
                    "stage": None,
                    "updated_at": datetime.now(UTC),
                }
            },
        )
        return result.modified_count == 1

    async def delete_unless_generating(self, topic_id: str) -> bool:
        result = await self.topics.delete_one({"_id": topic_id, "status": {"$ne": "generating"}})
        return result.deleted_count == 1

    async def claim(self, topic: Document) -> bool:
        """Move a topic to `generating` unless it already reached a final state."""
        now = datetime.now(UTC)
        try:
            await self.topics.insert_one(
                {**topic, "status": "generating", "created_at": now, "updated_at": now}
            )
            return True
        except DuplicateKeyError:
            claimed = await self.topics.find_one_and_update(
                {"_id": topic["_id"], "status": {"$nin": list(FINAL)}},
                {"$set": {"status": "generating", "updated_at": now}},
                return_document=ReturnDocument.AFTER,
            )
            return claimed is not None

    async def finish(self, topic_id: str, status: str, **fields: Any) -> None:
        await self.topics.update_one(
            {"_id": topic_id},
            {"$set": {"status": status, "updated_at": datetime.now(UTC), **fields}},
        )

    async def for_user(
        self, user_id: str, status: str | None, limit: int, skip: int
    ) -> list[Document]:
        return await newest_of_user(self.topics, user_id, status, limit, skip)


class MediaClient:
    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http = http
        self.token = token

    async def store(self, image: bytes, attempts: int = 3) -> dict[str, Any]:
        """Hand one image to media; storing is idempotent (content-addressed), so a timed-out
        or dropped upload is simply sent again."""
        for _ in range(attempts - 1):
            try:
                response = await self._upload(image)
                if response.status_code < 500:
                    break
            except (httpx.TimeoutException, httpx.TransportError):
                continue
        else:
            response = await self._upload(image)  # the last attempt: its error is the answer
        response.raise_for_status()
        stored: dict[str, Any] = response.json()
        return stored

    async def _upload(self, image: bytes) -> httpx.Response:
        return await self.http.post(
            "/internal/images", content=image, headers={"X-Service-Token": self.token}
        )


async def generate_image(client: AsyncOpenAI, model: str, prompt: str, size: str) -> bytes:
    result = await client.images.generate(
        model=model,
        prompt=prompt,
        size=size,
        response_format="b64_json",
        n=1,
    )
    if not result.data or not result.data[0].b64_json:
        raise ValueError("the image model returned no image")
    return base64.b64decode(result.data[0].b64_json)
