"""A person withdraws an approval before TikTok's init; an approval that cannot be sent for
`approval_expiry_s` after its publish time ends FAILED, with its reason, instead of waiting on."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from gatepost_publisher.adapters import AuthRefused
from gatepost_publisher.domain import Handling
from gatepost_publisher.withdrawing import NoPublication, TooLate
from tests.unit.publisher.fakes import START, World, world

INITS = ("content_init", "video_init", "inbox_video_init")


def inits(w: World) -> int:
    return sum(w.calls.sent.count(endpoint) for endpoint in INITS)


async def test_a_withdrawn_approval_is_never_sent_and_its_outcome_says_so() -> None:
    w = world()
    await w.approve(publish_after=START + timedelta(hours=2))
    withdrawn = await w.parts.withdrawals.withdraw("post-1", "user-1")
    assert (withdrawn.post_id, withdrawn.status) == ("post-1", "WITHDRAWN")
    w.clock.advance(3 * 3600)
    assert await w.step() is None, "nothing is due any more"
    assert inits(w) == 0 and w.calls.sent == []
    job = w.job()
    assert (job["status"], job["result"]) == ("done", "WITHDRAWN")
    assert [(e.status, e.retryable) for e in w.emitted] == [("WITHDRAWN", False)]
    assert "withdrawn" in w.audit.kinds() and "outcome" in w.audit.kinds()


async def test_a_withdrawal_during_creator_info_wins_over_the_init() -> None:
    """The worker claimed the job and is asking creator_info: the withdrawal moves the job out
    of `queued`, so the worker's conditional begin_init fails and no init is sent."""
    w = world()
    await w.approve()
    w.calls.gate = asyncio.Event()
    stepping = asyncio.create_task(w.step())
    await w.calls.at_gate.wait()  # the worker is inside creator_info
    await w.parts.withdrawals.withdraw("post-1", "user-1")
    w.calls.gate.set()
    await stepping
    assert w.calls.sent == ["creator_info"] and inits(w) == 0
    assert w.job()["result"] == "WITHDRAWN"
    assert not w.cap.held["creator-1"], "the place it took is given back"


async def test_once_the_init_may_have_been_sent_a_withdrawal_is_refused() -> None:
    w = world()
    await w.approve()
    assert (await w.step() or {}).get("status") == "processing"
    with pytest.raises(TooLate, match="may already have been handed to TikTok"):
        await w.parts.withdrawals.withdraw("post-1", "user-1")
    assert w.job()["status"] == "processing" and [e.status for e in w.emitted] == []


async def test_another_persons_post_cannot_be_withdrawn() -> None:
    w = world()
    await w.approve()
    with pytest.raises(NoPublication):
        await w.parts.withdrawals.withdraw("post-1", "user-2")
    assert w.job()["status"] == "queued"


async def test_withdrawing_twice_answers_the_same_and_emits_one_outcome() -> None:
    w = world()
    await w.approve()
    await w.parts.withdrawals.withdraw("post-1", "user-1")
    assert (await w.parts.withdrawals.withdraw("post-1", "user-1")).status == "WITHDRAWN"
    assert len(w.emitted) == 1 and w.audit.kinds().count("withdrawn") == 1


async def test_the_latest_attempt_is_the_one_withdrawn() -> None:
    w = world()
    await w.approve()
    w.jobs.docs["post-1"].update(status="done", result="FAILED")
    await w.approve(attempt=2)
    await w.parts.withdrawals.withdraw("post-1", "user-1")
    assert w.jobs.docs["post-1#2"]["result"] == "WITHDRAWN"
    assert w.jobs.docs["post-1"]["result"] == "FAILED"


async def test_an_approval_waiting_for_a_reconnect_expires_with_its_reason() -> None:
    w = world(approval_expiry_s=7 * 86400, reconnect_check_s=300)
    await w.approve()
    w.calls.auth_answers = [
        AuthRefused(Handling.DEFER, "needs_reauth", "waiting for the account to be reconnected")
    ]
    assert (await w.step() or {}).get("status") == "queued"
    w.clock.advance(7 * 86400)  # never reconnected
    job = await w.step()
    assert job is not None and (job["status"], job["result"]) == ("done", "FAILED")
    assert "approval expired" in job["fail_reason"] and "reconnected" in job["fail_reason"]
    assert job["retryable"], "approving it again is the way out"
    assert inits(w) == 0 and w.emitted[-1].fail_reason == job["fail_reason"]
    assert "expired" in w.audit.kinds()


async def test_an_approval_lasts_from_its_publish_time_not_from_when_it_was_approved() -> None:
    w = world(approval_expiry_s=7 * 86400)
    await w.approve(publish_after=START + timedelta(days=10))
    w.clock.advance(10 * 86400 + 3600)  # 10 days after approval, 1 hour after its publish time
    assert (await w.step() or {}).get("status") == "processing"
    assert inits(w) == 1
