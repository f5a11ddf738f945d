"""The checks each publisher replica runs between jobs: attempts orphaned by a crashed replica
(UNKNOWN, never sent again), outcomes Kafka has not taken yet (emitted again), public posts TikTok
kept private (flagged for a person)."""

from __future__ import annotations

from datetime import timedelta

from gatepost_common.cloud_event import parse
from gatepost_common.events import PostPublished
from gatepost_publisher.lifecycle import JobStatus
from gatepost_publisher.outcomes import Outcomes

UNSENT_AFTER = timedelta(seconds=5)  # an outcome its own job did not get into Kafka by then


async def between_jobs(outcomes: Outcomes) -> None:
    await outcomes.mark_sent()  # before `flush`, which would send them again
    await recover(outcomes)  # any replica may have died mid-attempt
    await flush(outcomes)
    await check_visibility(outcomes)


async def flush(outcomes: Outcomes) -> None:
    """Emit stored outcomes that their own job could not get into Kafka."""
    for pending in await outcomes.jobs.pending_outcomes(outcomes.clock.now() - UNSENT_AFTER):
        if not await outcomes.send(
            pending["_id"], parse(PostPublished, pending["outcome_event"].encode())
        ):
            return


async def recover(outcomes: Outcomes) -> None:
    """After a crash between content/init and storing its publish_id, never post again:
    the job becomes UNKNOWN for a person to resolve. Only attempts whose worker's lease ran
    out count: an attempt in progress on another replica is left alone."""
    for job in await outcomes.jobs.orphaned_attempts(outcomes.clock.now()):
        await outcomes.finish(
            job,
            JobStatus.INITIATING,
            "UNKNOWN",
            "the publisher stopped while TikTok was being asked to post: check "
            "the TikTok profile before posting again",
        )


async def check_visibility(outcomes: Outcomes) -> None:
    """Flag posts approved for everyone that TikTok has not made public (e.g. kept them
    SELF_ONLY, as it does for sandbox or unaudited apps): a person should look."""
    for job in await outcomes.jobs.visibility_due(outcomes.clock.now()):
        if job.get("post_ids"):
            await outcomes.jobs.watch_visibility(job["_id"], None)
            continue
        flag = (
            "approved for everyone, but TikTok has not made it public: it may have been "
            "posted as private (SELF_ONLY)"
        )
        if not await outcomes.jobs.flag(job["_id"], flag):
            continue  # its public id came meanwhile
        await outcomes.audit.append(job["account_id"], "flagged", post_id=job["post_id"], flag=flag)
        await outcomes.progress(job, "flagged", reason=flag)
