"""What the publisher's routes answer: the response models of its OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from gatepost_common.events import MediaType, PostMode, PrivacyLevel, PublishStatus
from gatepost_publisher.lifecycle import Job, JobStatus
from gatepost_publisher.reporting import live_link


class Publication(BaseModel):
    """One approval's way to TikTok: where the job is, or how it ended."""

    post_id: str
    title: str | None = None
    attempt: int
    account_id: str
    status: JobStatus | PublishStatus  # the job's state, or TikTok's outcome once done
    fail_reason: str | None = None
    retryable: bool = False
    deferred_reason: str | None = None  # why it waits
    due_at: datetime | None = None  # until when
    publish_id: str | None = None
    post_ids: list[str] = []
    flag: str | None = None  # e.g. TikTok kept a public post private
    privacy_level: PrivacyLevel | None = None
    media_type: MediaType = "PHOTO"
    post_mode: PostMode = "DIRECT_POST"
    # the live post (issue 29): TikTok's public id as a string (it exceeds 2^53), its link, and
    # when TikTok stopped showing it
    public_id: str | None = None
    link: str | None = None
    taken_down_at: datetime | None = None

    @classmethod
    def of(cls, job: Job, live: dict[str, Any] | None = None) -> Publication:
        approved = job["approved"]
        status = job.get("result") if job["status"] == JobStatus.DONE else job["status"]
        public_id = next(iter(job.get("post_ids") or []), None)
        return cls.model_validate(
            {
                **job,
                "public_id": public_id,
                "link": live_link(job, public_id) if public_id else None,
                "taken_down_at": (live or {}).get("taken_down_at"),
                "status": status,
                "title": approved.get("title"),
                "privacy_level": approved["options"]["privacy_level"],
                "media_type": approved.get("media_type", "PHOTO"),
                "post_mode": approved.get("post_mode", "DIRECT_POST"),
                "post_ids": job.get("post_ids") or [],
            }
        )


class AuditEntry(BaseModel):
    """One link of an account's hash-chained audit log."""

    account_id: str
    seq: int
    at: str  # ISO 8601, as hashed
    kind: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class WebhookReceipt(BaseModel):
    received: bool  # verified and held by Kafka (tiktok.webhook) for auth and the publisher
