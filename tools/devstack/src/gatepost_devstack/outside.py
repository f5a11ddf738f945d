"""Helpers that act on a running stack as an outside system would, shared by the tests and the
benchmarks: a plain aiokafka producer and consumer, an HTTP client that goes through the gateway
like a browser, a signed-up user with a connected TikTok account, polling until something holds."""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import MongoClient
from pymongo.asynchronous.database import AsyncDatabase

from gatepost_common.mongo import Document, create_mongo_client
from gatepost_common.settings import ServiceSettings
from gatepost_common.topics import POST_GENERATED, TOPIC_CREATED
from gatepost_devstack.infra import client_options
from gatepost_devstack.stack import Stack, sign_up_by_link


def tiktok_webhook(
    event: str, open_id: str, *, client_key: str = "gatepost-local", **content: Any
) -> bytes:
    """A webhook body as TikTok sends it: `content` is a JSON object inside a string."""
    return json.dumps(
        {
            "client_key": client_key,
            "event": event,
            "create_time": int(time.time()),
            "user_openid": open_id,
            "content": json.dumps(content),
        }
    ).encode()


@asynccontextmanager
async def fresh_database(stack: Stack, name: str) -> AsyncIterator[AsyncDatabase[Document]]:
    """A database of its own on the stack's MongoDB, through the client the services use (for a
    repository tested against the real server), named `name` and a unique suffix."""
    settings = ServiceSettings(mongodb_url=stack.mongodb_url, service_name=f"{name}-test")
    mongo = create_mongo_client(settings)
    try:
        yield mongo[f"{name}_{time.time_ns()}"]
    finally:
        await mongo.close()


async def produce(
    bootstrap: str, topic: str, value: bytes, key: str, headers: dict[str, str] | None = None
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, **client_options(bootstrap))
    await producer.start()
    try:
        encoded = [(k, v.encode()) for k, v in (headers or {}).items()]
        await producer.send_and_wait(topic, value, key=key.encode(), headers=encoded)
    finally:
        await producer.stop()


async def collect(
    bootstrap: str,
    topic: str,
    match: Callable[[Any], bool],
    *,
    count: int = 1,
    timeout: float = 60.0,  # noqa: ASYNC109 (a deadline for polling, not a cancellation)
    settle: float = 0.0,
) -> list[Any]:
    """Read `topic` from the start until `count` records match (then wait `settle` seconds more,
    to catch duplicates) or the timeout passes. Returns the matching aiokafka records."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        **client_options(bootstrap),
    )
    await consumer.start()
    found: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            found += [r for records in batches.values() for r in records if match(r)]
            if len(found) >= count:
                deadline = min(deadline, time.monotonic() + settle)
                if settle == 0:
                    break
    finally:
        await consumer.stop()
    return found


def event_of(record: Any) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(record.value)
    return event


def has(field: str, value: str) -> Callable[[Any], bool]:
    def match(record: Any) -> bool:
        try:
            return bool(event_of(record)["data"].get(field) == value)
        except (ValueError, KeyError, AttributeError):
            return False

    return match


def topic_created(
    user_id: str, account_id: str, text: str, topic_id: str | None = None
) -> tuple[str, bytes]:
    """A CloudEvents `topic.created` as another system would write it by hand."""
    topic_id = topic_id or str(uuid.uuid4())
    event = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "tests/external-system",
        "type": "topic.created",
        "time": datetime.now(UTC).isoformat(),
        "subject": topic_id,
        "datacontenttype": "application/json",
        "dataschema": "gatepost/topic.created/v1",
        "data": {
            "topic_id": topic_id,
            "user_id": user_id,
            "account_id": account_id,
            "text": text,
            "source": "external",
        },
    }
    return topic_id, json.dumps(event).encode()


def browser(stack: Stack) -> httpx.Client:
    """Like the web UI: cookies kept, and the CSRF cookie echoed on every request."""
    client = httpx.Client(base_url=stack.gateway_url, follow_redirects=True, timeout=30)

    def echo_csrf(request: httpx.Request) -> None:
        token = client.cookies.get("gatepost_csrf")
        if token:
            request.headers["X-CSRF-Token"] = token

    client.event_hooks["request"].append(echo_csrf)
    return client


def signed_up(stack: Stack) -> tuple[httpx.Client, str, str]:
    """A new user with one connected TikTok account: (client, user_id, account_id)."""
    client, user_id, account_id, _ = signed_up_creator(stack)
    return client, user_id, account_id


def signed_up_creator(stack: Stack) -> tuple[httpx.Client, str, str, str]:
    """A new user with one connected TikTok account, and the stand-in creator's open_id:
    (client, user_id, account_id, open_id)."""
    client = browser(stack)
    email = f"user-{uuid.uuid4().hex[:10]}@example.com"
    user_id = sign_up_by_link(client, stack.mailbox, email, "correct horse", "/api/auth")["user_id"]
    # a TikTok creator of its own: TikTok's per-creator caps must not leak between tests
    control = f"http://127.0.0.1:{stack.ports.tiktok}/_control"
    creator = httpx.post(
        f"{control}/creators",
        json={"username": f"creator.{uuid.uuid4().hex[:8]}", "nickname": "Local Creator"},
    )
    httpx.post(f"{control}/consent-as/{creator.json()['open_id']}").raise_for_status()
    connected = client.get("/api/auth/tiktok/connect")
    assert connected.status_code == 200 and connected.url.path == "/", connected.text
    accounts = client.get("/api/auth/accounts").json()
    assert len(accounts) == 1, accounts
    return client, user_id, accounts[0]["account_id"], creator.json()["open_id"]


APPROVAL = {
    "privacy_level": "PUBLIC_TO_EVERYONE",
    "allow_comment": True,
    "music_usage_consent": True,
}


def eventually(probe: Callable[[], Any], *, timeout: float = 30.0, every: float = 0.3) -> Any:
    """Call `probe` until it returns something truthy; the last value is returned either way."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


