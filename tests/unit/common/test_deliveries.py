"""How a consumer treats each delivery, without Kafka: poison goes to the DLQ at once, a handler
that keeps failing goes there after N deliveries with its error, and nothing is acknowledged
unless its effect or its dead letter was stored."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from pymongo.errors import ServerSelectionTimeoutError

from gatepost_common.cloud_event import CloudEvent, envelope
from gatepost_common.consuming import Deliveries, PoisonMessage
from gatepost_common.dead_letters import (
    DLQ_GROUP_HEADER,
    DLQ_KIND_HEADER,
    DLQ_REASON_HEADER,
    DLQ_TOPIC_HEADER,
)
from gatepost_common.events import TopicCreated


@dataclass
class Raw:
    topic: str = "topic.created"
    partition: int = 0
    offset: int = 7
    key: bytes = b"k"


@dataclass
class Message:
    body: bytes
    raw_message: Raw = field(default_factory=Raw)
    headers: dict[str, str] = field(default_factory=dict)
    acks: int = 0
    nacks: int = 0

    async def ack(self) -> None:
        self.acks += 1

    async def nack(self) -> None:
        self.nacks += 1


@dataclass
class Broker:
    fail: bool = False
    published: list[dict[str, Any]] = field(default_factory=list)

    async def publish(self, body: bytes, **where: Any) -> None:
        if self.fail:
            raise ConnectionError("Kafka is not answering")
        self.published.append({"body": body, **where})


def event() -> bytes:
    data = TopicCreated(topic_id=str(uuid.uuid4()), user_id="u1", account_id="a1", text="Tea")
    return envelope(data, source="tests", subject=data.topic_id).model_dump_json().encode()


async def failing(_: CloudEvent[TopicCreated]) -> None:
    raise RuntimeError("the database is away")


async def test_a_handler_that_keeps_failing_is_dead_lettered_after_n_deliveries() -> None:
    broker = Broker()
    deliveries = Deliveries(broker, max_attempts=3, pause_s=0)  # type: ignore[arg-type]
    message = Message(event())
    for _ in range(3):
        await deliveries.consume(TopicCreated, failing, message.body, message)
    assert (message.nacks, message.acks) == (2, 1)
    [dead] = broker.published
    assert dead["topic"] == "topic.created.dlq"
    assert "failed 3 times" in dead["headers"][DLQ_REASON_HEADER]
    assert "the database is away" in dead["headers"][DLQ_REASON_HEADER]


async def test_a_dead_letter_that_cannot_be_written_is_not_acknowledged() -> None:
    broker = Broker(fail=True)
    deliveries = Deliveries(broker, pause_s=0)  # type: ignore[arg-type]
    message = Message(b"not a CloudEvent")
    await deliveries.consume(TopicCreated, failing, message.body, message)
    assert (message.acks, message.nacks) == (0, 1)  # it comes again, it is not lost


async def test_poison_goes_to_the_dlq_at_once_and_success_is_acknowledged() -> None:
    async def refuse(_: CloudEvent[TopicCreated]) -> None:
        raise PoisonMessage("not this user's account")

    async def fine(_: CloudEvent[TopicCreated]) -> None:
        return None

    broker = Broker()
    deliveries = Deliveries(broker, pause_s=0)  # type: ignore[arg-type]
    poison = Message(event())
    await deliveries.consume(TopicCreated, refuse, poison.body, poison)
    assert poison.acks == 1 and "not this user's account" in str(broker.published[0]["headers"])
    good = Message(event(), Raw(offset=8))
    await deliveries.consume(TopicCreated, fine, good.body, good)
    assert (good.acks, good.nacks, len(broker.published)) == (1, 0, 1)


async def test_a_database_away_is_waited_out_however_long_and_never_dead_lettered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", pause)
    away = True

    async def store(_: CloudEvent[TopicCreated]) -> None:
        if away:
            raise ServerSelectionTimeoutError("No servers found yet, Timeout: 30.0s")

    broker = Broker()
    deliveries = Deliveries(broker, max_attempts=3, pause_s=1, max_pause_s=30)  # type: ignore[arg-type]
    message = Message(event())
    for _ in range(40):  # far past max_attempts: an outage never counts toward the DLQ
        await deliveries.consume(TopicCreated, store, message.body, message)
    assert (message.nacks, message.acks, broker.published) == (40, 0, [])
    assert pauses[:7] == [1, 2, 4, 8, 16, 30, 30] and max(pauses) == 30
    away = False
    await deliveries.consume(TopicCreated, store, message.body, message)
    assert (message.acks, broker.published) == (1, [])
    assert deliveries.outages == {} and deliveries.attempts == {}


async def test_a_dead_letter_says_why_what_kind_and_keeps_the_messages_own_headers() -> None:
    async def refuse(_: CloudEvent[TopicCreated]) -> None:
        raise PoisonMessage("not this user's account")

    broker = Broker()
    deliveries = Deliveries(broker, pause_s=0, group="generator")  # type: ignore[arg-type]
    poison = Message(event(), headers={"traceparent": "00-ab-cd-01", "x-dlq-reason": "old"})
    await deliveries.consume(TopicCreated, refuse, poison.body, poison)
    [dead] = broker.published
    headers = dead["headers"]
    assert headers["traceparent"] == "00-ab-cd-01"
    assert headers[DLQ_REASON_HEADER] == "not this user's account"
    assert (headers[DLQ_KIND_HEADER], headers[DLQ_TOPIC_HEADER]) == ("poison", "topic.created")
    assert headers[DLQ_GROUP_HEADER] == "generator"
    assert (dead["body"], dead["key"]) == (poison.body, b"k")
