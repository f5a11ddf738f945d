"""The real infrastructure: an Apache Kafka broker (KRaft) and a MongoDB wire-protocol server;
and, when asked, Zipkin for a tracing UI."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from gatepost_common.access import KAFKA_PRINCIPALS, acl_table
from gatepost_common.kafka import client_options as kafka_client_options
from gatepost_common.topics import ALL_TOPICS, dlq
from gatepost_devstack.downloads import maven_classpath
from gatepost_devstack.paths import DEPLOY
from gatepost_devstack.supervisor import Supervisor, http_ok, port_open

# deploy/kafka/server.properties: principals and ACLs (see there), one node or a cluster
KAFKA_PROPERTIES = DEPLOY / "kafka" / "server.properties"
# The single-node broker and the MongoDB-wire server of a local run (also the tests' and the
# benchmarks'), sized for a small server (issue 34: the local stack under 1.2 GB): heaps for one
# team's data, the serial collector (a single thread, no G1 remembered sets) that hands unused heap
# back, and smaller thread stacks (the drain benchmark was not run with them: its in-memory server
# keeps 512 MB). Production runs a real Kafka and MongoDB with their own settings
# (docs/production.md).
SMALL_JVM = (
    "-XX:+UseSerialGC",
    "-XX:MinHeapFreeRatio=10",
    "-XX:MaxHeapFreeRatio=30",
    "-Xss512k",
    "-XX:ReservedCodeCacheSize=64m",
)
# the log cleaner's dedupe buffer is allocated on the heap at start: 128 MB by default, for
# compacting topics far larger than a local run's __consumer_offsets
LOCAL_KAFKA_PROPERTIES = "\nlog.cleaner.dedupe.buffer.size=16777216\n"
# a local broker's load is a developer's posts: the client compiler alone (no C2 threads and their
# arenas) and a smaller heap
KAFKA_HEAP = ("-Xms32m", "-Xmx192m", "-XX:TieredStopAtLevel=1")
MONGO_ON_DISK_HEAP = ("-Xms32m", "-Xmx256m")


def node_properties(
    *,
    node: int,
    quorum: str,
    port: int,
    controller_port: int,
    data: Path,
    partitions: int,
    passwords: Mapping[str, str],
) -> str:
    """A node's server.properties; `quorum` is its controller.quorum.* line."""
    replicas = 1 if quorum.startswith("controller.quorum.bootstrap") else 3
    return KAFKA_PROPERTIES.read_text().format(
        bind="127.0.0.1",
        host="127.0.0.1",
        admin_password=passwords["admin"],
        controller_password=passwords["controller"],
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
    # principal → password: `admin`, `controller` and every name in access.KAFKA_PRINCIPALS
    passwords: Mapping[str, str] = field(default_factory=dict)
    partitions: int = PARTITIONS


# bootstrap servers of a broker started here → its principals' passwords (client_options)
_PRINCIPALS: dict[str, Mapping[str, str]] = {}


def client_options(bootstrap: str, principal: str = "admin") -> dict[str, str]:
    """aiokafka arguments to sign in to a broker started here as `principal`; none for a broker
    given by KAFKA_BOOTSTRAP_SERVERS (it is used as it is)."""
    passwords = _PRINCIPALS.get(bootstrap)
    if passwords is None:
        return {}
    return kafka_client_options(principal, passwords[principal])


def write_properties(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o600)  # it holds the admin's password


def start_kafka(supervisor: Supervisor, config: KafkaConfig) -> str:
    """Format (first time only) and start a single-node KRaft broker; returns bootstrap servers."""
    libs = maven_classpath("kafka", "KAFKA_BOOTSTRAP_SERVERS")
    classpath = f"{libs}/*"
    config.data.mkdir(parents=True, exist_ok=True)
    properties = config.data.parent / "server.properties"
    write_properties(
        properties,
        node_properties(
            node=1,
            quorum=f"controller.quorum.bootstrap.servers=127.0.0.1:{config.controller_port}",
            port=config.port,
            controller_port=config.controller_port,
            data=config.data,
            partitions=config.partitions,
            passwords=config.passwords,
        )
        + LOCAL_KAFKA_PROPERTIES,
    )
    log4j = DEPLOY / "kafka" / "log4j2.yaml"
    jvm = [java(), *KAFKA_HEAP, *SMALL_JVM, f"-Dlog4j2.configurationFile={log4j}", "-cp", classpath]
    format_storage(jvm, properties, config.data, uuid_for_cluster(), config.passwords)
    bootstrap = f"127.0.0.1:{config.port}"
    _PRINCIPALS[bootstrap] = config.passwords
    supervisor.start(
        "kafka",
        [*jvm, "kafka.Kafka", str(properties)],
        ready=lambda: port_open("127.0.0.1", config.port) and kafka_answers(bootstrap),
        timeout=120,
    )
    apply_access(jvm, bootstrap, config.passwords)
    return bootstrap


SASL_MARK = "gatepost-principals"


def formatted(data: Path) -> bool:
    """Whether `data` holds a broker formatted with principals; data from before principals
    (or a half-done format) is cleared, to be formatted again."""
    if (data / SASL_MARK).exists():
        return True
    if any(data.iterdir()):
        shutil.rmtree(data)
        data.mkdir(parents=True)
    return False


def apply_access(jvm: list[str], bootstrap: str, passwords: Mapping[str, str]) -> None:
    """Create or update every principal and make the ACLs those of gatepost_common.access
    (deploy/kafka/KafkaAccess.java, through the Admin API as `admin`)."""
    lines = [f"user {name} {passwords[name]}" for name in KAFKA_PRINCIPALS]
    lines += [f"acl {line}" for line in acl_table().splitlines()]
    result = subprocess.run(
        [*jvm, str(DEPLOY / "kafka" / "KafkaAccess.java"), bootstrap, passwords["admin"]],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"could not set Kafka's principals and ACLs:\n{result.stderr[-2000:]}")


def format_storage(
    jvm: list[str],
    properties: Path,
    data: Path,
    cluster_id: str,
    passwords: Mapping[str, str],
    *,
    standalone: bool = True,
) -> None:
    """Format a KRaft broker's storage `data` once, before its first start (nothing to do when it
    is formatted), with the `admin` super user's SCRAM credential in its metadata. `standalone`: a
    single node that is its own quorum; otherwise the quorum is the configured static voters."""
    if formatted(data):
        return
    subprocess.run(
        [
            *jvm,
            "kafka.tools.StorageTool",
            "format",
            *(["--standalone"] if standalone else []),
            # one argument: an id may start with "-", which would read as an option
            f"--cluster-id={cluster_id}",
            f"--add-scram=SCRAM-SHA-256=[name=admin,password={passwords['admin']}]",
            "-c",
            str(properties),
        ],
        check=True,
        capture_output=True,
    )
    (data / SASL_MARK).touch()


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
        write_properties(
            properties,
            node_properties(
                node=node,
                quorum=f"controller.quorum.voters={voters}",
                port=port,
                controller_port=controller,
                data=data,
                partitions=config.partitions,
                passwords=config.passwords,
            ),
        )
        format_storage(jvm, properties, data, cluster_id, config.passwords, standalone=False)
        commands.append((node, port, [*jvm, "kafka.Kafka", str(properties)]))
    bootstrap = ",".join(f"127.0.0.1:{port}" for _, port, _ in commands)
    _PRINCIPALS[bootstrap] = config.passwords
    for node, _, command in commands:  # no node serves before a majority runs: start them all
        supervisor.start(kafka_node_name(node), command, ready=lambda: True)
    deadline = time.monotonic() + 180
    while not kafka_answers(bootstrap):
        if time.monotonic() > deadline:
            raise RuntimeError("the Kafka cluster did not form within 180 s")
        time.sleep(1)
    apply_access(jvm, bootstrap, config.passwords)
    return bootstrap


def uuid_for_cluster() -> str:
    """Kafka wants a base64url-encoded 16-byte id, as `kafka-storage random-uuid` prints."""
    import base64

    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def kafka_answers(bootstrap: str) -> bool:
    async def metadata() -> bool:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=bootstrap, request_timeout_ms=3000, **client_options(bootstrap)
        )
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
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_options(bootstrap))
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
    in_memory: bool = False  # nothing kept on disk (benchmarks)


def start_mongo(supervisor: Supervisor, config: MongoConfig) -> str:
    """Start mongo-java-server (H2 backend, on disk; or in memory) and return its URL."""
    libs = maven_classpath("mongo", "MONGODB_URL")
    config.data.mkdir(parents=True, exist_ok=True)
    url = f"mongodb://127.0.0.1:{config.port}"
    supervisor.start(
        "mongo",
        [
            java(),
            # in memory, the data lives on the heap (benchmarks: 1,600 posts and their audit)
            *(("-Xms128m", "-Xmx512m") if config.in_memory else MONGO_ON_DISK_HEAP),
            *SMALL_JVM,
            "-cp",
            f"{libs}/*",
            str(DEPLOY / "mongo" / "MongoWireServer.java"),
            "127.0.0.1",
            str(config.port),
            ":memory:" if config.in_memory else str(config.data / "gatepost.mv"),
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
