"""The chaos suite: while topics generate, posts are approved and publishes are in flight, every
part is killed with SIGKILL in turn (each service, then the Kafka broker) and started again.
Afterwards every topic is generated once, every approved post is published once (TikTok counts
one content/init per post) or, if a publisher died with its request on the way, says UNKNOWN
and was posted at most once; nothing is left waiting. A table of the faults and the outcomes is
printed (`./dev chaos` runs this suite alone; `./dev test` runs it last)."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from pymongo import MongoClient

from gatepost_common.topics import ALL_TOPICS, POST_GENERATED, POST_PUBLISHED, TOPIC_CREATED
from gatepost_devstack import dead_letters, infra, outages
from gatepost_devstack.outside import (
    APPROVAL,
    collect,
    event_of,
    eventually,
    kill_and_restart,
    signed_up,
    signed_up_creator,
    topic_created,
)
from gatepost_devstack.stack import Stack
from tests.integration.test_video_posts import approve, upload_video
from tests.videos import make_video, sha256_of

ACCOUNTS, TOPICS_EACH = 4, 3  # within the test stack's daily cap of 3 posts per creator
SERVICES = ("generator", "media", "approval", "publisher", "auth")
DOWN_S, BETWEEN_S = 2.0, 4.0


@dataclass
class Fault:
    part: str
    at_s: float
    down_s: float


@dataclass
class Run:
    started: float = field(default_factory=time.monotonic)
    faults: list[Fault] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    def now(self) -> float:
        return time.monotonic() - self.started


def kill_kafka(stack: Stack) -> None:
    """SIGKILL a broker and start it again on its own data, as a crashed broker restarts (with
    KAFKA_BROKERS=3, the second of the three: the cluster fails over meanwhile)."""
    cluster = stack.kafka_brokers > 1
    name = infra.kafka_node_name(2) if cluster else "kafka"
    child = stack.supervisor.child(name)
    command = list(child.process.args)
    os.killpg(child.process.pid, signal.SIGKILL)
    child.process.wait()
    time.sleep(DOWN_S)
    stack.supervisor.children.remove(child)
    if cluster:
        port, _, _ = infra.cluster_node(stack.kafka_config, 2)
        stack.supervisor.start(name, command, ready=infra.listening(port), timeout=120)
    else:
        infra.start_kafka(stack.supervisor, stack.kafka_config)


def inject_faults(stack: Stack, run: Run) -> None:
    for part in (*SERVICES, "kafka"):
        time.sleep(BETWEEN_S)
        at = run.now()
        print(f"chaos: SIGKILL {part} at {at:.1f} s", flush=True)
        if part == "kafka":
            kill_kafka(stack)
        else:
            kill_and_restart(stack, part, between=lambda: time.sleep(DOWN_S))
        run.faults.append(Fault(part, at, run.now() - at))


def approve_as_posts_arrive(clients: list[httpx.Client], run: Run) -> None:
    """People approving whatever reaches their queue, retrying through outages."""
    while not run.done.is_set():
        for client in clients:
            try:
                waiting = client.get("/api/approval/posts?status=awaiting_approval").json()
                for post in waiting if isinstance(waiting, list) else []:
                    client.post(f"/api/approval/posts/{post['post_id']}/approve", json=APPROVAL)
            except (httpx.HTTPError, ValueError):
                pass  # a service is down: people try again
        time.sleep(0.5)


async def send_topics(stack: Stack, owners: list[tuple[str, str]], spread_s: float) -> set[str]:
    """Another system writes topic.created, one every few seconds, retrying while Kafka is down."""
    sent: set[str] = set()
    pairs = [owner for owner in owners for _ in range(TOPICS_EACH)]
    for n, (user_id, account_id) in enumerate(pairs):
        topic_id, value = topic_created(user_id, account_id, f"Chaos topic {n}")
        while True:
            producer = AIOKafkaProducer(  # as another system: the `ingest` principal
                bootstrap_servers=stack.kafka_bootstrap,
                request_timeout_ms=10_000,
                **stack.kafka_options("ingest"),
            )
            try:
                await producer.start()
                await producer.send_and_wait(TOPIC_CREATED, value, key=topic_id.encode())
                break
            except Exception:
                await asyncio.sleep(1)
            finally:
                await producer.stop()
        sent.add(topic_id)
        await asyncio.sleep(spread_s / len(pairs))
    return sent


async def read(stack: Stack, topic: str, wanted: set[str], key: str, timeout: float) -> list[Any]:
    """Every record of `topic` whose data's `key` is wanted, read from the start. A broker that
    restarted after SIGKILL recovers its logs for a while: reading starts again until it serves
    (aiokafka may end its fetcher with a CancelledError of its own meanwhile)."""
    for _ in range(10):
        try:
            return await collect(
                stack.kafka_bootstrap,
                topic,
                lambda r: event_of(r)["data"].get(key) in wanted,
                count=len(wanted),
                timeout=timeout,
                settle=3,
            )
        except (KafkaError, asyncio.CancelledError) as error:
            print(f"chaos: reading {topic} again after {error!r}", flush=True)
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # cancelled from outside: not the broker's recovery
            await asyncio.sleep(5)
    raise AssertionError(f"{topic} could not be read after the broker restarted")


@pytest.mark.disruptive
@pytest.mark.chaos
@pytest.mark.timeout(900)
def test_every_part_killed_in_turn_loses_nothing_and_posts_nothing_twice(
    stack: Stack,
) -> None:
    control = f"http://127.0.0.1:{stack.ports.tiktok}/_control"
    httpx.patch(f"{control}/timing", json={"processing_delay_s": 3}).raise_for_status()
    people = [signed_up(stack) for _ in range(ACCOUNTS)]
    owners = [(user_id, account_id) for _, user_id, account_id in people]
    run = Run()
    topics: set[str] = set()
    spread = (len(SERVICES) + 1) * BETWEEN_S

    def send() -> None:
        topics.update(asyncio.run(send_topics(stack, owners, spread_s=spread)))

    threads = [
        threading.Thread(target=send),
        threading.Thread(target=approve_as_posts_arrive, args=([c for c, _, _ in people], run)),
    ]
    for thread in threads:
        thread.start()
    try:
        # faults from the main thread: a restarted part is tied to the thread that started it
        # (it gets SIGTERM when that thread ends, see `supervisor.die_with_parent`)
        inject_faults(stack, run)
        threads[0].join()
        assert len(topics) == ACCOUNTS * TOPICS_EACH, "every topic was sent"
        generated = asyncio.run(read(stack, POST_GENERATED, topics, "topic_id", timeout=180))
        # at least once: a post.generated may come twice (an outbox sending again after a broker
        # failover lost its acknowledgement); each topic must have one post, however often told
        posts_of = Counter(
            topic
            for topic, _ in {
                (event_of(r)["data"]["topic_id"], event_of(r)["data"]["post_id"]) for r in generated
            }
        )
        post_ids = {event_of(r)["data"]["post_id"] for r in generated}
        # an approval answered late (a broker failing over) may be missed by the person's
        # client but done: what counts is what approval holds
        clients = [c for c, _, _ in people]
        eventually(lambda: decided(clients) >= post_ids, timeout=120)
        approved = decided(clients)
        outcomes = asyncio.run(read(stack, POST_PUBLISHED, post_ids, "post_id", timeout=180))
    finally:
        run.done.set()
        for thread in threads:
            thread.join()
        httpx.patch(f"{control}/timing", json={"processing_delay_s": 0}).raise_for_status()

    final = {event_of(r)["data"]["post_id"]: event_of(r)["data"]["status"] for r in outcomes}
    creators = {a["open_id"] for c, _, _ in people for a in c.get("/api/auth/accounts").json()}
    publishes = [p for p in httpx.get(f"{control}/publishes").json() if p["open_id"] in creators]
    # TikTok may end a post FAILED (it could not fetch a picture while media was down): the
    # publisher hands it over again, so only the publishes that did not fail count as posts
    posted = [p for p in publishes if p["status"] != "FAILED"]
    twice = sum(n > 1 for n in Counter(tuple(p["urls"]) for p in posted).values())
    stuck = stuck_work(stack, topics, post_ids)
    report(run, approved, topics, posts_of, post_ids, final, len(posted), twice, stuck)

    assert sorted(posts_of.values()) == [1] * len(topics), "each topic is generated once"
    assert approved >= post_ids, "every generated post reached its person's queue"
    assert set(final) == post_ids, "every approved post has an outcome"
    assert twice == 0, "no post's content was initiated twice"
    assert len(posted) <= len(post_ids)
    published = Counter(final.values())
    assert published["PUBLISH_COMPLETE"] + published["UNKNOWN"] == len(post_ids), final
    assert published["PUBLISH_COMPLETE"] <= len(posted)
    assert stuck == {}, stuck


def decided(clients: list[httpx.Client]) -> set[str]:
    """The posts approval no longer holds as awaiting approval."""
    found: set[str] = set()
    for client in clients:
        try:
            posts = client.get("/api/approval/posts").json()
        except (httpx.HTTPError, ValueError):
            continue
        found |= {p["post_id"] for p in posts if p["status"] != "awaiting_approval"}
    return found


def stuck_work(stack: Stack, topics: set[str], post_ids: set[str]) -> dict[str, int]:
    """This run's work that is neither done nor failed: there should be none left."""
    mongo: MongoClient[dict[str, Any]] = MongoClient(stack.mongodb_url)
    prefix = stack.database_prefix
    try:
        found = {
            "topics not generated": mongo[f"{prefix}_generator"]["topics"].count_documents(
                {"_id": {"$in": list(topics)}, "status": {"$in": ["queued", "generating"]}}
            ),
            "approvals not emitted": mongo[f"{prefix}_approval"]["posts"].count_documents(
                {"_id": {"$in": list(post_ids)}, "outbox_pending": True}
            ),
            "publish jobs not finished": mongo[f"{prefix}_publisher"]["jobs"].count_documents(
                {"post_id": {"$in": list(post_ids)}, "status": {"$ne": "done"}}
            ),
            "outcomes not emitted": mongo[f"{prefix}_publisher"]["jobs"].count_documents(
                {"post_id": {"$in": list(post_ids)}, "outcome_pending": True}
            ),
        }
    finally:
        mongo.close()
    return {what: n for what, n in found.items() if n}


