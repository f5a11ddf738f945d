"""A person withdraws an approval the publisher has not handed to TikTok yet. The job leaves
`queued` for `done` in one conditional update; the worker's `begin_init`, the move that must
precede every init, is conditional on `queued` too, so of the two exactly one wins: a withdrawn
post is never sent, and a post whose init may be on its way is never called withdrawn."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel

from gatepost_common.errors import ConflictError, NotFoundError
from gatepost_common.events import IDENTIFIER
from gatepost_common.provided import given
from gatepost_common.sessions import CurrentUser
from gatepost_publisher.lifecycle import Job, JobStatus
from gatepost_publisher.outcomes import Outcomes
from gatepost_publisher.ports import Audit, JobStore

WITHDRAWN = "the person withdrew the approval before it was handed to TikTok; nothing was sent"


class NoPublication(NotFoundError):
    detail = "no such publication"


class TooLate(ConflictError):
    """The post may be on its way to TikTok, or has its outcome: it cannot be withdrawn."""


class Withdrawal(BaseModel):
    post_id: str
    status: Literal["WITHDRAWN"] = "WITHDRAWN"


@dataclass
class Withdrawals:
    jobs: JobStore
    audit: Audit
    outcomes: Outcomes

    async def withdraw(self, post_id: str, user_id: str) -> Withdrawal:
        """Withdraw the post's latest approval while it is queued (a repeat answers the same)."""
        job = await self.jobs.latest_attempt(post_id, user_id)
        if job is None:
            raise NoPublication(post_id)
        if job["status"] == JobStatus.QUEUED and await self.outcomes.finish(
            job, JobStatus.QUEUED, "WITHDRAWN", WITHDRAWN
        ):
            await self.audit.append(
                job["account_id"],
                "withdrawn",
                post_id=post_id,
                attempt=job["attempt"],
                by=user_id,
            )
            return Withdrawal(post_id=post_id)
        current = await self.jobs.get(job["_id"])  # a worker may have begun its init meanwhile
        if current is not None and current.get("result") == "WITHDRAWN":
            return Withdrawal(post_id=post_id)
        raise TooLate(too_late(current or job))


def too_late(job: Job) -> str:
    """Why the post can no longer be withdrawn, for the person."""
    if job["status"] == JobStatus.DONE:
        return f"publishing already ended ({job.get('result')}): there is nothing to withdraw"
    return (
        "the post may already have been handed to TikTok, so it can no longer be withdrawn: "
        "delete it in TikTok if it appears"
    )


router = APIRouter(tags=["publications"])


@router.post("/publications/{post_id}/withdraw")
async def withdraw(
    post_id: Annotated[str, Path(pattern=IDENTIFIER)],
    user: CurrentUser,
    withdrawals: Annotated[Withdrawals, given(Withdrawals)],
) -> Withdrawal:
    """Withdraw an approved post that is not yet sent: 409 once TikTok may have it."""
    return await withdrawals.withdraw(post_id, user.id)
