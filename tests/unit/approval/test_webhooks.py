"""Outgoing webhooks, over approval's composition root (`bootstrap.build`), an in-memory
database, the service's own offset clock and a real HTTP receiver on 127.0.0.1: deliveries are
signed as docs/webhooks.md says (its verification snippet is run here), survive a receiver down
for ten minutes and then arrive once each, carry a stable event id, and never go to a private or
loopback address (refused at registration and again at delivery)."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from gatepost_approval.bootstrap import Parts, build
from gatepost_approval.settings import Settings
from gatepost_approval.webhook_endpoints import (
    MAX_ENDPOINTS,
    EndpointRequest,
    Endpoints,
    TooManyEndpoints,
)
from gatepost_approval.webhook_outbox import Retries, WebhookOutbox
from gatepost_approval.webhook_routes import router
from gatepost_approval.webhook_rules import WebhookEvent
from gatepost_common.clock import Clock
from gatepost_common.cloud_event import envelope
from gatepost_common.events import PostMeasured, PostProgressed, PostPublished
from gatepost_common.outbound import FetchFailed, FetchPolicy
from tests.unit.approval.test_approvals import CHOICES, CREATOR, SIGNING_KEY, generated
from tests.unit.asgi import bearer, served
from tests.unit.memory import InterleavedDatabase, MemoryDatabase

DOCS = Path(__file__).parents[3] / "docs" / "webhooks.md"


class Receiver:
    """A webhook receiver on 127.0.0.1 that can go down (its port refuses) and come back."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.port = 0
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def ids(self) -> list[str]:
        return [json.loads(body)["id"] for _, body in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    up = Receiver()
    up.start()
    yield up
    up.stop()


class World:
    """approval built as in production, delivering to 127.0.0.1 (as the local run does), with
    its clock moved through the offset file the test stack uses."""

    def __init__(self, folder: Path) -> None:
        self.clock_file = folder / "clock-offset"
        self.clock_file.write_text("0")
        settings = Settings(
            session_public_key="unused here",
            approval_signing_key=SIGNING_KEY,
            environment="test",
            clock_offset_file=self.clock_file,
            webhook_private_addresses=True,
            webhook_timeout_s=2,
        )
        unused = httpx.AsyncClient(transport=httpx.MockTransport(lambda _: httpx.Response(500)))
        auth = httpx.AsyncClient(
            base_url="http://auth",
            transport=httpx.MockTransport(lambda _: httpx.Response(200, json=CREATOR)),
        )
        self.parts: Parts = build(settings, MemoryDatabase(), self.emit, lambda *_: unused, auth)

    async def emit(self, *_: Any) -> None:
        pass

    def advance(self, seconds: float) -> None:
        self.clock_file.write_text(str(float(self.clock_file.read_text()) + seconds))

    async def register(self, url: str, events: list[str]) -> dict[str, Any]:
        request = EndpointRequest.model_validate({"url": url, "events": events})
        return await self.parts.endpoints.register("u1", request)


def documented_snippet() -> Callable[..., bool]:
    """The verification snippet of docs/webhooks.md, run as a receiver would copy it."""
    text = DOCS.read_text(encoding="utf-8")
    code = re.search(r"<!-- snippet: verify -->\n```python\n(.*?)```", text, re.S)
    assert code is not None, "docs/webhooks.md lost its verification snippet"
    scope: dict[str, Any] = {}
    exec(code.group(1), scope)
    verify: Callable[..., bool] = scope["verify"]
    return verify


async def test_a_delivery_is_verified_by_the_documented_snippet(
    tmp_path: Path, receiver: Receiver
) -> None:
    world = World(tmp_path)
    endpoint = await world.register(receiver.url, ["post.awaiting_approval"])
    await world.parts.approvals.on_post_generated(generated("p1"))
    assert await world.parts.webhooks.send_due() == 1
    [(headers, body)] = receiver.received
    verify = documented_snippet()
    assert verify(endpoint["secret"], headers["gatepost-signature"], body)
    assert not verify(endpoint["secret"], headers["gatepost-signature"], body + b" ")
    assert not verify("whsec_another", headers["gatepost-signature"], body)
    event = json.loads(body)
    assert event["type"] == headers["gatepost-event"] == "post.awaiting_approval"
    assert event["id"] == headers["gatepost-event-id"]
    assert event["data"]["post_id"] == "p1"
    assert event["data"]["link"] == "http://127.0.0.1:8080/#queue?post=p1"


async def test_receiver_down_ten_minutes_then_every_event_arrives_once(
    tmp_path: Path, receiver: Receiver
) -> None:
    world = World(tmp_path)
    await world.register(receiver.url, ["post.awaiting_approval", "post.failed"])
    receiver.stop()  # down: its port refuses connections
    for post_id in ("p1", "p2", "p3"):
        await world.parts.approvals.on_post_generated(generated(post_id))
    outcome = PostPublished(
        post_id="p1", account_id="a1", publish_id="x", status="FAILED", fail_reason="spam_risk"
    )
    await world.parts.approvals.on_post_published(envelope(outcome, source="test", subject="p1"))
    for _ in range(10):  # ten minutes of attempts, a minute apart
        await world.parts.webhooks.send_due()
        world.advance(60)
    assert receiver.received == []
    await world.parts.approvals.on_post_generated(generated("p2"))  # Kafka redelivered it
    receiver.start()  # back, on the same port
    for _ in range(10):
        world.advance(120)
        await world.parts.webhooks.send_due()
    ids = receiver.ids()
    assert len(ids) == 4 and len(set(ids)) == 4
    kinds = sorted(json.loads(body)["type"] for _, body in receiver.received)
    assert kinds == ["post.awaiting_approval"] * 3 + ["post.failed"]
    [failed] = [json.loads(b) for _, b in receiver.received if b"post.failed" in b]
    assert failed["data"]["reason"] == "spam_risk"
    [endpoint] = await world.parts.endpoints.of_user("u1")
    deliveries = await world.parts.webhooks.of_endpoint(endpoint["_id"])
    assert {d["state"] for d in deliveries} == {"delivered"}
    assert all(d["attempts"] > 3 for d in deliveries)
    assert all(d["last_attempts"][-1]["status"] == 204 for d in deliveries)
    assert "could not connect" in deliveries[0]["last_attempts"][0]["result"]


async def test_an_approval_is_announced_once_it_left_through_the_outbox(
    tmp_path: Path, receiver: Receiver
) -> None:
    world = World(tmp_path)
    await world.register(receiver.url, ["post.approved", "post.published"])
    await world.parts.approvals.on_post_generated(generated("p1"))
    await world.parts.approvals.approve("p1", "u1", CHOICES, "session-of-u1")
    outcome = PostPublished(
        post_id="p1",
        account_id="a1",
        publish_id="x",
        status="PUBLISH_COMPLETE",
        link="https://www.tiktok.com/@someone/photo/7400000000000000001",
    )
    await world.parts.approvals.on_post_published(envelope(outcome, source="t", subject="p1"))
    assert await world.parts.webhooks.send_due() == 2
    events = [json.loads(body) for _, body in receiver.received]
    assert [e["type"] for e in events] == ["post.approved", "post.published"]
    assert events[0]["data"]["attempt"] == 1 and events[0]["data"]["account_id"] == "a1"
    assert events[1]["data"]["link"] == outcome.link


async def test_a_link_that_came_later_is_announced_as_its_own_event(
    tmp_path: Path, receiver: Receiver
) -> None:
    world = World(tmp_path)
    await world.register(receiver.url, ["post.published"])
    await world.parts.approvals.on_post_generated(generated("p1"))
    await world.parts.approvals.approve("p1", "u1", CHOICES, "session-of-u1")
    outcome = PostPublished(
        post_id="p1", account_id="a1", publish_id="x", status="PUBLISH_COMPLETE"
    )
    await world.parts.approvals.on_post_published(envelope(outcome, source="t", subject="p1"))
    link = "https://www.tiktok.com/@someone/photo/7400000000000000002"
    live = PostProgressed(
        post_id="p1", account_id="a1", state="live", at=datetime.now(UTC), link=link
    )
    for _ in range(2):  # delivered twice by Kafka: announced once
        await world.parts.approvals.on_post_progressed(envelope(live, source="t", subject="p1"))
    assert await world.parts.webhooks.send_due() == 2
    first, later = [json.loads(body) for _, body in receiver.received]
    assert (first["data"]["status"], first["data"]["link"]) == ("PUBLISH_COMPLETE", None)
    assert (later["data"]["status"], later["data"]["link"]) == ("live", link)
    assert first["type"] == later["type"] == "post.published" and first["id"] != later["id"]


async def test_a_posts_numbers_are_announced_once_per_reading(
    tmp_path: Path, receiver: Receiver
) -> None:
    world = World(tmp_path)
    await world.register(receiver.url, ["post.measured"])
    await world.parts.approvals.on_post_generated(generated("p1"))
    reading = PostMeasured(
        post_id="p1",
        account_id="a1",
        point=2,
        at=datetime.now(UTC),
        views=120,
        likes=9,
        comments=2,
        shares=1,
    )
    event = envelope(reading, source="gatepost/publisher", subject="p1")
    await world.parts.approvals.on_post_measured(event)
    await world.parts.approvals.on_post_measured(event)  # redelivered: the same event
    await world.parts.approvals.on_post_measured(
        envelope(reading.model_copy(update={"point": 3, "views": 300}), source="t", subject="p1")
    )
    assert await world.parts.webhooks.send_due() == 2
    events = [json.loads(body) for _, body in receiver.received]
    assert [(e["type"], e["data"]["views"]) for e in events] == [
        ("post.measured", 120),
        ("post.measured", 300),
    ]
    assert events[0]["data"]["likes"] == 9 and events[0]["id"] != events[1]["id"]


async def test_a_delivery_gives_up_after_a_day(tmp_path: Path, receiver: Receiver) -> None:
    world = World(tmp_path)
    await world.register(receiver.url, ["post.awaiting_approval"])
    receiver.stop()
    await world.parts.approvals.on_post_generated(generated("p1"))
    for _ in range(30):
        await world.parts.webhooks.send_due()
        world.advance(3600)
    receiver.start()
    world.advance(3600)
    await world.parts.webhooks.send_due()
    assert receiver.received == []
    [endpoint] = await world.parts.endpoints.of_user("u1")
    [delivery] = await world.parts.webhooks.of_endpoint(endpoint["_id"])
    assert delivery["state"] == "gave_up"


class Names:
    """A resolver whose answers a test changes (DNS that answers differently later)."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.asked = 0

    async def resolve(self, host: str, port: int) -> list[str]:
        self.asked += 1
        return [self.address]


async def test_a_private_address_is_refused_at_registration_and_at_delivery(
    receiver: Receiver,
) -> None:
    names = Names("10.1.2.3")
    policy = FetchPolicy(resolve=names.resolve)  # production's rules
    db, clock = MemoryDatabase(), Clock()
    endpoints = Endpoints(db, policy, clock)
    outbox = WebhookOutbox(db, endpoints, policy, clock, Retries())
    request = EndpointRequest.model_validate(
        {"url": "https://hooks.example.com/in", "events": ["post.approved"]}
    )
    with pytest.raises(FetchFailed, match="not a public address"):
        await endpoints.register("u1", request)
    for loopback in (receiver.url, f"https://127.0.0.1:{receiver.port}/in"):
        with pytest.raises(FetchFailed):
            await endpoints.register("u1", request.model_copy(update={"url": loopback}))
    names.address = "93.184.215.14"  # public when registered …
    endpoint = await endpoints.register("u1", request)
    names.address = "127.0.0.1"  # … loopback when delivered
    await outbox.announce(WebhookEvent.APPROVED, "u1", "p1", 1, {})
    assert await outbox.send_due() == 1
    [delivery] = await outbox.of_endpoint(endpoint["_id"])
    assert delivery["state"] == "pending"
    assert delivery["last_attempts"][0]["status"] is None
    assert "not a public address" in delivery["last_attempts"][0]["result"]
    assert receiver.received == []


async def test_the_routes_register_list_and_refuse_with_a_reason(
    tmp_path: Path, receiver: Receiver
) -> None:
    world = World(tmp_path)
    strict = Endpoints(MemoryDatabase(), FetchPolicy(resolve=Names("192.168.1.9").resolve), Clock())
    things = {Endpoints: world.parts.endpoints, WebhookOutbox: world.parts.webhooks}
    async with served([router], things) as http:
        made = await http.post(
            "/webhooks",
            json={"url": receiver.url, "events": ["post.awaiting_approval"]},
            headers=bearer("u1"),
        )
        assert made.status_code == 201 and made.json()["secret"].startswith("whsec_")
        await world.parts.approvals.on_post_generated(generated("p1"))
        await world.parts.webhooks.send_due()
        [listed] = (await http.get("/webhooks", headers=bearer("u1"))).json()
        assert "secret" not in listed
        [delivery] = listed["deliveries"]
        assert delivery["state"] == "delivered" and delivery["last_attempts"][0]["status"] == 204
        assert (await http.get("/webhooks", headers=bearer("u2"))).json() == []
        gone = await http.delete(f"/webhooks/{listed['id']}", headers=bearer("u2"))
        assert gone.status_code == 404
        assert (await http.post("/webhooks", json={}, headers={})).status_code == 401
    async with served([router], {**things, Endpoints: strict}) as http:
        refused = await http.post(
            "/webhooks",
            json={"url": "https://intranet.example/in", "events": ["post.approved"]},
            headers=bearer("u1"),
        )
        assert refused.status_code == 422
        assert refused.json() == {
            "detail": "the URL's host 'intranet.example' is not a public address"
        }


async def test_endpoints_registered_at_once_for_the_last_places_never_pass_the_cap() -> None:
    db = InterleavedDatabase()
    endpoints = Endpoints(db, FetchPolicy(resolve=Names("93.184.215.14").resolve), Clock())  # type: ignore[arg-type]
    request = EndpointRequest.model_validate(
        {"url": "https://hooks.example.com/in", "events": ["post.approved"]}
    )
    for _ in range(MAX_ENDPOINTS - 2):
        await endpoints.register("u1", request)

    tried = await asyncio.gather(
        *(endpoints.register("u1", request) for _ in range(8)), return_exceptions=True
    )

    assert all(isinstance(t, TooManyEndpoints) for t in tried if isinstance(t, BaseException))
    kept = len(await endpoints.of_user("u1"))
    made = sum(1 for t in tried if not isinstance(t, BaseException))
    assert kept <= MAX_ENDPOINTS and kept == MAX_ENDPOINTS - 2 + made
    while kept < MAX_ENDPOINTS:
        await endpoints.register("u1", request)
        kept += 1
    with pytest.raises(TooManyEndpoints):
        await endpoints.register("u1", request)
