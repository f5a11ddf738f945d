"""Each service's AsyncAPI document lists every topic it consumes and emits, each with the
payload schema of its CloudEvent (a dead-letter topic carries the message as received)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any
from unittest.mock import AsyncMock

import pytest
from faststream.kafka import KafkaBroker
from faststream.specification.asyncapi import AsyncAPI

from gatepost_approval.entrypoints import subscribers as approval_endpoints
from gatepost_auth.webhooks import subscribers as auth_endpoints
from gatepost_common import topics
from gatepost_common.cloud_event import envelope
from gatepost_common.events import TopicCreated
from gatepost_common.kafka import publish_event
from gatepost_generator.entrypoints import subscribers as generator_endpoints
from gatepost_publisher.entrypoints import subscribers as publisher_endpoints

HANDLERS = SimpleNamespace(
    on_post_generated=AsyncMock(),
    on_post_published=AsyncMock(),
    on_post_progressed=AsyncMock(),
    on_post_measured=AsyncMock(),
    accept=AsyncMock(),
    on_post_approved=AsyncMock(),
    on_webhook=AsyncMock(),
)
# who consumes and who emits what: the topics table of docs/architecture.md
SERVICES = {
    "generator": (
        lambda broker: generator_endpoints(broker, HANDLERS),  # type: ignore[arg-type]
        {topics.TOPIC_CREATED},
        {topics.TOPIC_CREATED, topics.POST_GENERATED},
    ),
    "approval": (
        lambda broker: approval_endpoints(broker, HANDLERS),  # type: ignore[arg-type]
        {
            topics.POST_GENERATED,
            topics.POST_PUBLISHED,
            topics.POST_PROGRESSED,
            topics.POST_MEASURED,
        },
        {topics.POST_APPROVED},
    ),
    "publisher": (
        lambda broker: publisher_endpoints(broker, HANDLERS, HANDLERS, 1),  # type: ignore[arg-type]
        {topics.POST_APPROVED, topics.TIKTOK_WEBHOOK},
        {
            topics.POST_PUBLISHED,
            topics.POST_PROGRESSED,
            topics.TIKTOK_WEBHOOK,
            topics.POST_MEASURED,
        },
    ),
    "auth": (
        lambda broker: auth_endpoints(broker, HANDLERS, "auth", HANDLERS),  # type: ignore[arg-type]
        {topics.TIKTOK_WEBHOOK, topics.POST_GENERATED},
        set(),
    ),
}


def document_of(service: str) -> dict[str, Any]:
    broker = KafkaBroker()
    SERVICES[service][0](broker)
    text = AsyncAPI(broker, title=service, schema_version="3.0.0").to_specification().to_json()
    document: dict[str, Any] = json.loads(text)
    return document


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        found: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            found = found[part]
        node = found
    return node


def operations(document: dict[str, Any], action: str) -> dict[str, dict[str, Any]]:
    """Topic → payload schema of each operation of this kind ("send" or "receive")."""
    found = {}
    for operation in document["operations"].values():
        if operation["action"] != action:
            continue
        channel = resolve(document, operation["channel"])
        (message,) = channel["messages"].values()
        found[channel["address"]] = resolve(document, resolve(document, message)["payload"])
    return found


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_consumed_topic_has_its_event_schema(service: str) -> None:
    received = operations(document_of(service), "receive")
    assert set(received) == SERVICES[service][1]
    for topic, payload in received.items():
        assert payload["properties"]["type"]["type"] == "string", topic
        data = payload["properties"]["data"]
        assert data["type"] == "object" and data["properties"], topic
        assert "$ref" not in json.dumps(payload), topic  # stands on its own


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_emitted_topic_is_declared_with_its_event_schema(service: str) -> None:
    sent = operations(document_of(service), "send")
    emitted, dead_letters = SERVICES[service][2], {topics.dlq(t) for t in SERVICES[service][1]}
    assert set(sent) == emitted | dead_letters
    for topic in emitted:
        assert sent[topic]["properties"]["data"]["properties"], topic
        assert sent[topic]["properties"]["specversion"]["const"] == "1.0"
    for topic in dead_letters:
        assert sent[topic]["format"] == "binary"


def test_approval_is_the_only_emitter_of_post_approved() -> None:
    emitters = {s for s in SERVICES if topics.POST_APPROVED in operations(document_of(s), "send")}
    assert emitters == {"approval"}


async def test_an_event_of_a_topic_not_declared_is_not_published() -> None:
    event = envelope(
        TopicCreated(topic_id="t1", user_id="u1", account_id="a1", text="Tea"),
        source="test",
        subject="t1",
    )
    with pytest.raises(RuntimeError, match="not declared"):
        await publish_event(KafkaBroker(), event, key="t1")
