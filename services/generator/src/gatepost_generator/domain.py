"""What a carousel is, and a topic's life:

    queued ──claim──▶ generating ──▶ generated
       ▲                 │  └──────▶ failed ──retry──▶ queued
       │   lease expired │ (a replica died: claimed again, at most `attempts` times)
       └─────────────────┘ (or given back by a replica that stopped: not an attempt)
    any state ──delete──▶ deleted (hidden; a generation in flight stops; never generated again)

Each transition is a `Transition`: the filter that makes it conditional and the update to apply,
so the adapter applies it atomically and a lost race changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Required, TypedDict

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gatepost_common.events import utf16_units

SLIDES = 7
TITLE_LIMIT_UTF16 = 90  # TikTok's photo-post title limit, counted in UTF-16 code units


class TopicStatus(StrEnum):
    QUEUED = "queued"
    GENERATING = "generating"
    GENERATED = "generated"
    FAILED = "failed"
    DELETED = "deleted"


VISIBLE = [s.value for s in TopicStatus if s is not TopicStatus.DELETED]
ENDED = (TopicStatus.GENERATED, TopicStatus.FAILED, TopicStatus.DELETED)  # nothing more happens


class StoredImage(TypedDict):
    """An illustration media keeps: its stable URL and its content's hash."""

    url: str
    sha256: str


class Topic(TypedDict, total=False):
    """A topic as the topic store keeps it: what the use cases read. Every change of it is a
    `Transition`, applied by the store."""

    _id: Required[str]
    user_id: Required[str]
    account_id: Required[str]
    text: Required[str]
    source: str
    import_id: str | None
    position: int  # among the topics queued at once (an import's row order)
    status: str  # a TopicStatus
    owner: str | None
    lease_until: datetime | None
    attempts: int
    trace: dict[str, str] | None
    # what generation got to, kept so a resumed topic pays for nothing twice
    language: str | None
    draft: dict[str, Any] | None  # the carousel's text (CarouselText)
    style_examples: list[dict[str, Any]]  # earlier titles the text model was shown (StyleExample)
    slide_format: str | None  # the account's slide shape when drawing began (a SlideFormat)
    images: dict[str, StoredImage]  # slide position → its illustration
    post: dict[str, Any] | None  # the post.generated data, until emitted
    emitted: bool
    usage: dict[str, int]  # what its model calls cost (tokens, images)


@dataclass(frozen=True)
class Transition:
    when: dict[str, Any]
    update: dict[str, Any]


def claim_next(
    owner: str, now: datetime, lease: timedelta, passed_over: Collection[str] = ()
) -> Transition:
    """A queued topic, or one whose worker's lease ran out, becomes this worker's (unless it is
    of a person `passed_over`: see `turns`)."""
    when: dict[str, Any] = {
        "$or": [
            {"status": TopicStatus.QUEUED.value},
            {"status": TopicStatus.GENERATING.value, "lease_until": {"$lt": now}},
        ]
    }
    if passed_over:
        when["user_id"] = {"$nin": sorted(passed_over)}
    return Transition(
        when,
        {
            "$set": {
                "status": TopicStatus.GENERATING.value,
                "owner": owner,
                "lease_until": now + lease,
                "updated_at": now,
            },
            "$inc": {"attempts": 1},
        },
    )


def in_flight(now: datetime) -> dict[str, Any]:
    """Topics a live worker is generating now (a lease that ran out is up for claiming)."""
    return {"status": TopicStatus.GENERATING.value, "lease_until": {"$gte": now}}


def turns(generating: Mapping[str, int]) -> list[list[str]]:
    """Whose topics a claim passes over, try by try: first it takes the oldest topic of a person
    with nothing being generated, then of one with the fewest, and at last anyone's. So one
    person's import of hundreds of topics shares the workers with everyone else's single topic
    instead of holding them until it is done. `generating`: person → topics in flight."""
    counts = sorted(set(generating.values()))
    return [[user for user, n in generating.items() if n > most] for most in [0, *counts]]


def held_by(topic_id: str, owner: str) -> dict[str, Any]:
    """The filter of every write a worker makes: it still holds the topic."""
    return {"_id": topic_id, "status": TopicStatus.GENERATING.value, "owner": owner}


def renew(topic_id: str, owner: str, now: datetime, lease: timedelta) -> Transition:
    return Transition(held_by(topic_id, owner), {"$set": {"lease_until": now + lease}})


def give_back(topic_id: str, owner: str, now: datetime) -> Transition:
    """A worker that stops (a deploy, a shutdown) queues what it holds again; being stopped is
    not one of the topic's attempts."""
    return Transition(
        held_by(topic_id, owner),
        {
            "$set": {
                "status": TopicStatus.QUEUED.value,
                "owner": None,
                "lease_until": None,
                "updated_at": now,
            },
            "$inc": {"attempts": -1},
        },
    )


def finish(
    topic_id: str, owner: str, status: TopicStatus, now: datetime, **fields: Any
) -> Transition:
    if status not in (TopicStatus.GENERATED, TopicStatus.FAILED):
        raise ValueError(f"a generation ends generated or failed, not {status}")
    changes = {"status": status.value, "updated_at": now, "lease_until": None, **fields}
    return Transition(held_by(topic_id, owner), {"$set": changes})


def refused(reason: str) -> dict[str, Any]:
    """A topic stored failed from the start (over its person's daily quota): the person sees
    why, and may retry it another day."""
    return {"status": TopicStatus.FAILED.value, "reason": reason, "stage": None}


def retry(topic_id: str, user_id: str, now: datetime) -> Transition:
    return Transition(
        {"_id": topic_id, "user_id": user_id, "status": TopicStatus.FAILED.value},
        {
            "$set": {
                "status": TopicStatus.QUEUED.value,
                "reason": None,
                "stage": None,
                "attempts": 0,
                "queued_at": now,
                "updated_at": now,
            }
        },
    )


def delete(topic_id: str, user_id: str, now: datetime) -> Transition:
    return Transition(
        {"_id": topic_id, "user_id": user_id, "status": {"$ne": TopicStatus.DELETED.value}},
        {"$set": {"status": TopicStatus.DELETED.value, "owner": None, "updated_at": now}},
    )


class SlideDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, Field(min_length=1, max_length=200)]
    image_prompt: Annotated[str, Field(min_length=1, max_length=1000)]


class CarouselText(BaseModel):
    """The LLM's structured answer, validated before anything is rendered."""

    model_config = ConfigDict(extra="forbid")
    title: Annotated[str, Field(min_length=1)]
    caption: Annotated[str, Field(min_length=1, max_length=4000)]
    hashtags: Annotated[
        list[Annotated[str, Field(pattern=r"^#\S+$")]], Field(min_length=3, max_length=5)
    ]
    slides: Annotated[list[SlideDraft], Field(min_length=SLIDES, max_length=SLIDES)]

    @field_validator("title")
    @classmethod
    def _title_fits_tiktok(cls, title: str) -> str:
        if utf16_units(title) > TITLE_LIMIT_UTF16:
            raise ValueError(f"title is longer than {TITLE_LIMIT_UTF16} UTF-16 units")
        return title


class GenerationFailed(Exception):
    """The topic cannot become a post; the message is the reason the library shows."""


def post_id_for(topic_id: str) -> str:
    """One topic makes one post: a redelivered or retried topic reuses the same post id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"gatepost:post:{topic_id}"))