def print_table(title: str, faults: list[Fault], rows: list[tuple[str, int]]) -> None:
    """A scenario's table: the faults injected (part, when, how long down), then its outcomes."""
    print(f"\n\nchaos: {title}")
    if faults:
        print(f"  {'part':<12}{'at':>8}{'down for':>10}")
        for fault in faults:
            print(f"  {fault.part:<12}{fault.at_s:>7.1f}s{fault.down_s:>9.1f}s")
    print("chaos: outcomes")
    width = max(len(what) for what, _ in rows) + 2
    for what, n in rows:
        print(f"  {what:<{width}}{n:>5}")


def ending_rows(final: dict[str, str]) -> list[tuple[str, int]]:
    return [(f"posts ending {status}", n) for status, n in sorted(Counter(final.values()).items())]


def report(
    run: Run,
    approved: set[str],
    topics: set[str],
    posts_of: Counter[str],
    post_ids: set[str],
    final: dict[str, str],
    publishes: int,
    twice: int,
    stuck: dict[str, int],
) -> None:
    rows = [
        ("topics sent", len(topics)),
        ("topics generated once", sum(n == 1 for n in posts_of.values())),
        ("topics generated twice or more", sum(n > 1 for n in posts_of.values())),
        ("posts approved", len(approved & post_ids)),
        *ending_rows(final),
        ("posts at TikTok (not failed)", publishes),
        ("content initiated twice", twice),
        ("work left waiting", sum(stuck.values())),
    ]
    print_table("faults injected (SIGKILL, then started again)", run.faults, rows)


