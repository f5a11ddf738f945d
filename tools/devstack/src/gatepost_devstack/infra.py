"""The real infrastructure: an Apache Kafka broker (KRaft) and a MongoDB wire-protocol server;
and, when asked, Zipkin for a tracing UI."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from gatepost_common.topics import ALL_TOPICS, dlq
from gatepost_devstack.downloads import maven_classpath
from gatepost_devstack.paths import DEPLOY
from gatepost_devstack.supervisor import Supervisor, http_ok, port_open

# One KRaft node that is broker and controller. A single node is its own quorum and keeps one
# copy of everything; in a three-broker cluster (as production runs Kafka) the quorum is the three
# nodes, every topic has three replicas and a write needs two of them (acks=all producers).
KAFKA_PROPERTIES = """\
process.roles=broker,controller
node.id={node}
{quorum}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs={data}
num.partitions={partitions}
auto.create.topics.enable=false
default.replication.factor={replicas}
min.insync.replicas={min_isr}
offsets.topic.replication.factor={replicas}
offsets.topic.num.partitions=4
transaction.state.log.replication.factor={replicas}
transaction.state.log.min.isr={min_isr}
share.coordinator.state.topic.replication.factor={replicas}
share.coordinator.state.topic.min.isr={min_isr}
group.initial.rebalance.delay.ms=0
"""


def node_properties(
    *, node: int, quorum: str, port: int, controller_port: int, data: Path, partitions: int
) -> str:
    """A node's server.properties; `quorum` is its controller.quorum.* line."""
    replicas = 1 if quorum.startswith("controller.quorum.bootstrap") else 3
    return KAFKA_PROPERTIES.format(
        node=node,
        quorum=quorum,
        port=port,
        controller_port=controller_port,
        data=data,
        partitions=partitions,
        replicas=replicas,
        min_isr=min(replicas, 2),
    )


def java() -> str:
    path = shutil.which("java")
    if path is None:
        raise RuntimeError("java (17+) is needed to run the Kafka broker and the MongoDB server")
    return path


# Partitions per topic: consumers of one group handle partitions side by side (the publisher's
# intake takes post.approved bursts in with several consumers per replica)
PARTITIONS = 12


@dataclass(frozen=True)
class KafkaConfig:
    port: int
    controller_port: int
    data: Path
    partitions: int = PARTITIONS


def start_kafka(supervisor: Supervisor, config: KafkaConfig) -> str:
    """Format (first time only) and start a single-node KRaft broker; returns bootstrap servers."""
    libs = maven_classpath("kafka", "KAFKA_BOOTSTRAP_SERVERS")
    classpath = f"{libs}/*"
    config.data.mkdir(parents=True, exist_ok=True)
    properties = config.data.parent / "server.properties"
    properties.write_text(
        node_properties(
            node=1,
            quorum=f"controller.quorum.bootstrap.servers=127.0.0.1:{config.controller_port}",
            port=config.port,
            controller_port=config.controller_port,
            data=config.data,
            partitions=config.partitions,
        )
    )
    log4j = DEPLOY / "kafka" / "log4j2.yaml"
    jvm = [java(), "-Xms256m", "-Xmx768m", f"-Dlog4j2.configurationFile={log4j}", "-cp", classpath]
    if not (config.data / "meta.properties").exists():
        format_storage(jvm, properties, uuid_for_cluster())
    bootstrap = f"127.0.0.1:{config.port}"
    supervisor.start(
        "kafka",
        [*jvm, "kafka.Kafka", str(properties)],
        ready=lambda: port_open("127.0.0.1", config.port) and kafka_answers(bootstrap),
        timeout=120,
    )
    return bootstrap


def format_storage(
    jvm: list[str], properties: Path, cluster_id: str, *, standalone: bool = True
) -> None:
    """Format a KRaft broker's storage (once, before its first start). `standalone`: a single
    node that is its own quorum; otherwise the quorum is the configured static voters."""
    subprocess.run(
        [
            *jvm,
            "kafka.tools.StorageTool",
            "format",
            *(["--standalone"] if standalone else []),
            # one argument: an id may start with "-", which would read as an option
            f"--cluster-id={cluster_id}",
            "-c",
            str(properties),
        ],
        check=True,
        capture_output=True,
    )


def cluster_node(config: KafkaConfig, node: int) -> tuple[int, int, Path]:
    """Node `node` (1-based) of a cluster: its client port, controller port and data folder.
    Node 1 uses the configured ports; the others the next free pairs above them."""
    step = 2 * (node - 1)
    folder = config.data if node == 1 else config.data.parent / f"data-{node}"
    return config.port + step, config.controller_port + step, folder


def listening(port: int) -> Callable[[], bool]:
    return lambda: port_open("127.0.0.1", port)


def kafka_node_name(node: int) -> str:
    return "kafka" if node == 1 else f"kafka-{node}"


