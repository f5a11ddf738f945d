"""SRE follow one post across every service: a `topic.created` carrying a W3C traceparent (as
another system would send it) is one trace through generation, media and the approval queue; the
person's approval starts a second trace, linked to the first, through the publisher, auth,
TikTok and back. Spans come from the real processes through an OTLP receiver."""

from __future__ import annotations

import json
import secrets
from typing import Any

from gatepost_common.topics import POST_GENERATED, POST_PUBLISHED, TOPIC_CREATED
from gatepost_devstack.outside import (
    APPROVAL,
    collect,
    event_of,
    eventually,
    has,
    produce,
    signed_up,
    topic_created,
)
from gatepost_devstack.stack import Stack


def services_in(stack: Stack, trace_id: str) -> set[str]:
    return {s["service"] for s in stack.spans() if s["trace_id"] == trace_id}


async def test_a_post_is_one_trace_then_a_linked_one(stack: Stack) -> None:
    client, user_id, account_id = signed_up(stack)
    first = secrets.token_hex(16)
    topic_id, value = topic_created(user_id, account_id, "Seed saving for small gardens")
    await produce(
        stack.kafka_bootstrap,
        TOPIC_CREATED,
        value,
        key=topic_id,
        headers={"traceparent": f"00-{first}-{secrets.token_hex(8)}-01"},
    )
    [generated] = await collect(stack.kafka_bootstrap, POST_GENERATED, has("topic_id", topic_id))
    post_id = event_of(generated)["data"]["post_id"]
    assert dict(generated.headers)["traceparent"].decode().split("-")[1] == first
    assert eventually(lambda: client.get(f"/api/approval/posts/{post_id}").status_code == 200)
    client.post(f"/api/approval/posts/{post_id}/approve", json=APPROVAL).raise_for_status()
    [published] = await collect(stack.kafka_bootstrap, POST_PUBLISHED, has("post_id", post_id))

    generation = {"gatepost-generator", "gatepost-media", "gatepost-approval"}
    assert eventually(lambda: generation <= services_in(stack, first), timeout=30), services_in(
        stack, first
    )

    def approval_span() -> dict[str, Any] | None:
        return next(
            (
                s
                for s in stack.spans()
                if s["name"] == "approve post"
                and any(link["trace_id"] == first for link in s["links"])
            ),
            None,
        )

    approve = eventually(approval_span, timeout=30)
    assert approve is not None, "the approval span does not link to the generation trace"
    second = approve["trace_id"]
    assert second != first
    assert dict(published.headers)["traceparent"].decode().split("-")[1] == second
    publishing = {"gatepost-approval", "gatepost-publisher", "gatepost-auth"}
    assert eventually(lambda: publishing <= services_in(stack, second), timeout=30), services_in(
        stack, second
    )
    tiktok_calls = [
        s
        for s in stack.spans()
        if s["trace_id"] == second
        and s["service"] == "gatepost-publisher"
        and "content/init" in json.dumps(s["attributes"])
    ]
    assert tiktok_calls, "the content/init call is not in the publishing trace"
