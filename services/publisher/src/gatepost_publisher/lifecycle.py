"""A publish job's lifecycle, without I/O: its states, the moves allowed between them, and when a
job is next due (a poll, a retry, a rate-limit slot).

    queued ──begin_init──▶ initiating ──initiated──▶ processing ──settled──▶ done
      │  ▲                     │  │                      │  ▲
      │  └──wait (any reason)──┘  └──uncertain/refused─▶ done   └─poll_later─┘
      │  ▲                                               │
      │  └────────start_again (TikTok could not fetch)───┘
      └──refused (before anything was sent)──▶ done

Every move is applied by the job store as one conditional update: the job must still be in the
move's source state and, while a worker holds it, held by that worker. A lost race changes nothing,
so a webhook and a poll that both see the end settle the job once."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Required, TypedDict


class JobStatus(StrEnum):
    QUEUED = "queued"  # waiting for its due time: approval's publish_after, a slot, a retry
    INITIATING = "initiating"  # content/init may be on its way: never sent again
    PROCESSING = "processing"  # TikTok took it (publish_id known): webhooks or polls settle it
    DONE = "done"  # an outcome is recorded and announced


class Upload(TypedDict, total=False):
    """A FILE_UPLOAD video's transfer to TikTok: its URL, the chunk plan, what TikTok holds."""

    url: Required[str]
    chunk: Required[int]
    count: Required[int]
    held: int  # TikTok confirmed holding these bytes, all sent by this publisher
    sent: int  # the end of the bytes sent so far, recorded before each chunk goes
    issued_at: datetime  # TikTok's upload URL is valid for an hour
    done: bool
    uncertain: str  # why the last chunk may have arrived unconfirmed: followed, never begun again


class Held(TypedDict, total=False):
    """The place a job holds before it is sent: in its creator's cap (since when: it is held for
    24 hours), or an inbox draft's."""

    cap_at: datetime
    inbox_share: bool
    app_creator: bool  # counted in the app's creators of 24 hours (possibly by this job)


class Job(TypedDict, total=False):
    """A publish job as the job store keeps it, one per approval attempt: what the use cases
    read. Every change of it is a `Move` with its fields, applied by the store."""

    _id: Required[str]  # the post's id, then "#<attempt>" from the second attempt
    post_id: Required[str]
    attempt: Required[int]
    account_id: Required[str]
    status: Required[str]  # a JobStatus
    approved: Required[dict[str, Any]]  # post.approved's signed data, verified before sending
    due_at: datetime
    deferred_reason: str  # why it waits (until due_at)
    trace: dict[str, str] | None
    event_id: str
    lease_until: datetime | None
    lease_owner: str | None
    created_at: datetime
    # handing it to TikTok
    attempt_at: datetime
    creator: str  # TikTok's open_id, whose daily cap the post counts in
    creator_username: str | None
    cap_at: datetime  # (jobs of before the rolling cap held a `cap_day`: not given back)
    inbox_share: bool
    app_creator: bool
    publish_id: str | None
    earlier_publish_ids: list[str]
    started_again: int
    processing_since: datetime
    upload: Upload | None
    polls: int
    retries: int
    # its end
    result: str
    fail_reason: str | None
    retryable: bool
    finished_at: datetime
    outcome_event: str
    outcome_pending: bool
    post_ids: list[str]
    visibility_due: datetime | None
    flag: str


@dataclass(frozen=True)
class Move:
    name: str
    source: JobStatus
    target: JobStatus


WAIT = Move("wait", JobStatus.QUEUED, JobStatus.QUEUED)  # due later; nothing was sent
REFUSE = Move("refuse", JobStatus.QUEUED, JobStatus.DONE)  # nothing was sent, never will be
BEGIN_INIT = Move("begin_init", JobStatus.QUEUED, JobStatus.INITIATING)
INITIATED = Move("initiated", JobStatus.INITIATING, JobStatus.PROCESSING)
# TikTok answered content/init with a definite refusal: it did not act, so it may wait or fail
INIT_REFUSED_WAIT = Move("init_refused_wait", JobStatus.INITIATING, JobStatus.QUEUED)
INIT_ENDED = Move("init_ended", JobStatus.INITIATING, JobStatus.DONE)  # failed, or UNKNOWN
POLL_LATER = Move("poll_later", JobStatus.PROCESSING, JobStatus.PROCESSING)
# TikTok ended the post FAILED for a passing reason (it could not fetch a picture): nothing was
# posted, so the same approval is handed to TikTok again, a bounded number of times
START_AGAIN = Move("start_again", JobStatus.PROCESSING, JobStatus.QUEUED)
SETTLED = Move("settled", JobStatus.PROCESSING, JobStatus.DONE)

MOVES = {
    m.name: m
    for m in (
        WAIT,
        REFUSE,
        BEGIN_INIT,
        INITIATED,
        INIT_REFUSED_WAIT,
        INIT_ENDED,
        POLL_LATER,
        SETTLED,
    )
}
ACTIVE = (JobStatus.QUEUED, JobStatus.PROCESSING)  # the states a worker claims when due


def ending(status: JobStatus) -> Move:
    """The move that records an outcome from `status`."""
    return {
        JobStatus.QUEUED: REFUSE,
        JobStatus.INITIATING: INIT_ENDED,
        JobStatus.PROCESSING: SETTLED,
    }[status]


def waiting(status: JobStatus) -> Move:
    """The move that makes a job wait (deferred, or retried later) from `status`."""
    return {
        JobStatus.QUEUED: WAIT,
        JobStatus.INITIATING: INIT_REFUSED_WAIT,
        JobStatus.PROCESSING: POLL_LATER,
    }[status]


def job_id(post_id: str, attempt: int) -> str:
    """A post's first approval is published as job `post_id`; publishing it again (a new signed
    approval with the next attempt number) is a new job, so nothing of the first is overwritten."""
    return post_id if attempt == 1 else f"{post_id}#{attempt}"


@dataclass(frozen=True)
class Schedule:
    """When a job that is not finished is next due."""

    poll_first_s: float = 10.0
    poll_max_s: float = 30.0
    retry_base_s: float = 1.0
    retry_max_s: float = 300.0

    def next_poll(self, now: datetime, polls: int) -> datetime:
        """Status polls with growing pauses: webhooks usually settle a post first."""
        pause = min(self.poll_first_s * 1.5 ** min(polls, 12), self.poll_max_s)
        return now + timedelta(seconds=pause)

    def next_retry(self, now: datetime, retries: int) -> datetime:
        """Exponential back-off with jitter after the `retries`-th transient failure."""
        base = min(self.retry_base_s * 2 ** max(retries - 1, 0), self.retry_max_s)
        return now + timedelta(seconds=base * random.uniform(0.5, 1.5))
