"""A publish job's lifecycle over in-memory fakes, wired by the service's composition root: what is
sent to TikTok, when a job is due again, and who may move it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from gatepost_publisher.adapters import AuthRefused
from gatepost_publisher.domain import Handling
from gatepost_publisher.housekeeping import recover
from gatepost_publisher.lifecycle import MOVES, JobStatus, ending, job_id, waiting
from tests.unit.publisher.fakes import START, refused, server_error, world


def test_every_state_but_done_has_one_way_to_end_and_one_way_to_wait() -> None:
    for status in (JobStatus.QUEUED, JobStatus.INITIATING, JobStatus.PROCESSING):
        assert ending(status).source is status and ending(status).target is JobStatus.DONE
        assert waiting(status).source is status
        assert waiting(status).target in (JobStatus.QUEUED, JobStatus.PROCESSING)
    assert not any(m.source is JobStatus.DONE for m in MOVES.values()), "done is final"
    assert job_id("p", 1) == "p" and job_id("p", 2) == "p#2"


async def test_a_post_is_handed_over_then_polled_then_settled_once() -> None:
    w = world()
    await w.approve()
    job = await w.step()
    assert job is not None and job["status"] == "processing"
    assert w.calls.sent == ["creator_info", "content_init"]
    assert job["lease_owner"] is None, "a job waiting for TikTok holds no worker"
    assert job["due_at"] > w.clock.now(), "the first poll is due later"
    assert w.locks.holders == {}, "the creator's init lock is given back"

    w.clock.advance(60)
    job = await w.step()
    assert job is not None and (job["status"], job["polls"]) == ("processing", 1)
    w.calls.then("status_fetch", {"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": [7]})
    w.clock.advance(60)
    job = await w.step()
    assert job is not None and (job["status"], job["result"]) == ("done", "PUBLISH_COMPLETE")
    assert [e.status for e in w.emitted] == ["PUBLISH_COMPLETE"]
    assert w.emitted[0].post_ids == ["7"] and job["outcome_pending"], "marked between jobs"
    await w.parts.worker.between_jobs()
    assert not w.job()["outcome_pending"]


async def test_a_server_error_at_init_is_unknown_and_never_sent_again() -> None:
    w = world()
    await w.approve()
    w.calls.then("content_init", server_error(uncertain=True))
    job = await w.step()
    assert job is not None and (job["status"], job["result"]) == ("done", "UNKNOWN")
    w.clock.advance(3600)
    assert await w.step() is None
    assert w.calls.sent.count("content_init") == 1
    assert set(w.cap.held["creator-1"]) == {"post-1"}, "TikTok may have posted it"


async def test_no_init_slot_means_nothing_is_spent_and_the_job_is_due_when_one_frees() -> None:
    w = world()
    await w.approve()
    w.calls.slots_free_in["content_init"] = timedelta(seconds=42)
    job = await w.step()
    assert job is not None and job["status"] == "queued"
    assert w.calls.sent == [], "not even creator_info is asked"
    assert job["due_at"] == w.clock.now() + timedelta(seconds=42)
    assert job["lease_owner"] is None and "deferred" not in w.audit.kinds()


async def test_one_init_at_a_time_per_creator() -> None:
    w = world()
    await w.approve()
    w.locks.holders["creator-1"] = ("post-0", w.clock.now() + timedelta(seconds=120))
    job = await w.step()
    assert job is not None and job["status"] == "queued" and w.calls.sent == []
    assert job["due_at"] <= w.clock.now() + timedelta(seconds=1), "it looks again soon"
    await w.locks.give_back("creator-1", "post-0")
    w.clock.advance(1)
    job = await w.step()
    assert job is not None and job["status"] == "processing"


async def test_a_full_daily_cap_waits_24_hours_from_the_oldest_init_without_asking_tiktok() -> None:
    w = world(daily_cap=1)
    await w.approve("post-1")
    await w.approve("post-2")
    await w.step()
    job = await w.step()
    assert job is not None and job["_id"] == "post-2" and job["status"] == "queued"
    assert job["due_at"] == START + timedelta(hours=24)  # TikTok's rolling day, not midnight
    assert "daily cap of 1" in job["deferred_reason"]
    assert w.calls.sent.count("creator_info") == 1


async def test_a_creator_who_posted_their_cap_at_23_00_may_not_post_again_at_00_30() -> None:
    w = world(daily_cap=2)
    w.clock.at = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    for post in ("post-1", "post-2"):
        await w.approve(post)
        assert (await w.step() or {}).get("status") == "processing"
    w.clock.advance(60)
    for _ in range(2):  # both are live: their places stay held
        w.calls.then("status_fetch", {"status": "PUBLISH_COMPLETE"})
        assert (await w.step() or {}).get("result") == "PUBLISH_COMPLETE"
    w.clock.at = datetime(2026, 11, 24, 0, 30, tzinfo=UTC)  # a new UTC day, the same 24 hours
    await w.approve("post-3")
    job = await w.step()
    assert job is not None and job["_id"] == "post-3" and job["status"] == "queued"
    assert job["due_at"] == datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
    assert w.calls.sent.count("content_init") == 2
    w.clock.at = job["due_at"]  # 24 hours after the first init its place comes back
    job = await w.step()
    assert job is not None and job["_id"] == "post-3" and job["status"] == "processing"


async def test_two_gatepost_accounts_of_one_creator_share_its_cap() -> None:
    w = world(daily_cap=1)
    await w.approve("post-1", account_id="account-1")
    await w.approve("post-2", account_id="account-2")  # another user connected the same creator
    await w.step()
    job = await w.step()
    assert job is not None and job["status"] == "queued" and "daily cap" in job["deferred_reason"]


async def test_tiktoks_daily_limit_at_init_waits_and_gives_the_place_back() -> None:
    w = world(defer_limit_s=3600)
    await w.approve()
    w.calls.then("content_init", refused("spam_risk_too_many_posts", Handling.DEFER))
    job = await w.step()
    assert job is not None and job["status"] == "queued"
    assert job["due_at"] == START + timedelta(hours=1)  # TikTok's day rolls: asked again
    assert not w.cap.held["creator-1"] and w.cap.releases == 1


async def test_passing_errors_are_retried_later_then_fail_as_retryable() -> None:
    w = world(max_retries=2)
    await w.approve()
    for _ in range(3):
        w.calls.then("creator_info", server_error(uncertain=False))
    for retry in (1, 2):
        job = await w.step()
        assert job is not None and (job["status"], job["retries"]) == ("queued", retry)
        assert job["due_at"] > w.clock.now() and job["lease_owner"] is None
        w.clock.advance(600)
    job = await w.step()
    assert job is not None and (job["status"], job["result"]) == ("done", "FAILED")
    assert job["retryable"] and "after 2 tries" in job["fail_reason"]
    assert w.emitted[-1].retryable and w.calls.sent.count("content_init") == 0
    assert not w.cap.held["creator-1"]


async def test_an_account_to_reconnect_waits_then_publishes() -> None:
    w = world(reconnect_check_s=300)
    await w.approve()
    w.calls.auth_answers.append(AuthRefused(Handling.DEFER, "needs_reauth", "reconnect it"))
    job = await w.step()
    assert job is not None and job["status"] == "queued"
    assert job["due_at"] == w.clock.now() + timedelta(seconds=300)
    w.clock.advance(300)
    job = await w.step()
    assert job is not None and job["status"] == "processing"


async def test_a_refusal_fails_at_once_and_frees_the_place() -> None:
    w = world()
    await w.approve()
    w.calls.then("content_init", refused("url_ownership_unverified"))
    job = await w.step()
    assert job is not None and (job["result"], job["retryable"]) == ("FAILED", False)
    assert w.cap.releases == 1


async def test_a_webhook_and_a_poll_that_both_see_failed_settle_once() -> None:
    w = world()
    await w.approve()
    await w.step()
    job = w.job()
    await w.parts.following.settle(job, "FAILED", "spam_risk_too_many_posts", [])
    w.calls.then("status_fetch", {"status": "FAILED", "fail_reason": "spam_risk_too_many_posts"})
    w.clock.advance(60)
    assert await w.step() is None, "the settled job is not due any more"
    await w.parts.following.settle(job, "FAILED", "spam_risk_too_many_posts", [])
    assert [e.status for e in w.emitted] == ["FAILED"] and w.emitted[0].retryable
    assert w.cap.releases == 1 and w.audit.kinds().count("outcome") == 1


async def test_a_worker_whose_lease_was_taken_over_cannot_move_the_job() -> None:
    w = world()
    await w.approve()
    assert await w.jobs.claim_due("worker-a", w.clock.now(), timedelta(seconds=120))
    w.clock.advance(121)
    [taken] = await w.jobs.claim_due("worker-b", w.clock.now(), timedelta(seconds=120))
    assert taken["lease_owner"] == "worker-b"
    assert not await w.jobs.move("post-1", waiting(JobStatus.QUEUED), {}, owner="worker-a")
    assert not await w.jobs.renew("post-1", "worker-a", w.clock.now())


async def test_an_attempt_orphaned_by_a_crash_becomes_unknown_only_after_its_lease() -> None:
    w = world()
    await w.approve()
    w.calls.then("content_init", asyncio.CancelledError())  # the worker dies mid-request
    with pytest.raises(asyncio.CancelledError):
        await w.step()
    assert w.job()["status"] == "initiating"
    await recover(w.parts.outcomes)
    assert w.job()["status"] == "initiating", "another replica's live attempt is left alone"
    w.clock.advance(121)
    await recover(w.parts.outcomes)
    assert (w.job()["status"], w.job()["result"]) == ("done", "UNKNOWN")


async def test_publishing_again_is_a_new_job_beside_the_failed_one() -> None:
    w = world()
    await w.approve()
    w.calls.then("content_init", refused("url_ownership_unverified"))
    await w.step()
    again = await w.approve(attempt=2)
    job = await w.step()
    assert job is not None and job["_id"] == again == "post-1#2"
    assert (job["status"], job["attempt"]) == ("processing", 2)
    assert w.job()["result"] == "FAILED", "the first attempt's record is kept"


async def test_a_worker_runs_many_jobs_at_once_and_waiting_jobs_hold_none() -> None:
    w = world(publish_concurrency=3, worker_interval_s=0.01)
    w.calls.gate = asyncio.Event()
    for n in range(5):
        w.calls.creators[f"account-{n}"] = f"creator-{n}"
        await w.approve(f"post-{n}", account_id=f"account-{n}")

    async def until(condition: Callable[[], bool]) -> bool:
        for _ in range(300):
            if condition():
                return True
            await asyncio.sleep(0.01)
        return False

    running = asyncio.create_task(w.parts.worker.run())
    try:
        assert await until(lambda: w.calls.in_flight == 3)
        await asyncio.sleep(0.05)
        assert w.calls.most_in_flight == 3, "three jobs are worked at once, no more"
        w.calls.gate.set()
        assert await until(lambda: all(j["status"] == "processing" for j in w.jobs.docs.values()))
        assert all(j["lease_owner"] is None for j in w.jobs.docs.values())
    finally:
        running.cancel()


async def test_a_post_tiktok_could_not_fetch_is_handed_over_again_a_few_times() -> None:
    w = world(tiktok_failure_retries=2)
    await w.approve()
    for attempt in (1, 2):
        job = await w.step()
        assert job is not None and job["status"] == "processing"
        await w.parts.following.settle(w.job(), "FAILED", "photo_pull_failed", [])
        job = w.job()
        assert (job["status"], job["started_again"]) == ("queued", attempt)
        assert job["publish_id"] is None and len(job["earlier_publish_ids"]) == attempt
        assert w.emitted == [], "no outcome yet: nothing was posted"
        w.clock.advance(600)
    await w.step()
    await w.parts.following.settle(w.job(), "FAILED", "photo_pull_failed", [])
    assert (w.job()["result"], w.job()["retryable"]) == ("FAILED", True)
    assert w.calls.sent.count("content_init") == 3
    assert w.cap.releases == 1, "its place in the cap is held until it finally failed"


async def test_a_publish_that_never_settles_ends_unknown_with_the_creators_profile() -> None:
    w = world(processing_timeout_s=3600)
    w.calls.then(
        "creator_info",
        {"privacy_level_options": ["PUBLIC_TO_EVERYONE"], "creator_username": "balcony.herbs"},
    )
    await w.approve()
    await w.step()
    for _ in range(200):  # TikTok says PROCESSING_DOWNLOAD to every poll, and sends no webhook
        w.clock.advance(30)
        await w.step()
        if w.job()["status"] == "done":
            break
    job = w.job()
    assert job["result"] == "UNKNOWN"
    assert job["finished_at"] - job["processing_since"] <= timedelta(seconds=3600 + 30)
    assert "no outcome within 1 hour (it may still be processing" in job["fail_reason"]
    assert "check TikTok at https://www.tiktok.com/@balcony.herbs" in job["fail_reason"]
    [outcome] = w.emitted
    assert outcome.status == "UNKNOWN" and outcome.fail_reason == job["fail_reason"]
    assert w.calls.sent.count("content_init") == 1  # never handed over again