LOSSY_CREATORS, LOSSY_VIDEOS_EACH = 3, 2  # within the test stack's daily cap of 3
# of every chunk PUT: dropped before TikTok takes it, or taken and its answer lost
LOSSY_UPLOAD_HOST = {"drop_rate": 0.1, "answer_lost_rate": 0.5, "lost_as": "reset"}


@pytest.mark.disruptive  # after every other test, as the rest of the chaos suite
@pytest.mark.chaos
@pytest.mark.timeout(900)
async def test_a_lossy_upload_host_loses_and_duplicates_nothing(
    stack: Stack, tmp_path: Path
) -> None:
    """Video FILE_UPLOAD posts (two chunks each) while TikTok's upload host loses a share of the
    chunk PUTs, before or after it took the bytes (the last chunk's too): every post is published,
    once."""
    control = f"http://127.0.0.1:{stack.ports.tiktok}/_control"
    people = [signed_up_creator(stack) for _ in range(LOSSY_CREATORS)]
    posts: dict[str, str] = {}  # post id → the video's SHA-256
    by_post: dict[str, httpx.Client] = {}
    for n, (client, _, account_id, _) in enumerate(people):
        for m in range(LOSSY_VIDEOS_EACH):
            # lengths of their own: each video is a file of its own (the noise is the same)
            seconds = 2 + 0.1 * (n * LOSSY_VIDEOS_EACH + m)
            video = make_video(tmp_path / f"lossy-{n}-{m}.mp4", seconds, noise=True)
            uploaded = upload_video(client, account_id, video)
            assert uploaded.status_code == 201, uploaded.text
            posts[uploaded.json()["post_id"]] = sha256_of(video)
            by_post[uploaded.json()["post_id"]] = client
    inits = sum(httpx.get(f"{control}/init-calls").json().values())
    faults = {path: LOSSY_UPLOAD_HOST for path in ("/upload/", "/video/")}
    httpx.put(f"{control}/faults", json=faults).raise_for_status()
    # processing takes TikTok a while: a webhook does not settle a post before the publisher
    # hears what became of a last chunk whose answer was lost
    httpx.patch(f"{control}/timing", json={"processing_delay_s": 3}).raise_for_status()
    try:
        for post_id, client in by_post.items():
            assert approve(client, post_id).status_code == 202
        outcomes = await read(stack, POST_PUBLISHED, set(posts), "post_id", timeout=600)
    finally:
        httpx.put(f"{control}/faults", json={}).raise_for_status()
        httpx.patch(f"{control}/timing", json={"processing_delay_s": 0}).raise_for_status()
    final = {event_of(r)["data"]["post_id"]: event_of(r)["data"]["status"] for r in outcomes}
    creators = {open_id for _, _, _, open_id in people}
    publishes = [p for p in httpx.get(f"{control}/publishes").json() if p["open_id"] in creators]
    posted = Counter(
        (p["upload"] or {}).get("sha256") for p in publishes if p["status"] != "FAILED"
    )
    lost = sum(1 for post_id in posts if final.get(post_id) != "PUBLISH_COMPLETE")
    twice = sum(n - 1 for n in posted.values() if n > 1)
    extra_inits = sum(httpx.get(f"{control}/init-calls").json().values()) - inits - len(posts)
    chunk_answers = [
        r["status"] for r in httpx.get(f"{control}/requests").json() if r["method"] == "PUT"
    ]
    rows = [
        ("video posts approved", len(posts)),
        *ending_rows(final),
        ("chunk PUTs TikTok handled", len(chunk_answers)),
        ("lost (not published)", lost),
        ("duplicated (published twice)", twice),
        ("init calls beyond one a post", extra_inits),
    ]
    print_table(f"a lossy network on TikTok's upload host {LOSSY_UPLOAD_HOST}", [], rows)
    assert lost == 0, final
    assert twice == 0 and extra_inits == 0
    assert {sha for sha in posted if sha} == set(posts.values())


