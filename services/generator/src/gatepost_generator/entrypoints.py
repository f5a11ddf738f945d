"""HTTP routes (topic library) and the `topic.created` subscriber."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from faststream.kafka import KafkaBroker
from pydantic import BaseModel, ConfigDict, Field

from gatepost_common.events import TopicCreated
from gatepost_common.kafka import subscribe
from gatepost_common.sessions import User, session_user
from gatepost_generator.adapters import MongoTopicRepository
from gatepost_generator.handlers import Generator


class NewTopic(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, Field(min_length=1, max_length=2000)]
    account_id: Annotated[str, Field(min_length=1)]


def topic_view(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "topic_id": doc["_id"],
        "text": doc["text"],
        "account_id": doc["account_id"],
        "status": doc["status"],
        "reason": doc.get("reason"),
        "post_id": doc.get("post_id"),
        "created_at": doc["created_at"],
    }


def routes(generator: Generator, topics: MongoTopicRepository, public_key: str) -> APIRouter:
    router = APIRouter(tags=["topics"])
    current_user = session_user(public_key)

    @router.post("/topics", status_code=201)
    async def create_topic(body: NewTopic, user: User = current_user) -> dict[str, str]:
        topic_id = await generator.create_topic(
            user_id=user.id, account_id=body.account_id, text=body.text.strip(), source="api"
        )
        return {"topic_id": topic_id, "status": "draft"}

    @router.get("/topics")
    async def list_topics(user: User = current_user) -> list[dict[str, Any]]:
        return [topic_view(doc) for doc in await topics.for_user(user.id)]

    return router


def subscribers(broker: KafkaBroker, generator: Generator) -> None:
    subscribe(broker, TopicCreated, generator.on_topic_created, group_id="generator")
