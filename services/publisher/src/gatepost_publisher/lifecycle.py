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


class JobStatus(StrEnum):
    QUEUED = "queued"  # waiting for its due time: approval's publish_after, a slot, a retry
    INITIATING = "initiating"  # content/init may be on its way: never sent again
    PROCESSING = "processing"  # TikTok took it (publish_id known): webhooks or polls settle it
    DONE = "done"  # an outcome is recorded and announced


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
