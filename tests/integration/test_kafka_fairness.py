"""One consumer holding several partitions takes them side by side against the real broker: a
burst on one partition (one account's many approvals) does not hold back another partition's
first events (the first post of every other account) until the whole burst is handled."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, ClassVar

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from gatepost_common.cloud_event import CloudEvent, envelope
from gatepost_common.consuming import subscribe
from gatepost_common.events import TopicCreated
from gatepost_common.kafka import create_broker
from gatepost_common.settings import ServiceSettings
from gatepost_devstack.stack import Stack

PER_PARTITION = 120  # about 280 kB each: the whole of it fits one default (1 MiB) fetch


async def test_a_consumer_takes_its_partitions_side_by_side(stack: Stack) -> None:
    topic = f"probe.fairness.{uuid.uuid4().hex[:8]}"

    class Probe(TopicCreated):
        TYPE: ClassVar[str] = topic

    options = stack.kafka_options()
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap, **options)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap, **options)
    await producer.start()
    try:
        for partition in (0, 1):  # all of partition 0's burst is written first
            for n in range(PER_PARTITION):
                data = Probe(
                    topic_id=f"p{partition}-{n}", user_id="u", account_id="a", text="x" * 2000
                )
                event = envelope(data, source="test", subject=data.topic_id)
                await producer.send(topic, event.model_dump_json().encode(), partition=partition)
        await producer.flush()
    finally:
        await producer.stop()

    handled: list[str] = []
    everything = asyncio.Event()

    async def handle(event: CloudEvent[Any]) -> None:
        handled.append(event.data.topic_id)
        if len(handled) == 2 * PER_PARTITION:
            everything.set()

    settings = ServiceSettings(
        kafka_bootstrap_servers=stack.kafka_bootstrap,
        kafka_username=options.get("sasl_plain_username", ""),
        kafka_password=options.get("sasl_plain_password", ""),
    )
    broker = create_broker(settings, None)
    subscribe(broker, Probe, handle, group_id=f"probe-{uuid.uuid4().hex[:8]}")
    await broker.start()
    try:
        await asyncio.wait_for(everything.wait(), timeout=120)
    finally:
        await broker.stop()
    first = handled[: PER_PARTITION // 2]
    assert {name.split("-")[0] for name in first} == {"p0", "p1"}, first
    # each partition still in its own order
    for prefix in ("p0", "p1"):
        own = [int(n.split("-")[1]) for n in handled if n.startswith(prefix)]
        assert own == list(range(PER_PARTITION))
