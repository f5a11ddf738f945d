"""HTTP routes (the topic library) and the `topic.created` subscriber."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from faststream.kafka import KafkaBroker
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile

from gatepost_common.events import PostGenerated, TopicCreated
from gatepost_common.kafka import emits, subscribe
from gatepost_common.sessions import User, session_user
from gatepost_generator.adapters import MediaClient, MongoTopicRepository
from gatepost_generator.domain import TopicStatus
from gatepost_generator.library import (
    ImportRejected,
    ImportTooLarge,
    TopicBusy,
    TopicLibrary,
    TopicNotFound,
    parse_csv,
)
from gatepost_generator.provider import ModelCalls, Usage

MAX_UPLOAD_BYTES = 5_000_000


class NewTopic(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, Field(min_length=1, max_length=2000)]
    account_id: Annotated[str, Field(min_length=1)]


class BulkTopics(BaseModel):
    model_config = ConfigDict(extra="forbid")
    topics: list[Any]


def topic_view(doc: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "text",
        "account_id",
        "status",
        "stage",
        "reason",
        "post_id",
        "language",
        "source",
        "import_id",
        "attempts",
        "created_at",
        "updated_at",
    )
    return {"topic_id": doc["_id"], **{k: doc.get(k) for k in keep}, "usage": usage_of(doc)}


def usage_of(doc: dict[str, Any]) -> dict[str, int]:
    """What the topic cost: text tokens, images made, and the image tokens they were billed."""
    usage = doc.get("usage") or {}
    return {
        "text_tokens": usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0),
        "prompt_tokens": usage.get("prompt_tokens", 0),
        "completion_tokens": usage.get("completion_tokens", 0),
        "images": usage.get("images", 0),
        "image_tokens": usage.get("image_tokens", 0),
        "rate_limited": usage.get("rate_limited", 0),
    }


def routes(library: TopicLibrary, topics: MongoTopicRepository, public_key: str) -> APIRouter:
    router = APIRouter(tags=["topics"])
    current_user = session_user(public_key)

    @router.post("/topics", status_code=201)
    async def create_topic(body: NewTopic, user: User = current_user) -> dict[str, str]:
        try:
            topic_id = await library.add(user.id, body.account_id, body.text.strip(), "api")
        except ValueError as refused:
            raise HTTPException(422, str(refused)) from None
        return {"topic_id": topic_id, "status": TopicStatus.QUEUED.value}

    @router.post("/topics/bulk", status_code=207)
    async def bulk_import(
        request: Request,
        user: User = current_user,
        account_id: Annotated[str | None, Query(description="default for CSV rows")] = None,
    ) -> dict[str, Any]:
        """A JSON body `{"topics": [{"text", "account_id"}, …]}`, or a CSV file (multipart field
        `file`, header `text,account_id`). Every row gets its own verdict."""
        import_id = str(uuid.uuid4())
        try:
            rows = await read_rows(request, account_id)
            results = await library.add_many(user.id, rows, "bulk", import_id)
        except ImportTooLarge as too_large:
            raise HTTPException(413, str(too_large)) from None
        except ImportRejected as rejected:
            raise HTTPException(422, str(rejected)) from None
        accepted = sum(r["accepted"] for r in results)
        return {
            "import_id": import_id if accepted else None,
            "accepted": accepted,
            "rejected": len(results) - accepted,
            "rows": results,
        }

    @router.get("/imports/{import_id}")
    async def import_progress(import_id: str, user: User = current_user) -> dict[str, Any]:
        """How far a bulk import got: topics per status, and how many are finished."""
        try:
            return await library.progress(user.id, import_id)
        except TopicNotFound:
            raise HTTPException(404, "no such import") from None

    @router.get("/topics")
    async def list_topics(
        user: User = current_user,
        status: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> list[dict[str, Any]]:
        return [topic_view(d) for d in await topics.for_user(user.id, status, limit, offset)]

    @router.get("/topics/{topic_id}")
    async def get_topic(topic_id: str, user: User = current_user) -> dict[str, Any]:
        found = await topics.get(topic_id, user.id)
        if found is None:
            raise HTTPException(404, "no such topic")
        return topic_view(found)

    @router.post("/topics/{topic_id}/retry", status_code=202)
    async def retry(topic_id: str, user: User = current_user) -> dict[str, str]:
        try:
            await library.retry(user.id, topic_id)
        except TopicNotFound:
            raise HTTPException(404, "no such topic") from None
        except TopicBusy as busy:
            raise HTTPException(409, str(busy)) from None
        return {"topic_id": topic_id, "status": TopicStatus.QUEUED.value}

    @router.delete("/topics/{topic_id}", status_code=204)
    async def delete(topic_id: str, user: User = current_user) -> None:
        """Delete a topic in any state; one being generated stops, and none is generated again."""
        try:
            await library.delete(user.id, topic_id)
        except TopicNotFound:
            raise HTTPException(404, "no such topic") from None

    return router


async def read_rows(request: Request, default_account: str | None) -> list[Any]:
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ImportRejected("send the CSV file in the multipart field 'file'")
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise ImportRejected(f"the CSV file is larger than {MAX_UPLOAD_BYTES} bytes")
        return parse_csv(data, default_account)
    body = bytearray()
    async for part in request.stream():  # bounded before anything is parsed
        body += part
        if len(body) > MAX_UPLOAD_BYTES:
            raise ImportTooLarge(f"the import is larger than {MAX_UPLOAD_BYTES} bytes")
    try:
        return BulkTopics.model_validate_json(bytes(body)).topics
    except ValidationError:
        raise ImportRejected('send JSON {"topics": [...]} or a CSV file') from None


class IllustrationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prompt: Annotated[str, Field(min_length=1, max_length=1000)]


def internal_routes(calls: ModelCalls, media: MediaClient, internal_callers: Any) -> APIRouter:
    """For approval's slide editor: one new illustration (one image call, within the provider's
    budgets like every other), stored by media."""
    # who may call it: gatepost_common.access
    router = APIRouter(tags=["internal"], dependencies=[internal_callers])

    @router.post("/internal/illustrations", status_code=201)
    async def illustrate(body: IllustrationRequest) -> dict[str, Any]:
        usage = Usage()
        try:
            image = await calls.image(body.prompt, usage)
            stored = await media.store(image)
        except Exception as error:
            raise HTTPException(502, f"the image model failed: {error}") from None
        return {"url": stored["url"], "sha256": stored["sha256"], "images": usage.images}

    return router


def subscribers(broker: KafkaBroker, library: TopicLibrary) -> None:
    """What the generator consumes and emits on Kafka (its AsyncAPI document lists both)."""
    emits(broker, TopicCreated)
    emits(broker, PostGenerated)
    subscribe(broker, TopicCreated, library.accept, group_id="generator")
