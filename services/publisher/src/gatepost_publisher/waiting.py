"""Waiting out a failed call before or at the init: a reconnect, a limit of TikTok's, a rate-limit
minute, or a passing error (bounded)."""

from __future__ import annotations

from datetime import datetime, timedelta

from gatepost_publisher.calls import CallFailed
from gatepost_publisher.domain import Handling
from gatepost_publisher.lifecycle import Job, JobStatus, Schedule
from gatepost_publisher.outcomes import Outcomes
from gatepost_publisher.settings import Settings


async def wait_out(
    outcomes: Outcomes,
    settings: Settings,
    schedule: Schedule,
    job: Job,
    source: JobStatus,
    owner: str,
    failure: CallFailed,
) -> None:
    """Wait for the cause to pass: a reconnect, a limit of TikTok's, a rate-limit minute, or a
    transient error (bounded: after `max_retries` the post fails, and may be published again)."""
    now = outcomes.clock.now()
    if failure.code == "needs_reauth":  # looked at again soon: reconnecting is quick
        soon = now + timedelta(seconds=settings.reconnect_check_s)
        await outcomes.wait(job, source, soon, failure.reason, owner=owner)
        return
    if failure.handling is Handling.DEFER:  # TikTok's rolling 24 h: asked again now and then
        later = now + timedelta(seconds=settings.defer_limit_s)
        await outcomes.wait(job, source, later, failure.reason, owner=owner)
        return
    retries = int(job.get("retries") or 0) + 1
    if retries > settings.max_retries:
        await outcomes.finish(
            job,
            source,
            "FAILED",
            f"TikTok kept failing ({failure.reason}) after {settings.max_retries} tries: "
            "publish it again later",
            owner=owner,
            retryable=True,
        )
        return
    if failure.handling is Handling.BACK_OFF:
        until: datetime = now + timedelta(seconds=settings.rate_limited_backoff_s)
    else:
        until = schedule.next_retry(now, retries)
    await outcomes.wait(
        job,
        source,
        until,
        f"TikTok is unavailable: {failure.reason}",
        owner=owner,
        kind="retry_later",
        fields={"retries": retries},
    )
