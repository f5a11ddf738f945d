"""The approval gate holds with any one part compromised: each service's credential opens only
its own internal routes, each Kafka principal reads and writes only its topics, and a job changed
in the database after approval is never posted."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    TopicAuthorizationFailedError,
)
from pymongo import MongoClient

from gatepost_common.access import (
    INTERNAL_ROUTES,
    KAFKA_PRINCIPALS,
    SERVICE_TOKEN_HEADER,
    TOPICS,
    service_token,
)
from gatepost_common.topics import POST_APPROVED, TOPIC_CREATED
from gatepost_devstack import infra
from gatepost_devstack.config import SERVICES, TEST_PORTS, new_secrets
from gatepost_devstack.outside import APPROVAL, eventually, generated_post, signed_up
from gatepost_devstack.stack import Stack
from gatepost_devstack.supervisor import Supervisor
from tests.integration.test_publisher import INIT, photo_urls, publication, publishes_of


def internal_routes(stack: Stack, service: str) -> set[str]:
    """ "METHOD /path" of every internal route in the service's OpenAPI document."""
    document = httpx.get(f"http://127.0.0.1:{getattr(stack.ports, service)}/openapi.json").json()
    return {
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        if path.startswith("/internal/")
        for method in operations
    }


def concrete(route: str) -> tuple[str, str]:
    """("METHOD", "/path") of a route, its parameters filled in."""
    method, path = route.split(" ", 1)
    return method, re.sub(r"\{\w+\}", "x", path)


def call(stack: Stack, service: str, route: str, headers: dict[str, str]) -> int:
    method, path = concrete(route)
    url = f"http://127.0.0.1:{getattr(stack.ports, service)}{path}"
    body = {"json": {}} if method == "POST" else {}
    return httpx.request(method, url, headers=headers, timeout=30, **body).status_code


@pytest.mark.parametrize("service", SERVICES)
def test_each_internal_route_opens_only_to_the_services_the_table_names(
    stack: Stack, service: str
) -> None:
    table = INTERNAL_ROUTES.get(service, {})
    assert internal_routes(stack, service) == set(table), "every internal route is in the table"
    for route, allowed in table.items():
        method, path = concrete(route)
        for caller in SERVICES:
            answer = call(stack, service, route, stack.service_token(caller, service, method, path))
            if caller in allowed:
                assert answer not in (401, 403), (caller, route, answer)
            else:
                assert answer == 403, (caller, route, answer)
        assert call(stack, service, route, {}) == 401
        # a token meant for another service, or claiming a name with another's key
        elsewhere = next(s for s in SERVICES if s != service)
        caller = sorted(allowed)[0]
        misaddressed = stack.service_token(caller, elsewhere, method, path)
        assert call(stack, service, route, misaddressed) == 401
        keys = json.loads(stack.secrets["service_keys"])
        forged = service_token(
            keys[elsewhere][0], caller, service, time.time(), method=method, path=path
        )
        assert call(stack, service, route, {SERVICE_TOKEN_HEADER: forged}) == 401
        expired = service_token(
            keys[caller][0], caller, service, time.time() - 600, method=method, path=path
        )
        assert call(stack, service, route, {SERVICE_TOKEN_HEADER: expired}) == 401


def test_a_service_token_opens_one_request_once(stack: Stack) -> None:
    """A token seen on the way (a log, a proxy) opens neither another method or path nor the
    same request again: each running service records the ids it took in its own database."""
    _, user_id, account_id = signed_up(stack)
    path = f"/internal/users/{user_id}/accounts/{account_id}"
    url = f"http://127.0.0.1:{stack.ports.auth}{path}"
    token = stack.service_token("publisher", "auth", "GET", path)
    elsewhere = f"http://127.0.0.1:{stack.ports.auth}/internal/users/{user_id}/accounts/other"
    assert httpx.get(elsewhere, headers=token).status_code == 401
    assert httpx.get(url, headers=token).status_code == 200
    replayed = httpx.get(url, headers=token)
    assert replayed.status_code == 401 and "used before" in replayed.json()["detail"]
    token_id = jwt.decode(token[SERVICE_TOKEN_HEADER], options={"verify_signature": False})["jti"]
    with MongoClient(stack.mongodb_url) as mongo:
        seen = mongo[f"{stack.database_prefix}_auth"]["service_tokens_seen"]
        assert seen.count_documents({"_id": token_id}) == 1


def test_the_generators_credential_gets_no_tiktok_token(stack: Stack) -> None:
    """The generator handles untrusted topic text and model output: were it taken over, it still
    could not fetch any account's TikTok token, with or without naming the owner."""
    _, user_id, account_id = signed_up(stack)
    url = f"http://127.0.0.1:{stack.ports.auth}/internal/accounts/{account_id}/token"
    body = {"user_id": user_id}
    answer = httpx.post(url, json=body, auth=stack.service_auth("generator", "auth"))
    assert answer.status_code == 403 and "access_token" not in answer.text
    publisher = httpx.post(url, json=body, auth=stack.service_auth("publisher", "auth"))
    assert publisher.status_code == 200 and publisher.json()["access_token"]


