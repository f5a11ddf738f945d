"""A post's life in the queue: each move's condition and update, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

from gatepost_approval import lifecycle
from gatepost_approval.lifecycle import PostStatus

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def test_a_first_approval_needs_the_post_awaiting_approval_as_the_person_saw_it() -> None:
    move = lifecycle.approve(3, 1, {"approved_by": "u", "approved_at": NOW})
    assert move.when == {"revision": 3, "status": "awaiting_approval", "approved_at": None}
    assert move.update["$set"]["status"] == PostStatus.APPROVED
    assert move.update["$set"]["progress"] is None  # no word of an earlier attempt is kept
    assert move.update["$push"]["history"] == {"state": "approved", "at": NOW, "attempt": 1}


def test_publishing_again_needs_the_previous_attempt_to_have_failed_or_been_withdrawn() -> None:
    later = datetime(2026, 11, 24, 9, tzinfo=UTC)
    move = lifecycle.approve(0, 3, {"approved_at": NOW, "publish_after": later})
    again = {"$in": ["failed", "withdrawn"]}
    assert move.when == {
        "revision": {"$in": [None, 0]},
        "status": again,
        "attempt": 2,
        "media_expired_at": None,  # its media have not expired (retention.py)
    }
    assert move.update["$set"]["attempt"] == 3
    assert move.update["$push"]["history"] == {  # a scheduled post's timeline says for when
        "state": "approved",
        "at": NOW,
        "attempt": 3,
        "due_at": later,
    }


def test_only_a_post_awaiting_approval_is_edited_or_rejected() -> None:
    assert lifecycle.revise(1, {"title": "t"}, NOW).when["status"] == "awaiting_approval"
    assert lifecycle.revise(1, {"title": "t"}, NOW).update["$inc"] == {"revision": 1}
    rejected = lifecycle.reject(NOW)
    assert rejected.when == {"status": "awaiting_approval"}
    assert rejected.update["$set"]["status"] == PostStatus.REJECTED
    assert lifecycle.editable({"status": "awaiting_approval"})
    assert not lifecycle.editable({"status": "approved"})
    assert lifecycle.approvable({"status": "failed"}, again=True)
    assert not lifecycle.approvable({"status": "failed"}, again=False)


def test_an_outcome_lands_only_on_its_own_attempt() -> None:
    move = lifecycle.outcome(1, "SEND_TO_USER_INBOX", {"publish_id": "p"}, NOW)
    assert move.when == {"attempt": {"$in": [None, 1]}}  # posts from before attempts existed
    assert move.update["$set"] == {
        "publish_id": "p",
        "status": PostStatus.IN_INBOX,
        "stuck": None,
        "settled_at": NOW,  # when its media's retention begins
    }
    assert lifecycle.outcome(2, "UNKNOWN", {}, NOW).when == {"attempt": 2}
    # the same outcome delivered twice is one step of the post's history ($addToSet)
    ended = lifecycle.outcome(2, "FAILED", {"fail_reason": "spam_risk"}, NOW)
    assert ended.update["$addToSet"]["history"] == {
        "state": "failed",
        "at": NOW,
        "attempt": 2,
        "reason": "spam_risk",
    }


def test_a_newer_word_of_the_publisher_is_the_progress_an_older_one_only_history() -> None:
    word = {"state": "waiting", "at": NOW, "reason": "daily cap", "due_at": None}
    move = lifecycle.progressed(2, word)
    assert move.when["attempt"] == 2
    assert {"progress.at": {"$lt": NOW}} in move.when["$or"]
    assert move.update["$set"]["progress"] == word
    assert move.update["$addToSet"]["history"] == {**word, "attempt": 2}
    assert lifecycle.remembered(2, word) == {"$addToSet": {"history": {**word, "attempt": 2}}}
