"""The three-broker KRaft cluster the local stack can run (`KAFKA_BROKERS=3`), as production runs
Kafka: replication 3, min ISR 2, acks=all idempotent producers. One broker killed with SIGKILL
while messages flow loses nothing and duplicates nothing; writes go on once its partitions have
new leaders."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from gatepost_devstack import infra
from gatepost_devstack.config import TEST_PORTS, new_secrets
from gatepost_devstack.supervisor import Supervisor

MESSAGES, KILL_AT = 300, 100
PORT = TEST_PORTS.kafka + 500  # beside the test stack's broker


async def produce_through_a_broker_death(bootstrap: str, supervisor: Supervisor) -> list[float]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **infra.client_options(bootstrap))
    await admin.start()
    try:
        await admin.create_topics([NewTopic("probe", num_partitions=6, replication_factor=3)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        request_timeout_ms=60_000,
        **infra.client_options(bootstrap),
    )
    await producer.start()
    waits = []
    try:
        for n in range(MESSAGES):
            if n == KILL_AT:
                child = supervisor.child(infra.kafka_node_name(2))
                os.killpg(child.process.pid, signal.SIGKILL)
            started = time.monotonic()
            await producer.send_and_wait("probe", str(n).encode(), key=str(n % 12).encode())
            waits.append(time.monotonic() - started)
            await asyncio.sleep(0.01)
    finally:
        await producer.stop()
    return waits


async def read_all(bootstrap: str, options: dict[str, str]) -> list[str]:
    consumer = AIOKafkaConsumer(
        "probe",
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        **options,
    )
    await consumer.start()
    found: list[str] = []
    deadline = time.monotonic() + 60
    try:
        while len(found) < MESSAGES and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=1000)
            found += [r.value.decode() for records in batches.values() for r in records]
        await asyncio.sleep(2)  # a duplicate would arrive now
        batches = await consumer.getmany(timeout_ms=1000)
        found += [r.value.decode() for records in batches.values() for r in records]
    finally:
        await consumer.stop()
    return found


@pytest.mark.infra
def test_one_broker_of_three_killed_mid_flow_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    supervisor = Supervisor(tmp_path / "logs")
    passwords = json.loads(new_secrets()["kafka_passwords"])
    config = infra.KafkaConfig(
        PORT, PORT + 1, tmp_path / "kafka" / "data", passwords=passwords, partitions=6
    )
    try:
        bootstrap = infra.start_kafka_cluster(supervisor, config, brokers=3)
        waits = asyncio.run(produce_through_a_broker_death(bootstrap, supervisor))
        survivors = ",".join(b for b in bootstrap.split(",") if not b.endswith(f":{PORT + 2}"))
        found = asyncio.run(read_all(survivors, infra.client_options(bootstrap)))
    finally:
        supervisor.stop()
    assert sorted(found, key=int) == [str(n) for n in range(MESSAGES)], "each message once"
    print(f"\nlongest write while a broker failed over: {max(waits[KILL_AT:]):.1f} s")