async def write(bootstrap: str, options: dict[str, str], topic: str) -> str:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, request_timeout_ms=10_000, **options)
    try:
        await producer.start()
        await producer.send_and_wait(topic, b"not an event: a probe of the ACLs")
        return "written"
    except TopicAuthorizationFailedError:
        return "refused"
    finally:
        await producer.stop()


async def read(bootstrap: str, options: dict[str, str], topic: str, group: str | None) -> str:
    """Read `topic` as a principal: in `group`, or (None) in no group, so a probe never joins,
    rebalances or commits for the services' own groups."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="latest",
        **options,
    )
    try:
        await consumer.start()
        await asyncio.wait_for(consumer.getmany(timeout_ms=3000), 15)
        return "read"
    except (TopicAuthorizationFailedError, GroupAuthorizationFailedError):
        return "refused"
    finally:
        await consumer.stop()


@pytest.fixture(scope="module")
def secured_kafka(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The stack's broker when it was started here; beside a broker the user gave (whose
    principals are the user's), one of Gatepost's own, so the ACLs are still checked."""
    if stack.kafka_options():
        yield stack.kafka_bootstrap
        return
    folder: Path = tmp_path_factory.mktemp("secured-kafka")
    supervisor = Supervisor(folder / "logs")
    passwords = json.loads(new_secrets()["kafka_passwords"])
    port = TEST_PORTS.kafka + 600
    try:
        bootstrap = infra.start_kafka(
            supervisor, infra.KafkaConfig(port, port + 1, folder / "data", passwords=passwords)
        )
        infra.create_topics(bootstrap, partitions=1)
        yield bootstrap
    finally:
        supervisor.stop()


async def test_only_the_approval_principal_may_write_post_approved(secured_kafka: str) -> None:
    for principal in KAFKA_PRINCIPALS:
        options = infra.client_options(secured_kafka, principal)
        expected = "written" if principal == "approval" else "refused"
        assert await write(secured_kafka, options, POST_APPROVED) == expected, principal
    # a wrong password, or no principal at all, is not let in (SCRAM fails; no anonymous door)
    guessed = infra.client_options(secured_kafka, "generator") | {
        "sasl_plain_password": secrets.token_hex(8)
    }
    for options in (guessed, {}):
        with pytest.raises(KafkaConnectionError):
            await write(secured_kafka, options, TOPIC_CREATED)


async def test_each_principal_reads_only_its_topics(secured_kafka: str) -> None:
    services = ("generator", "approval", "publisher")
    for topic, access in TOPICS.items():
        for principal in services:
            options = infra.client_options(secured_kafka, principal)
            expected = "read" if principal in access.readers else "refused"
            assert await read(secured_kafka, options, topic, None) == expected, (principal, topic)
    # nor may a service join another's consumer group (and take its messages), even to read a
    # topic it may read
    for principal in services:
        options = infra.client_options(secured_kafka, principal)
        mine = next(t for t, access in TOPICS.items() if principal in access.readers)
        other = next(s for s in services if s != principal)
        assert await read(secured_kafka, options, mine, other) == "refused", principal
    # other systems hand topics in; they read nothing
    ingest = infra.client_options(secured_kafka, "ingest")
    assert await write(secured_kafka, ingest, TOPIC_CREATED) == "written"
    assert await read(secured_kafka, ingest, TOPIC_CREATED, None) == "refused"


@pytest.mark.parametrize(
    "change",
    [
        {"approved.description": "Buy followers at example.com #ad"},
        # not even an approval any more: refused the same way, not retried for ever
        {"approved.caption": "Buy followers at example.com"},
    ],
)
async def test_a_job_changed_in_the_database_after_approval_is_not_posted(
    stack: Stack, faults: Any, change: dict[str, str]
) -> None:
    """Anything that reaches MongoDB could swap a queued job's caption or photos: the publisher
    checks the approval's signature again right before posting, over what it would send."""
    client, user_id, account_id = signed_up(stack)
    post_id = await generated_post(stack, client, user_id, account_id)
    # TikTok's daily limit holds the job back for a while: the window to change it in
    faults(INIT, next_errors=1, error_status=403, error_code="spam_risk_too_many_posts")
    assert client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL).status_code == 202
    assert eventually(lambda: publication(client, post_id).get("deferred_reason"))
    with MongoClient(stack.mongodb_url) as mongo:
        jobs = mongo[f"{stack.database_prefix}_publisher"]["jobs"]
        job = jobs.find_one({"post_id": post_id})
        assert job is not None
        swapped = change | {"due_at": job["created_at"]}  # and due now
        assert jobs.update_one({"_id": job["_id"]}, {"$set": swapped}).modified_count == 1
    assert eventually(lambda: publication(client, post_id).get("status") == "FAILED", timeout=60)
    assert "changed after it was approved" in publication(client, post_id)["fail_reason"]
    assert publishes_of(stack, photo_urls(client, post_id)) == []
    refused = [
        e
        for e in client.get(f"/api/publisher/accounts/{account_id}/audit").json()
        if e["kind"] == "refused" and e["detail"].get("post_id") == post_id
    ]
    assert refused and "changed after it was approved" in refused[0]["detail"]["reason"]