async def generated_posts(
    stack: Stack, owners: list[tuple[str, str]], text: str = "Small balcony garden ideas"
) -> list[dict[str, Any]]:
    """One `topic.created` per (user_id, account_id) in `owners`, all sent at once as another
    system would, then every post generated from them: each `post.generated`'s data, with
    `latency_s` between the two events' Kafka timestamps."""
    sent: dict[str, int] = {}
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap, **stack.kafka_options())
    await producer.start()
    try:
        for user_id, account_id in owners:
            # a unique topic gives unique images, so TikTok-side checks see only this post
            topic_id, value = topic_created(
                user_id, account_id, f"{text} {uuid.uuid4().int % 10**8:08d}"
            )
            record = await producer.send_and_wait(TOPIC_CREATED, value, key=topic_id.encode())
            sent[topic_id] = record.timestamp
    finally:
        await producer.stop()
    posts = await collect(
        stack.kafka_bootstrap,
        POST_GENERATED,
        lambda r: event_of(r)["data"].get("topic_id") in sent,
        count=len(owners),
        timeout=60 + 20 * (len(owners) - 1),
    )
    if len(posts) < len(owners):
        done = {event_of(p)["data"]["topic_id"] for p in posts}
        missing = [t for t in sent if t not in done]
        raise AssertionError(
            f"{len(posts)} of {len(owners)} topics were generated; "
            f"{where_generation_stands(stack, missing)}"
        )
    found = []
    for post in posts:
        data: dict[str, Any] = event_of(post)["data"]
        found.append(data | {"latency_s": (post.timestamp - sent[data["topic_id"]]) / 1000})
    return found


def where_generation_stands(stack: Stack, topic_ids: list[str]) -> str:
    """What the generator's store says of `topic_ids` and of its queue: tells a topic never
    accepted from Kafka from one waiting for a worker, one being worked on, one that failed."""
    mongo: MongoClient[dict[str, Any]] = MongoClient(
        stack.mongodb_url, serverSelectionTimeoutMS=5000
    )
    with mongo:
        topics = mongo[f"{stack.database_prefix}_generator"]["topics"]
        fields = ["status", "stage", "reason", "attempts", "owner", "queued_at", "updated_at"]
        found = {d["_id"]: d for d in topics.find({"_id": {"$in": topic_ids}}, fields)}
        unseen = "never stored (its topic.created was not consumed)"
        states = {t: found.get(t, unseen) for t in topic_ids}
        queue = {s: topics.count_documents({"status": s}) for s in ("queued", "generating")}
    return f"topics: {states}; the generator's queue: {queue}"


async def generated_post(
    stack: Stack,
    client: httpx.Client,
    user_id: str,
    account_id: str,
    text: str = "Five-minute desk yoga",
) -> str:
    """A post generated from a fresh `topic.created` and waiting in the approval queue."""
    [post] = await generated_posts(stack, [(user_id, account_id)], text)
    post_id: str = post["post_id"]
    assert eventually(lambda: client.get(f"/api/approval/posts/{post_id}").status_code == 200)
    return post_id


def metric_total(points: list[dict[str, Any]], name: str, **attributes: Any) -> float:
    """From `Stack.metric_points()`: what the services last exported for a counter (its value)
    or a histogram (its count), summed over processes and the attribute sets that include
    `attributes`."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for point in points:
        if point["name"] != name or any(
            point["attributes"].get(k) != v for k, v in attributes.items()
        ):
            continue
        key = (point["instance"], json.dumps(point["attributes"], sort_keys=True))
        if key not in latest or point["time_ns"] >= latest[key]["time_ns"]:
            latest[key] = point
    return float(sum(p["count"] if "count" in p else p["value"] for p in latest.values()))


def kill_and_restart(stack: Stack, service: str, between: Callable[[], Any] | None = None) -> None:
    """`kill -9` one service's process group, run `between`, then start the service again."""
    child = stack.supervisor.child(service)
    os.killpg(child.process.pid, signal.SIGKILL)
    child.process.wait()
    if between is not None:
        between()
    stack.supervisor.children.remove(child)
    stack.start_service(service)
