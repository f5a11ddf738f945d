"""A message no consumer can take in is dead-lettered with its reason, listed by the operator's
command, replayed once the cause is fixed, and takes effect once however often it is replayed.
The poison: the publisher started with the wrong approval key refuses every post.approved as
forged. Meanwhile approval shows the post as stuck, and its operator command lists it."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gatepost_common import signing
from gatepost_devstack import dead_letters
from gatepost_devstack.outside import APPROVAL, eventually
from gatepost_devstack.stack import Stack
from tests.integration.test_approval import queued_post


def restart(stack: Stack, service: str) -> None:
    child = stack.supervisor.child(service)
    stack.supervisor.stop_child(child)
    stack.supervisor.children.remove(child)
    stack.start_service(service)


@pytest.fixture
def publisher_with_the_wrong_key(stack: Stack) -> Iterator[Any]:
    """The publisher runs with another approval key until `fix()` (or the test's end)."""
    right = stack.secrets["approval_public_key"]
    stack.secrets["approval_public_key"] = signing.generate_keypair()[1]
    restart(stack, "publisher")

    def fix() -> None:
        if stack.secrets["approval_public_key"] != right:
            stack.secrets["approval_public_key"] = right
            restart(stack, "publisher")

    yield fix
    fix()


def operator(stack: Stack, *args: str) -> list[dict[str, Any]]:
    """`python -m gatepost_devstack …` against this stack, as an operator runs it."""
    kafka = stack.kafka_options()
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": stack.kafka_bootstrap,
        "KAFKA_USERNAME": kafka["sasl_plain_username"],
        "KAFKA_PASSWORD": kafka["sasl_plain_password"],
        "MONGODB_URL": stack.mongodb_url,
        "MONGODB_DATABASE": f"{stack.database_prefix}_approval",
    }
    done = subprocess.run(
        [sys.executable, "-m", "gatepost_devstack", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


async def letters_of(stack: Stack, post_id: str) -> list[dead_letters.DeadLetter]:
    found = await dead_letters.read(stack.kafka_bootstrap, "post.approved", stack.kafka_options())
    return [one for one in found if post_of(one.body) == post_id]


def post_of(body: bytes | str) -> str | None:
    """The post a dead letter is about; None for other tests' letters that are no event at all
    (an ACL probe's bytes, undecodable JSON sent on purpose)."""
    try:
        return str(json.loads(body)["data"]["post_id"])
    except (ValueError, KeyError, TypeError):
        return None


@pytest.mark.disruptive  # it restarts the publisher
@pytest.mark.timeout(600)  # the operator commands each start a Python process
async def test_a_poison_approval_is_dead_lettered_listed_replayed_after_the_fix_and_posted_once(
    stack: Stack, publisher_with_the_wrong_key: Any
) -> None:
    client, post_id, _ = await queued_post(stack)
    client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL).raise_for_status()
    for _ in range(60):
        if letters := await letters_of(stack, post_id):
            break
        await asyncio.sleep(0.5)
    [letter] = letters
    listed = operator(stack, "dead-letters", "list", "post.approved")
    [row] = [r for r in listed if r["id"] == letter.event_id]
    assert row["kind"] == "poison" and "does not verify" in row["reason"], row
    assert row["group"] == "publisher"

    def stuck() -> Any:
        return client.get(f"/api/approval/posts/{post_id}").json().get("stuck")

    assert eventually(stuck, timeout=30), "the person sees the post stuck"
    assert "post.approved.dlq" in stuck()["reason"]
    [shown] = [p for p in operator(stack, "stuck") if p["post_id"] == post_id]
    assert shown["reason"] == stuck()["reason"]

    publisher_with_the_wrong_key()  # the cause fixed: the publisher has the right key again
    for _ in range(2):  # an operator replaying twice (a retry, two people) posts once
        [replayed] = operator(stack, "dead-letters", "replay", "post.approved", "--id", row["id"])
        assert replayed["replayed_to"] == "post.approved"

    def status() -> str:
        return str(client.get(f"/api/approval/posts/{post_id}").json()["status"])

    assert eventually(lambda: status() == "published", timeout=120), status()
    assert stuck() is None
    post = client.get(f"/api/approval/posts/{post_id}").json()
    urls = [s["image_url"] for s in post["slides"]]
    publishes = httpx.get(f"http://127.0.0.1:{stack.ports.tiktok}/_control/publishes").json()
    assert len([p for p in publishes if p["urls"] == urls]) == 1
    jobs = client.get("/api/publisher/publications").json()
    assert len([j for j in jobs if j["post_id"] == post_id]) == 1
    assert len(await letters_of(stack, post_id)) == 1, "a good replay is not dead-lettered again"
