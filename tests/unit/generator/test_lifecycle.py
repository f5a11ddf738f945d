"""A topic's lifecycle: each transition's condition decides who wins a race, without I/O (the
conditions are evaluated here by a small matcher of the operators they use)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gatepost_generator import domain
from gatepost_generator.domain import TopicStatus
from gatepost_generator.strict_schema import strict_schema

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


def matches(doc: dict[str, Any], query: dict[str, Any]) -> bool:
    for key, want in query.items():
        if key == "$or":
            if not any(matches(doc, q) for q in want):
                return False
            continue
        have = doc.get(key)
        if isinstance(want, dict):
            for op, value in want.items():
                ok = {
                    "$lt": lambda v, h=have: h is not None and h < v,
                    "$ne": lambda v, h=have: h != v,
                    "$in": lambda v, h=have: h in v,
                    "$nin": lambda v, h=have: h not in v,
                    "$gte": lambda v, h=have: h is not None and h >= v,
                }[op](value)
                if not ok:
                    return False
        elif have != want:
            return False
    return True


def apply(doc: dict[str, Any], change: domain.Transition) -> bool:
    if not matches(doc, change.when):
        return False
    doc.update(change.update.get("$set", {}))
    for key, by in change.update.get("$inc", {}).items():
        doc[key] = doc.get(key, 0) + by
    return True


def topic(status: TopicStatus, **fields: Any) -> dict[str, Any]:
    return {"_id": "t1", "user_id": "u1", "status": status.value, "attempts": 0, **fields}


def test_a_queued_topic_is_claimed_once() -> None:
    doc = topic(TopicStatus.QUEUED)
    assert apply(doc, domain.claim_next("a", NOW, LEASE))
    assert (doc["status"], doc["owner"], doc["attempts"]) == ("generating", "a", 1)
    assert not apply(doc, domain.claim_next("b", NOW, LEASE))


def test_a_dead_replicas_topic_is_taken_over_after_its_lease_and_the_old_owner_cannot_write() -> (
    None
):
    doc = topic(TopicStatus.QUEUED)
    apply(doc, domain.claim_next("a", NOW, LEASE))
    assert not apply(doc, domain.claim_next("b", NOW + LEASE / 2, LEASE))
    assert apply(doc, domain.claim_next("b", NOW + LEASE * 2, LEASE))
    assert doc["owner"] == "b" and doc["attempts"] == 2
    late = domain.finish("t1", "a", TopicStatus.GENERATED, NOW + LEASE * 2)
    assert not apply(doc, late)
    assert not apply(doc, domain.renew("t1", "a", NOW + LEASE * 2, LEASE))
    assert apply(doc, domain.finish("t1", "b", TopicStatus.GENERATED, NOW + LEASE * 2))


def test_a_claim_tries_people_with_fewer_topics_in_flight_first() -> None:
    generating = {"importer": 6, "second": 1, "third": 1}
    assert domain.turns(generating) == [["importer", "second", "third"], ["importer"], []]
    assert domain.turns({}) == [[]]  # nobody is waiting on anything: the oldest topic
    imported = topic(TopicStatus.QUEUED, user_id="importer")
    single = topic(TopicStatus.QUEUED, user_id="newcomer")
    first, *_ = domain.turns(generating)
    assert not apply(imported, domain.claim_next("a", NOW, LEASE, first))
    assert apply(single, domain.claim_next("a", NOW, LEASE, first))


def test_only_live_leases_count_as_in_flight() -> None:
    doc = topic(TopicStatus.QUEUED)
    apply(doc, domain.claim_next("a", NOW, LEASE))
    assert matches(doc, domain.in_flight(NOW + LEASE / 2))
    assert not matches(doc, domain.in_flight(NOW + LEASE * 2))  # its worker died: claimable
    assert not matches(topic(TopicStatus.QUEUED), domain.in_flight(NOW))


@pytest.mark.parametrize("status", [TopicStatus.GENERATED, TopicStatus.FAILED])
def test_finished_topics_are_never_claimed_again(status: TopicStatus) -> None:
    assert not apply(topic(status), domain.claim_next("a", NOW, LEASE))


def test_deleting_wins_over_a_generation_in_flight() -> None:
    doc = topic(TopicStatus.QUEUED)
    apply(doc, domain.claim_next("a", NOW, LEASE))
    assert apply(doc, domain.delete("t1", "u1", NOW))
    assert not apply(doc, domain.renew("t1", "a", NOW, LEASE))
    assert not apply(doc, domain.finish("t1", "a", TopicStatus.GENERATED, NOW))
    assert not apply(doc, domain.claim_next("b", NOW + LEASE * 2, LEASE))
    assert not apply(doc, domain.retry("t1", "u1", NOW))


def test_only_a_failed_topic_of_its_owner_is_retried() -> None:
    assert not apply(topic(TopicStatus.GENERATED), domain.retry("t1", "u1", NOW))
    assert not apply(topic(TopicStatus.FAILED), domain.retry("t1", "someone else", NOW))
    doc = topic(TopicStatus.FAILED, attempts=3, reason="boom")
    assert apply(doc, domain.retry("t1", "u1", NOW))
    assert (doc["status"], doc["attempts"], doc["reason"]) == ("queued", 0, None)


def test_a_generation_ends_generated_or_failed_only() -> None:
    with pytest.raises(ValueError):
        domain.finish("t1", "a", TopicStatus.QUEUED, NOW)


def test_the_schema_sent_in_strict_mode_is_closed_and_without_length_bounds() -> None:
    schema = strict_schema(domain.CarouselText)
    slide = schema["$defs"]["SlideDraft"]
    for node in (schema, slide):
        assert node["additionalProperties"] is False
        assert node["required"] == list(node["properties"])
    assert "minLength" not in str(schema) and "maxLength" not in str(schema)
    assert schema["properties"]["slides"]["minItems"] == 7  # kept: strict mode takes it
