"""HTTP routes (the topic library) and the `topic.created` subscriber. A bulk import's body:
bulk_rows.py; the internal route: internal_routes.py. Refusals are domain errors, answered by
the service (gatepost_common.errors)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from faststream.kafka import KafkaBroker

from gatepost_common.api_tokens import TopicsWriter
from gatepost_common.consuming import subscribe
from gatepost_common.door import takes
from gatepost_common.events import PostGenerated, TopicCreated
from gatepost_common.kafka import emits
from gatepost_common.provided import given
from gatepost_common.quotas import Usage as QuotaUsages
from gatepost_common.quotas import usage_of
from gatepost_common.sessions import CurrentUser
from gatepost_generator.adapters import MongoTopicRepository
from gatepost_generator.allowance import Allowance
from gatepost_generator.bulk_rows import BULK_BODY, BULK_BODY_BYTES, NewTopic, read_rows
from gatepost_generator.domain import TopicStatus
from gatepost_generator.imports import TopicNotFound
from gatepost_generator.library import TopicLibrary
from gatepost_generator.schemas import (
    ImportProgress,
    ImportResult,
    QueuedTopic,
    TopicView,
)

router = APIRouter(tags=["topics"])
Library = Annotated[TopicLibrary, given(TopicLibrary)]
Topics = Annotated[MongoTopicRepository, given(MongoTopicRepository)]


@router.post("/v1/topics", status_code=201, tags=["api v1"])
@router.post("/topics", status_code=201)
async def create_topic(body: NewTopic, user: TopicsWriter, library: Library) -> QueuedTopic:
    topic_id = await library.add(user.id, body.account_id, body.text.strip(), "api")
    return QueuedTopic(topic_id=topic_id, status=TopicStatus.QUEUED)


@router.post(
    "/v1/topics/bulk",
    status_code=207,
    openapi_extra=BULK_BODY,
    dependencies=[takes(BULK_BODY_BYTES)],
    tags=["api v1"],
)
@router.post(
    "/topics/bulk",
    status_code=207,
    openapi_extra=BULK_BODY,
    dependencies=[takes(BULK_BODY_BYTES)],
)
async def bulk_import(
    request: Request,
    user: TopicsWriter,
    library: Library,
    account_id: Annotated[str | None, Query(description="default for CSV rows")] = None,
) -> ImportResult:
    """A JSON body `{"topics": [{"text", "account_id"}, …]}`, or a CSV file (multipart field
    `file`, header `text,account_id`). Every row gets its own verdict."""
    import_id = str(uuid.uuid4())
    rows = await read_rows(request, account_id)
    results = await library.add_many(user.id, rows, "bulk", import_id)
    accepted = sum(r["accepted"] for r in results)
    return ImportResult.model_validate(
        {
            "import_id": import_id if accepted else None,
            "accepted": accepted,
            "rejected": len(results) - accepted,
            "rows": results,
        }
    )


@router.get("/v1/imports/{import_id}", tags=["api v1"])
@router.get("/imports/{import_id}")
async def import_progress(import_id: str, user: TopicsWriter, library: Library) -> ImportProgress:
    """How far a bulk import got: topics per status, and how many are finished."""
    return ImportProgress.model_validate(vars(await library.progress(user.id, import_id)))


@router.get("/v1/topics", tags=["api v1"])
@router.get("/topics")
async def list_topics(
    user: TopicsWriter,
    topics: Topics,
    status: TopicStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[TopicView]:
    """The person's topics, newest first, a page at a time."""
    found = await topics.for_user(user.id, status.value if status else None, limit, offset)
    return [TopicView.of(d) for d in found]


@router.get("/v1/topics/{topic_id}", tags=["api v1"])
@router.get("/topics/{topic_id}")
async def get_topic(topic_id: str, user: TopicsWriter, topics: Topics) -> TopicView:
    found = await topics.get(topic_id, user.id)
    if found is None:
        raise TopicNotFound(topic_id)
    return TopicView.of(found)


@router.get("/usage")
async def usage(
    user: CurrentUser, allowance: Annotated[Allowance, given(Allowance)]
) -> QuotaUsages:
    """The person's daily quotas here (topics, images, imports): each limit, today's use
    and when the day resets (00:00 UTC)."""
    return await usage_of(allowance.quotas, user.id, allowance.limits.every())


@router.post("/topics/{topic_id}/retry", status_code=202)
async def retry(topic_id: str, user: CurrentUser, library: Library) -> QueuedTopic:
    await library.retry(user.id, topic_id)
    return QueuedTopic(topic_id=topic_id, status=TopicStatus.QUEUED)


@router.delete("/topics/{topic_id}", status_code=204)
async def delete(topic_id: str, user: CurrentUser, library: Library) -> None:
    """Delete a topic in any state; one being generated stops, and none is generated again."""
    await library.delete(user.id, topic_id)


def subscribers(broker: KafkaBroker, library: TopicLibrary) -> None:
    """What the generator consumes and emits on Kafka (its AsyncAPI document lists both)."""
    emits(broker, TopicCreated)
    emits(broker, PostGenerated)
    subscribe(broker, TopicCreated, library.accept, group_id="generator")