MONGO_ACCOUNTS, MONGO_OUTAGE_S, MONGO_SPREAD_S = 3, 120.0, 60.0


async def dead_letter_count(stack: Stack) -> int:
    """Dead letters on every topic's DLQ now."""
    found = [
        await dead_letters.read(stack.kafka_bootstrap, topic, stack.kafka_options())
        for topic in ALL_TOPICS
    ]
    return sum(len(letters) for letters in found)


@pytest.mark.disruptive
@pytest.mark.chaos
@pytest.mark.timeout(900)
def test_a_two_minute_mongodb_outage_loses_nothing_and_posts_nothing_twice(stack: Stack) -> None:
    """MongoDB stopped for two minutes while topics arrive and posts are approved and
    published: afterwards every topic is generated once, every approved post is published
    once, and no message was dead-lettered."""
    control = f"http://127.0.0.1:{stack.ports.tiktok}/_control"
    dead_before = asyncio.run(dead_letter_count(stack))
    people = [signed_up(stack) for _ in range(MONGO_ACCOUNTS)]
    clients = [c for c, _, _ in people]
    run, topics = Run(), set[str]()

    def send() -> None:
        owners = [(user_id, account_id) for _, user_id, account_id in people]
        topics.update(asyncio.run(send_topics(stack, owners, spread_s=MONGO_SPREAD_S)))

    threads = [
        threading.Thread(target=send),
        threading.Thread(target=approve_as_posts_arrive, args=(clients, run)),
    ]
    for thread in threads:
        thread.start()
    try:
        assert eventually(lambda: held(clients), timeout=120), "approvals are flowing"
        at = run.now()
        print(f"chaos: MongoDB stopped at {at:.1f} s for {MONGO_OUTAGE_S:.0f} s", flush=True)
        outages.stop_mongo(stack)
        time.sleep(MONGO_OUTAGE_S)  # the outage itself: nothing to await
        outages.start_mongo(stack)
        run.faults.append(Fault("mongo", at, run.now() - at))
        threads[0].join()
        generated = asyncio.run(read(stack, POST_GENERATED, topics, "topic_id", timeout=240))
        post_ids = {event_of(r)["data"]["post_id"] for r in generated}
        eventually(lambda: held(clients) >= post_ids, timeout=180)
        approved = held(clients)
        outcomes = asyncio.run(read(stack, POST_PUBLISHED, post_ids, "post_id", timeout=240))
    finally:
        run.done.set()
        for thread in threads:
            thread.join()
    pairs = {(event_of(r)["data"]["topic_id"], event_of(r)["data"]["post_id"]) for r in generated}
    posts_of = Counter(topic for topic, _ in pairs)  # a topic told twice is one post
    final = {event_of(r)["data"]["post_id"]: event_of(r)["data"]["status"] for r in outcomes}
    creators = {a["open_id"] for c in clients for a in c.get("/api/auth/accounts").json()}
    publishes = [p for p in httpx.get(f"{control}/publishes").json() if p["open_id"] in creators]
    posted = [p for p in publishes if p["status"] != "FAILED"]
    twice = sum(n > 1 for n in Counter(tuple(p["urls"]) for p in posted).values())
    dead = asyncio.run(dead_letter_count(stack)) - dead_before
    left = stuck_work(stack, topics, post_ids)
    lost = len(topics - set(posts_of)) + len(post_ids - set(final)) + len(post_ids - approved)
    duplicated = twice + sum(n > 1 for n in posts_of.values())
    outage_report(run, len(topics), len(post_ids), final, lost, duplicated, dead, left)

    assert (lost, duplicated, dead) == (0, 0, 0)
    assert sorted(posts_of.values()) == [1] * len(topics), "each topic is generated once"
    published = Counter(final.values())
    assert published["PUBLISH_COMPLETE"] + published["UNKNOWN"] == len(post_ids), final
    assert left == {}, left


def held(clients: list[httpx.Client]) -> set[str]:
    """The posts approval holds as decided; none while it answers 503 (MongoDB away)."""
    found: set[str] = set()
    for client in clients:
        try:
            posts = client.get("/api/approval/posts").json()
        except (httpx.HTTPError, ValueError):
            continue
        if isinstance(posts, list):
            found |= {p["post_id"] for p in posts if p["status"] != "awaiting_approval"}
    return found


def outage_report(
    run: Run,
    topics: int,
    posts: int,
    final: dict[str, str],
    lost: int,
    duplicated: int,
    dead: int,
    left: dict[str, int],
) -> None:
    rows = [
        ("topics sent", topics),
        ("posts generated", posts),
        *ending_rows(final),
        ("lost (no post, no outcome)", lost),
        ("duplicated (generated/posted twice)", duplicated),
        ("dead letters written", dead),
        ("work left waiting", sum(left.values())),
    ]
    print_table("MongoDB outage", run.faults, rows)
