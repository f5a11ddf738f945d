"""The publisher against the real broker, MongoDB-wire server, auth and the TikTok stand-in."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo import MongoClient
from pymongo.errors import DuplicateKeyError

from gatepost_common.clock import Clock
from gatepost_common.ratelimit import RateLimiter
from gatepost_common.topics import POST_PUBLISHED
from gatepost_devstack.outside import (
    APPROVAL,
    collect,
    event_of,
    eventually,
    fresh_database,
    generated_post,
    has,
    kill_and_restart,
    signed_up,
    tiktok_webhook,
)
from gatepost_devstack.stack import Stack
from gatepost_publisher.limits import DailyCap

INIT = "/v2/post/publish/content/init/"


async def outcome(stack: Stack, post_id: str, timeout: float = 60) -> dict[str, Any]:
    [event] = await collect(
        stack.kafka_bootstrap, POST_PUBLISHED, has("post_id", post_id), timeout=timeout
    )
    data: dict[str, Any] = event_of(event)["data"]
    return data


def publication(client: httpx.Client, post_id: str) -> dict[str, Any]:
    found = [p for p in client.get("/api/publisher/publications").json() if p["post_id"] == post_id]
    return found[0] if found else {}


def publishes_of(stack: Stack, urls: list[str]) -> list[dict[str, Any]]:
    everything = httpx.get(f"http://127.0.0.1:{stack.ports.tiktok}/_control/publishes").json()
    return [p for p in everything if p["urls"] == urls]


def photo_urls(client: httpx.Client, post_id: str) -> list[str]:
    post = client.get(f"/api/approval/posts/{post_id}").json()
    return [s["image_url"] for s in post["slides"]]


@pytest.mark.parametrize(
    ("status", "code", "says"),
    [
        (403, "url_ownership_unverified", "domain or prefix is not verified"),
        (403, "privacy_level_option_mismatch", "privacy level is not offered"),
        (
            403,
            "unaudited_client_can_only_post_to_private_accounts",
            "only post to private accounts",
        ),
        (400, "invalid_param", "refused the post's parameters"),
    ],
)
async def test_refusals_fail_permanently_with_a_readable_reason(
    stack: Stack, faults: Any, status: int, code: str, says: str
) -> None:
    client, user_id, account_id = signed_up(stack)
    post_id = await generated_post(stack, client, user_id, account_id)
    faults(INIT, next_errors=1, error_status=status, error_code=code)
    assert client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL).status_code == 202
    result = await outcome(stack, post_id)
    assert result["status"] == "FAILED" and says in result["fail_reason"]
    assert eventually(
        lambda: client.get(f"/api/approval/posts/{post_id}").json()["status"] == "failed"
    )
    assert publishes_of(stack, photo_urls(client, post_id)) == []


async def test_tiktok_daily_limit_defers_instead_of_failing(stack: Stack, faults: Any) -> None:
    client, user_id, account_id = signed_up(stack)
    post_id = await generated_post(stack, client, user_id, account_id)
    faults(INIT, next_errors=1, error_status=403, error_code="spam_risk_too_many_posts")
    client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL)
    deferred = eventually(lambda: publication(client, post_id).get("deferred_reason"))
    assert deferred and "daily post limit" in deferred
    job = publication(client, post_id)
    assert job["status"] == "queued"
    assert datetime.fromisoformat(job["due_at"]) > datetime.now(UTC) + timedelta(minutes=1)
    assert (
        await collect(stack.kafka_bootstrap, POST_PUBLISHED, has("post_id", post_id), timeout=2)
        == []
    )
    kinds = [e["kind"] for e in client.get(f"/api/publisher/accounts/{account_id}/audit").json()]
    assert "deferred" in kinds and "outcome" not in kinds


@pytest.mark.parametrize(
    ("path", "fault"),
    [
        (INIT, {"next_errors": 1, "error_status": 401, "error_code": "access_token_invalid"}),
        (
            "/v2/post/publish/creator_info/query/",
            {"next_errors": 1, "error_status": 429, "error_code": "rate_limit_exceeded"},
        ),
        # a server error on content/init is never retried (TikTok may have posted, see
        # test_a_server_error_after_tiktok_posted_never_makes_a_second_post); reads are
        ("/v2/post/publish/creator_info/query/", {"next_errors": 2, "error_status": 503}),
        ("/v2/post/publish/creator_info/query/", {"next_drops": 1}),
    ],
)
async def test_recoverable_answers_still_publish_once(
    stack: Stack, faults: Any, path: str, fault: dict[str, Any]
) -> None:
    client, user_id, account_id = signed_up(stack)
    post_id = await generated_post(stack, client, user_id, account_id)
    # approval asks creator_info too: publish a little later, and only then break TikTok
    later = (datetime.now(UTC) + timedelta(seconds=3)).isoformat()
    approved = client.post(
        f"/api/approval/posts/{post_id}/approve", json={**APPROVAL, "publish_after": later}
    )
    assert approved.status_code == 202, approved.text
    faults(path, **fault)
    assert (await outcome(stack, post_id))["status"] == "PUBLISH_COMPLETE"
    assert len(publishes_of(stack, photo_urls(client, post_id))) == 1
    calls = [
        e["detail"]
        for e in client.get(f"/api/publisher/accounts/{account_id}/audit").json()
        if e["kind"] == "tiktok_call"
    ]
    failed = [c for c in calls if c["code"] != "ok"]
    assert len(failed) == fault.get("next_errors", 1), calls


async def test_daily_cap_holds_with_two_publisher_replicas(stack: Stack) -> None:
    second = stack.service_env("publisher") | {"HTTP_PORT": "18014"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gatepost_publisher"],
        env={**os.environ, **second},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert eventually(
            lambda: (
                httpx.get("http://127.0.0.1:18014/readyz").status_code == 200
                if _listening(18014)
                else False
            ),
            timeout=30,
        )
        client, user_id, account_id = signed_up(stack)
        posts = [
            await generated_post(stack, client, user_id, account_id, f"Cap test {i}")
            for i in range(5)
        ]
        for post_id in posts:
            assert (
                client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL).status_code
                == 202
            )
        # which three are published first is the replicas' race, not the approval order

        def settled() -> list[dict[str, Any]] | None:
            jobs = [publication(client, p) for p in posts]
            waiting = [j for j in jobs if j.get("status") == "queued" and j.get("deferred_reason")]
            published = [j for j in jobs if j.get("status") == "PUBLISH_COMPLETE"]
            return jobs if len(published) + len(waiting) == 5 else None

        jobs = eventually(settled, timeout=120)
        assert jobs is not None, [publication(client, p) for p in posts]
        assert sum(j["status"] == "PUBLISH_COMPLETE" for j in jobs) == 3
        deferred = [j for j in jobs if j["status"] == "queued"]
        assert len(deferred) == 2 and all(
            "daily cap of 3" in j["deferred_reason"] for j in deferred
        )
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)


def _listening(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
        return True
    except httpx.HTTPError:
        return False


async def test_crash_after_init_never_posts_twice(stack: Stack, faults: Any) -> None:
    client, user_id, account_id = signed_up(stack)
    post_id = await generated_post(stack, client, user_id, account_id)
    urls = photo_urls(client, post_id)
    faults(INIT, response_delay_ms=3000)  # TikTok posts, answers late; the publisher dies
    client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL)
    database = f"{stack.database_prefix}_publisher"
    with MongoClient(stack.mongodb_url) as mongo:
        jobs = mongo[database]["jobs"]
        assert eventually(
            lambda: (jobs.find_one({"_id": post_id}) or {}).get("status") == "initiating",
            timeout=30,
        )

    def tiktok_posted() -> None:
        assert eventually(lambda: len(publishes_of(stack, urls)) == 1, timeout=10)

    kill_and_restart(stack, "publisher", between=tiktok_posted)
    result = await outcome(stack, post_id)
    assert result["status"] == "UNKNOWN" and "check the TikTok profile" in result["fail_reason"]
    await asyncio.sleep(2)
    assert len(publishes_of(stack, urls)) == 1, "the post was sent to TikTok twice"


async def test_webhooks_and_polling_settle_a_post_once(stack: Stack) -> None:
    client, user_id, account_id = signed_up(stack)
    post_id = await generated_post(stack, client, user_id, account_id)
    client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL)
    events = await collect(
        stack.kafka_bootstrap, POST_PUBLISHED, has("post_id", post_id), settle=4.0
    )
    assert len(events) == 1
    kinds = [
        e["detail"].get("event")
        for e in client.get(f"/api/publisher/accounts/{account_id}/audit").json()
        if e["kind"] == "webhook"
    ]
    assert "post.publish.complete" in kinds  # the stand-in's webhooks did arrive
    assert eventually(lambda: publication(client, post_id).get("post_ids"))


def signed_webhook(secret: str, body: bytes, at: int) -> dict[str, str]:
    import hashlib
    import hmac

    mac = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return {"TikTok-Signature": f"t={at},s={mac}", "Content-Type": "application/json"}


def test_webhook_signature_tolerance_and_dedupe(stack: Stack) -> None:
    url = f"http://127.0.0.1:{stack.ports.publisher}/webhooks/tiktok"
    secret = "local-only-tiktok-client-secret"
    body = tiktok_webhook(
        "post.publish.complete", "nobody", publish_id=f"p_pub_url~v2.{time.time_ns()}"
    )
    now = int(time.time())
    assert (
        httpx.post(url, content=body, headers=signed_webhook("wrong", body, now)).status_code == 401
    )
    assert (
        httpx.post(url, content=body, headers=signed_webhook(secret, body, now - 3600)).status_code
        == 401
    )
    assert (
        httpx.post(url, content=body + b" ", headers=signed_webhook(secret, body, now)).status_code
        == 401
    )
    first = httpx.post(url, content=body, headers=signed_webhook(secret, body, now))
    again = httpx.post(url, content=body, headers=signed_webhook(secret, body, now + 1))
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json() == {"received": True}
    not_an_event = b"[1]"
    refused = httpx.post(
        url, content=not_an_event, headers=signed_webhook(secret, not_an_event, now)
    )
    assert refused.status_code == 400
    # both deliveries went through tiktok.webhook; the publisher kept the event once
    digest = hashlib.sha256(body).hexdigest()
    with MongoClient(stack.mongodb_url) as mongo:
        inbox = mongo[f"{stack.database_prefix}_publisher"]["webhook_inbox"]
        assert eventually(lambda: inbox.find_one({"_id": digest}), timeout=30)
        assert inbox.count_documents({"_id": digest}) == 1


async def test_tampered_audit_entry_is_detected(stack: Stack) -> None:
    client, user_id, account_id = signed_up(stack)
    post_id = await generated_post(stack, client, user_id, account_id)
    client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL)
    await outcome(stack, post_id)
    env = {**os.environ, **stack.service_env("publisher")}
    command = [sys.executable, "-m", "gatepost_publisher.verify_audit", account_id]
    clean = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert clean.returncode == 0 and f"ok     {account_id}" in clean.stdout, clean.stdout
    with MongoClient(stack.mongodb_url) as mongo:
        audit = mongo[f"{stack.database_prefix}_publisher"]["audit"]
        audit.update_one(
            {"account_id": account_id, "seq": 2}, {"$set": {"detail.endpoint": "nothing happened"}}
        )
    broken = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert broken.returncode == 1
    assert f"BROKEN {account_id}: entry 2 was altered" in broken.stdout


async def test_rate_limiter_holds_across_replicas(stack: Stack) -> None:
    class FakeClock(Clock):
        def __init__(self) -> None:
            self.at = datetime.now(UTC)

        def now(self) -> datetime:
            return self.at

    async with fresh_database(stack, "limiter") as db:
        clock = FakeClock()
        replicas = [RateLimiter(db, clock) for _ in range(3)]
        key = f"account-{time.time_ns()}:content_init"
        tries = await asyncio.gather(*(replicas[i % 3].try_acquire(key, 6) for i in range(20)))
        assert sum(wait == timedelta(0) for wait in tries) == 6
        clock.at += timedelta(seconds=30)
        assert await replicas[0].try_acquire(key, 6) > timedelta(0)
        clock.at += timedelta(seconds=31)
        later = await asyncio.gather(*(replicas[i % 3].try_acquire(key, 6) for i in range(10)))
        assert sum(wait == timedelta(0) for wait in later) == 6


def test_no_call_ever_hit_tiktoks_rate_limit(stack: Stack) -> None:
    """Injected faults never reach the recorder; a real 429 would."""
    requests = httpx.get(f"http://127.0.0.1:{stack.ports.tiktok}/_control/requests").json()
    assert requests and not [r for r in requests if r["status"] == 429]


async def test_a_public_post_that_tiktok_kept_private_is_flagged(stack: Stack) -> None:
    client, user_id, account_id = signed_up(stack)
    open_id = client.get(f"/api/auth/accounts/{account_id}").json()["open_id"]
    creator = f"http://127.0.0.1:{stack.ports.tiktok}/_control/creators/{open_id}"
    httpx.patch(creator, json={"forced_private": True}).raise_for_status()
    post_id = await generated_post(stack, client, user_id, account_id)
    client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL)
    assert (await outcome(stack, post_id))["status"] == "PUBLISH_COMPLETE"
    flag = eventually(lambda: publication(client, post_id).get("flag"), timeout=30)
    assert flag and "SELF_ONLY" in flag
    kinds = [e["kind"] for e in client.get(f"/api/publisher/accounts/{account_id}/audit").json()]
    assert "flagged" in kinds
    # the queue, approval's read model of the post's life, says so too
    queued = eventually(
        lambda: (
            (p := client.get(f"/api/approval/posts/{post_id}").json())["progress"]
            and p["progress"]["state"] == "flagged"
            and p
        ),
        timeout=30,
    )
    assert (
        queued and queued["status"] == "published" and "SELF_ONLY" in queued["progress"]["reason"]
    )
    assert queued["tiktok_url"] is None  # TikTok gave no public post


def second_publisher(stack: Stack, port: int) -> subprocess.Popen[bytes]:
    """Another publisher replica of the same stack, ready."""
    env = stack.service_env("publisher") | {"HTTP_PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "gatepost_publisher"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    ready = f"http://127.0.0.1:{port}/readyz"
    assert eventually(
        lambda: httpx.get(ready).status_code == 200 if _listening(port) else False, timeout=30
    )
    return process


async def test_a_server_error_after_tiktok_posted_never_makes_a_second_post(
    stack: Stack, faults: Any
) -> None:
    """TikTok creates the post, then answers 500: sending content/init again would post twice,
    so the publisher never does; the person is told to check the profile."""
    client, user_id, account_id = signed_up(stack)
    post_id = await generated_post(stack, client, user_id, account_id, "Acted then failed")
    urls = photo_urls(client, post_id)
    faults(INIT, next_errors_after_acting=1, error_status=500, error_code="internal_error")
    client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL).raise_for_status()
    result = await outcome(stack, post_id)
    assert result["status"] == "UNKNOWN" and "check the TikTok profile" in result["fail_reason"]
    await asyncio.sleep(3)  # a retry, if any, would come now
    assert len(publishes_of(stack, urls)) == 1
    inits = [
        e
        for e in client.get(f"/api/publisher/accounts/{account_id}/audit").json()
        if e["kind"] == "tiktok_call" and e["detail"].get("endpoint") == "content_init"
    ]
    assert len(inits) == 1


async def test_a_replica_starting_mid_attempt_leaves_it_alone(stack: Stack, faults: Any) -> None:
    """A rolling deploy: a new replica starts while another waits for content/init's answer;
    it must not mark that live attempt UNKNOWN."""
    client, user_id, account_id = signed_up(stack)
    post_id = await generated_post(stack, client, user_id, account_id, "Rolling deploy")
    faults(INIT, response_delay_ms=3000)
    client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL).raise_for_status()
    with MongoClient(stack.mongodb_url) as mongo:
        jobs = mongo[f"{stack.database_prefix}_publisher"]["jobs"]
        assert eventually(
            lambda: (jobs.find_one({"_id": post_id}) or {}).get("status") == "initiating",
            timeout=30,
        )
    process = second_publisher(stack, 18015)
    try:
        assert (await outcome(stack, post_id))["status"] == "PUBLISH_COMPLETE"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)


async def test_a_post_holds_one_place_in_the_daily_cap_and_gives_it_back_once(
    stack: Stack,
) -> None:
    at = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    async with fresh_database(stack, "cap") as db:
        cap = DailyCap(db, 3)
        assert await cap.reserve("acct", "post-a", at) is None
        assert await cap.reserve("acct", "post-a", at) is None  # the same post: one place
        assert await cap.reserve("acct", "post-b", at + timedelta(minutes=1)) is None
        assert len(await cap.held("acct", at)) == 2
        # a webhook and a poll both saw FAILED: one place comes back, not two
        await cap.release("acct", "post-a")
        await cap.release("acct", "post-a")
        counter = await cap.counters.find_one({"_id": "acct"})
        assert counter is not None and [p["id"] for p in counter["posts"]] == ["post-b"]
        assert await cap.reserve("acct", "post-c", at) is None
        assert await cap.reserve("acct", "post-d", at) is None
        # the cap of 3 within any 24 hours: a new UTC day changes nothing
        after_midnight = datetime(2026, 11, 24, 0, 30, tzinfo=UTC)
        assert await cap.reserve("acct", "post-e", after_midnight) == at + timedelta(hours=24)
        # 24 hours after post-c and post-d took theirs, two places are back
        assert await cap.reserve("acct", "post-e", at + timedelta(hours=24)) is None


async def test_the_first_reservation_survives_a_concurrent_first(stack: Stack) -> None:
    """On a real replica set two first reservations race: both upsert, one insert loses with a
    duplicate key. That one must still get its place (the local server serialises commands, so
    the race is replayed: the other reservation lands between)."""
    now = datetime.now(UTC)
    async with fresh_database(stack, "cap_race") as db:
        cap = DailyCap(db, 3)
        real_update = cap.counters.update_one
        raced = False

        async def racing_update(*args: Any, **kwargs: Any) -> Any:
            nonlocal raced
            if kwargs.get("upsert") and not raced:
                raced = True
                await cap.reserve("acct", "other-post", now)  # the concurrent first
                raise DuplicateKeyError("E11000 duplicate key (the lost insert)")
            return await real_update(*args, **kwargs)

        cap.counters.update_one = racing_update  # type: ignore[method-assign]
        assert await cap.reserve("acct", "mine", now) is None
        counter = await cap.counters.find_one({"_id": "acct"})
        assert counter is not None
        assert sorted(p["id"] for p in counter["posts"]) == ["mine", "other-post"]


@pytest.mark.disruptive
async def test_authorization_removed_while_auth_is_down_is_applied_when_it_returns(
    stack: Stack,
) -> None:
    """TikTok says the person removed the app while auth is down: the publisher's receiver
    answers TikTok once the event is in tiktok.webhook, where it waits for auth; once auth is back
    the account is disconnected. (Once it was answered 200 and dropped, then forwarded over HTTP
    and retried from the publisher's inbox; now nothing but Kafka stands between.)"""
    client, _, account_id = signed_up(stack)
    open_id = client.get(f"/api/auth/accounts/{account_id}").json()["open_id"]
    control = f"http://127.0.0.1:{stack.ports.tiktok}/_control"

    def deliveries() -> list[Any]:
        return [
            w
            for w in httpx.get(f"{control}/webhooks").json()
            if w["event"] == "authorization.removed" and w["open_id"] == open_id
        ]

    def while_auth_is_down() -> None:
        httpx.post(f"{control}/creators/{open_id}/deauthorize").raise_for_status()
        assert eventually(lambda: 200 in (deliveries() or [{}])[0].get("attempts", [])), (
            "TikTok was not answered while auth was down"
        )
        time.sleep(2)  # and nothing else ended the connection meanwhile
        with MongoClient(stack.mongodb_url) as mongo:
            account = mongo[f"{stack.database_prefix}_auth"]["accounts"].find_one(
                {"_id": account_id}
            )
            assert account is not None and account["status"] == "connected"

    kill_and_restart(stack, "auth", between=while_auth_is_down)
    assert eventually(lambda: client.get("/api/auth/accounts").json() == [], timeout=60)


async def test_a_job_changed_after_approval_posts_nothing(stack: Stack) -> None:
    """Anything that reaches the database could swap a queued job's photos or caption; the
    publisher verifies the approval's signature again over exactly what it is about to send."""
    client, user_id, account_id = signed_up(stack)
    post_id = await generated_post(stack, client, user_id, account_id, "Tamper with me")
    urls = photo_urls(client, post_id)
    later = (datetime.now(UTC) + timedelta(seconds=4)).isoformat()
    client.post(
        f"/api/approval/posts/{post_id}/approve", json={**APPROVAL, "publish_after": later}
    ).raise_for_status()
    swapped = [urls[1], *urls[1:]]
    with MongoClient(stack.mongodb_url) as mongo:
        jobs = mongo[f"{stack.database_prefix}_publisher"]["jobs"]
        assert eventually(lambda: jobs.find_one({"_id": post_id}), timeout=30)
        jobs.update_one({"_id": post_id}, {"$set": {"approved.photo_urls": swapped}})
    result = await outcome(stack, post_id)
    assert result["status"] == "FAILED" and "signature does not match" in result["fail_reason"]
    assert publishes_of(stack, swapped) == [] and publishes_of(stack, urls) == []
    kinds = [e["kind"] for e in client.get(f"/api/publisher/accounts/{account_id}/audit").json()]
    assert "refused" in kinds


async def test_a_post_waits_for_its_account_to_be_reconnected_then_publishes(
    stack: Stack,
) -> None:
    """TikTok's authorisation ended (the refresh chain is over): the approved post waits,
    saying why, instead of failing; once the person reconnects the account, it is published."""
    client, user_id, account_id = signed_up(stack)
    open_id = client.get(f"/api/auth/accounts/{account_id}").json()["open_id"]
    post_id = await generated_post(stack, client, user_id, account_id, "Wait for me")
    later = (datetime.now(UTC) + timedelta(seconds=3)).isoformat()
    client.post(
        f"/api/approval/posts/{post_id}/approve", json={**APPROVAL, "publish_after": later}
    ).raise_for_status()
    past = datetime.now(UTC) - timedelta(days=1)
    with MongoClient(stack.mongodb_url) as mongo:  # then TikTok's refresh chain ends
        mongo[f"{stack.database_prefix}_auth"]["accounts"].update_one(
            {"_id": account_id},
            {"$set": {"access_expires_at": past, "refresh_expires_at": past}},
        )

    def waiting() -> dict[str, Any] | None:
        job = publication(client, post_id)
        return job if "reconnected" in (job.get("deferred_reason") or "") else None

    assert eventually(waiting, timeout=30), publication(client, post_id)
    assert client.get(f"/api/auth/accounts/{account_id}").json()["status"] == "needs_reauth"
    control = f"http://127.0.0.1:{stack.ports.tiktok}/_control"
    httpx.post(f"{control}/consent-as/{open_id}").raise_for_status()
    reconnected = client.get("/api/auth/tiktok/connect")
    assert reconnected.status_code == 200, reconnected.text
    assert (await outcome(stack, post_id))["status"] == "PUBLISH_COMPLETE"


async def test_a_failed_post_can_be_published_again_as_a_new_attempt(
    stack: Stack, faults: Any
) -> None:
    client, user_id, account_id = signed_up(stack)
    post_id = await generated_post(stack, client, user_id, account_id)
    faults(INIT, next_errors=1, error_status=403, error_code="url_ownership_unverified")
    assert client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL).status_code == 202
    first = await outcome(stack, post_id)
    assert (first["status"], first["attempt"], first["retryable"]) == ("FAILED", 1, False)
    assert eventually(
        lambda: client.get(f"/api/approval/posts/{post_id}").json()["status"] == "failed"
    )
    # approving it as if new is refused; publishing it again is a new, signed attempt
    assert client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL).status_code == 409
    again = client.post(f"/api/approval/posts/{post_id}/publish-again", json=APPROVAL)
    assert again.status_code == 202, again.text
    [second] = [
        event_of(r)["data"]
        for r in await collect(
            stack.kafka_bootstrap,
            POST_PUBLISHED,
            lambda r: (
                event_of(r)["data"].get("post_id") == post_id
                and event_of(r)["data"].get("attempt") == 2
            ),
            timeout=60,
        )
    ]
    assert second["status"] == "PUBLISH_COMPLETE"
    post = eventually(
        lambda: (
            (p := client.get(f"/api/approval/posts/{post_id}").json())["status"] == "published"
            and p
        )
    )
    assert post and post["attempt"] == 2
    assert len(publishes_of(stack, photo_urls(client, post_id))) == 1
    attempts = sorted(
        (p["attempt"], p["status"])
        for p in client.get("/api/publisher/publications").json()
        if p["post_id"] == post_id
    )
    assert attempts == [(1, "FAILED"), (2, "PUBLISH_COMPLETE")]
    again = client.post(f"/api/approval/posts/{post_id}/publish-again", json=APPROVAL)
    assert again.status_code == 409, "a published post is not published again"


