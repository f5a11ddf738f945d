"""What the publisher's routes answer: the response models of its OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from gatepost_common.events import MediaType, PostMode, PrivacyLevel, PublishStatus
from gatepost_publisher.lifecycle import Job, JobStatus


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

    @classmethod
    def of(cls, job: Job) -> Publication:
        approved = job["approved"]
        status = job.get("result") if job["status"] == JobStatus.DONE else job["status"]
        return cls.model_validate(
            {
                **job,
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