def start_kafka_cluster(supervisor: Supervisor, config: KafkaConfig, brokers: int = 3) -> str:
    """Format (first time only) and start a KRaft cluster of `brokers` nodes, each broker and
    controller; returns the bootstrap servers (all nodes)."""
    libs = maven_classpath("kafka", "KAFKA_BOOTSTRAP_SERVERS")
    log4j = DEPLOY / "kafka" / "log4j2.yaml"
    jvm = [
        java(),
        "-Xms256m",
        "-Xmx512m",
        f"-Dlog4j2.configurationFile={log4j}",
        "-cp",
        f"{libs}/*",
    ]
    nodes = [cluster_node(config, n) for n in range(1, brokers + 1)]
    voters = ",".join(f"{n}@127.0.0.1:{c}" for n, (_, c, _) in enumerate(nodes, start=1))
    id_file = config.data.parent / "cluster-id"
    config.data.parent.mkdir(parents=True, exist_ok=True)
    if not id_file.exists():
        id_file.write_text(uuid_for_cluster())
    cluster_id = id_file.read_text().strip()
    commands = []
    for node, (port, controller, data) in enumerate(nodes, start=1):
        data.mkdir(parents=True, exist_ok=True)
        properties = config.data.parent / f"server-{node}.properties"
        properties.write_text(
            node_properties(
                node=node,
                quorum=f"controller.quorum.voters={voters}",
                port=port,
                controller_port=controller,
                data=data,
                partitions=config.partitions,
            )
        )
        if not (data / "meta.properties").exists():
            format_storage(jvm, properties, cluster_id, standalone=False)
        commands.append((node, port, [*jvm, "kafka.Kafka", str(properties)]))
    bootstrap = ",".join(f"127.0.0.1:{port}" for _, port, _ in commands)
    for node, _, command in commands:  # no node serves before a majority runs: start them all
        supervisor.start(kafka_node_name(node), command, ready=lambda: True)
    deadline = time.monotonic() + 180
    while not kafka_answers(bootstrap):
        if time.monotonic() > deadline:
            raise RuntimeError("the Kafka cluster did not form within 180 s")
        time.sleep(1)
    return bootstrap


def uuid_for_cluster() -> str:
    """Kafka wants a base64url-encoded 16-byte id, as `kafka-storage random-uuid` prints."""
    import base64

    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def kafka_answers(bootstrap: str) -> bool:
    async def metadata() -> bool:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
        try:
            await admin.start()
            await admin.list_topics()
            return True
        except KafkaError:
            return False
        finally:
            await admin.close()

    return asyncio.run(metadata())


def create_topics(bootstrap: str, partitions: int = PARTITIONS, replicas: int = 1) -> list[str]:
    """Create every Gatepost topic and its dead-letter topic; existing ones are left as they are."""
    names = [*ALL_TOPICS, *(dlq(t) for t in ALL_TOPICS)]

    async def create() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            existing = set(await admin.list_topics())
            missing = [n for n in names if n not in existing]
            if missing:
                with contextlib.suppress(TopicAlreadyExistsError):  # a concurrent creator won
                    await admin.create_topics(
                        [
                            NewTopic(n, num_partitions=partitions, replication_factor=replicas)
                            for n in missing
                        ]
                    )
        finally:
            await admin.close()

    asyncio.run(create())
    return names


@dataclass(frozen=True)
class MongoConfig:
    port: int
    data: Path


def start_mongo(supervisor: Supervisor, config: MongoConfig) -> str:
    """Start mongo-java-server (H2 backend, on disk) and return its connection URL."""
    libs = maven_classpath("mongo", "MONGODB_URL")
    config.data.mkdir(parents=True, exist_ok=True)
    url = f"mongodb://127.0.0.1:{config.port}"
    supervisor.start(
        "mongo",
        [
            java(),
            "-Xms128m",
            "-Xmx512m",
            "-cp",
            f"{libs}/*",
            str(DEPLOY / "mongo" / "MongoWireServer.java"),
            "127.0.0.1",
            str(config.port),
            str(config.data / "gatepost.mv"),
        ],
        ready=lambda: port_open("127.0.0.1", config.port) and mongo_answers(url),
        timeout=90,
    )
    return url


def mongo_answers(url: str) -> bool:
    client: MongoClient[dict[str, object]] = MongoClient(url, serverSelectionTimeoutMS=2000)
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()


def start_zipkin(supervisor: Supervisor, port: int) -> str:
    """Start Zipkin server (in-memory storage) for its tracing UI; return its base URL."""
    libs = maven_classpath("zipkin", "nothing: leave out --tracing")
    url = f"http://127.0.0.1:{port}"
    supervisor.start(
        "zipkin",
        [java(), "-Xms64m", "-Xmx384m", "-jar", str(next(libs.glob("zipkin-server-*-exec.jar")))],
        ready=lambda: http_ok(f"{url}/health"),
        env={"QUERY_PORT": str(port), "STORAGE_TYPE": "mem", "MEM_MAX_SPANS": "200000"},
        timeout=90,
    )
    return url
