"""The operator's view of dead letters: list what `<topic>.dlq` holds, with each message's reason,
and replay messages to the topic they came from once their cause is fixed. Replaying is safe to
repeat: every consumer is idempotent by the event's id (a job per post and attempt, an outcome
per attempt), so a message replayed twice takes effect once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from gatepost_common.dead_letters import DLQ_KIND_HEADER, DLQ_REASON_HEADER, DLQ_TOPIC_HEADER
from gatepost_common.topics import dlq

REPLAYED_FROM_HEADER = "x-replayed-from"  # the dead letter a replayed message came from


@dataclass(frozen=True)
class DeadLetter:
    topic: str  # where it came from, and where a replay sends it
    partition: int
    offset: int
    key: bytes | None
    body: bytes
    headers: dict[str, str]

    @property
    def event_id(self) -> str:
        """The CloudEvent's id: from its `ce_id` header (binary mode) or its JSON body."""
        if "ce_id" in self.headers:
            return self.headers["ce_id"]
        try:
            found = json.loads(self.body).get("id")
        except (ValueError, AttributeError):
            return ""
        return str(found) if found else ""

    @property
    def where(self) -> str:
        return f"{dlq(self.topic)}:{self.partition}:{self.offset}"

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.event_id,
            "at": self.where,
            "kind": self.headers.get(DLQ_KIND_HEADER, ""),
            "reason": self.headers.get(DLQ_REASON_HEADER, ""),
            "group": self.headers.get("x-dlq-group", ""),
            "dead_lettered_at": self.headers.get("x-dlq-at", ""),
        }

    def matches(self, wanted: str) -> bool:
        """`wanted` is the event's id or the dead letter's place (`<topic>.dlq:<p>:<offset>`)."""
        return wanted in (self.event_id, self.where)


async def read(bootstrap: str, topic: str, options: dict[str, str]) -> list[DeadLetter]:
    """Every dead letter `topic` has now, oldest first per partition (read without a group:
    listing commits nothing and changes nothing)."""
    partitions = await partitions_of(bootstrap, dlq(topic), options)
    if not partitions:
        return []
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, **options)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        letters: list[DeadLetter] = []
        while await behind(consumer, ends):
            batches = await consumer.getmany(*partitions, timeout_ms=1000)
            letters += [letter(topic, r) for records in batches.values() for r in records]
        return letters
    finally:
        await consumer.stop()


async def partitions_of(
    bootstrap: str, topic: str, options: dict[str, str]
) -> list[TopicPartition]:
    """The partitions `topic` has (none if it does not exist)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **options)
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    numbers = sorted(p["partition"] for one in described for p in one["partitions"])
    return [TopicPartition(topic, n) for n in numbers]


async def behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    """Whether some partition has not been read up to the end it had when reading began."""
    for partition, end in ends.items():
        if await consumer.position(partition) < end:
            return True
    return False


def letter(topic: str, record: Any) -> DeadLetter:
    headers = {k: v.decode("utf-8", "replace") for k, v in record.headers or ()}
    source = headers.get(DLQ_TOPIC_HEADER, topic)
    return DeadLetter(source, record.partition, record.offset, record.key, record.value, headers)


async def replay(
    bootstrap: str, letters: list[DeadLetter], options: dict[str, str]
) -> list[DeadLetter]:
    """Send each dead letter back to its topic as it was first received (key, body, and its own
    headers; the `x-dlq-*` ones dropped, `x-replayed-from` added); returns what was sent."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, **options
    )
    await producer.start()
    try:
        for one in letters:
            headers = [
                (k, v.encode()) for k, v in one.headers.items() if not k.startswith("x-dlq-")
            ]
            headers = [h for h in headers if h[0] != REPLAYED_FROM_HEADER]
            headers.append((REPLAYED_FROM_HEADER, one.where.encode()))
            await producer.send_and_wait(one.topic, one.body, key=one.key, headers=headers)
    finally:
        await producer.stop()
    return letters