async def test_two_users_of_one_tiktok_creator_share_its_daily_cap(stack: Stack) -> None:
    """TikTok counts its daily limit per creator: two Gatepost users who connected the same
    creator get DAILY_CAP (3 in tests) posts between them, not each."""
    control = f"http://127.0.0.1:{stack.ports.tiktok}/_control"
    creator = httpx.post(
        f"{control}/creators",
        json={"username": f"shared.{uuid.uuid4().hex[:8]}", "nickname": "Shared Creator"},
    ).json()
    owners = []
    for _ in range(2):
        client, user_id, _ = signed_up(stack)  # each has a creator of its own too
        httpx.post(f"{control}/consent-as/{creator['open_id']}").raise_for_status()
        assert client.get("/api/auth/tiktok/connect").status_code == 200
        [shared] = [
            a for a in client.get("/api/auth/accounts").json() if a["open_id"] == creator["open_id"]
        ]
        owners.append((client, user_id, shared["account_id"]))
    posts = [
        (client, await generated_post(stack, client, user_id, account_id, f"Shared cap {i}"))
        for i, (client, user_id, account_id) in enumerate(owners * 2)
    ]
    for client, post_id in posts:
        assert (
            client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL).status_code == 202
        )

    def settled() -> list[dict[str, Any]] | None:
        jobs = [publication(client, p) for client, p in posts]
        done = [j for j in jobs if j.get("status") == "PUBLISH_COMPLETE"]
        waiting = [j for j in jobs if j.get("status") == "queued" and j.get("deferred_reason")]
        return jobs if len(done) + len(waiting) == len(posts) else None

    jobs = eventually(settled, timeout=90)
    assert jobs is not None, [publication(client, p) for client, p in posts]
    assert sum(j["status"] == "PUBLISH_COMPLETE" for j in jobs) == 3
    [waiting] = [j for j in jobs if j["status"] == "queued"]
    assert "daily cap of 3" in waiting["deferred_reason"]
    published = httpx.get(f"{control}/publishes").json()
    assert sum(p["open_id"] == creator["open_id"] for p in published) == 3
