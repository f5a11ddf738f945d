"""Approval's use cases through its composition root (`bootstrap.build`), over an in-memory
database, a list for Kafka and auth answered by a mock transport: a post is queued once, approved
once with a signed event that leaves through the outbox even after Kafka refused it, refused
without a trace when TikTok's fresh creator_info says no, published again as a new attempt, and
its timeline kept. The subscribers are driven by FastStream's in-memory test broker."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker

from gatepost_approval.bootstrap import Parts, build
from gatepost_approval.domain import ApprovalChoices, ApprovalRefused
from gatepost_approval.entrypoints import subscribers
from gatepost_approval.handlers import AlreadyDecided, NotFailed
from gatepost_approval.settings import Settings
from gatepost_approval.slides import PostChanged, Revised
from gatepost_common import signing
from gatepost_common.cloud_event import CloudEvent, envelope
from gatepost_common.events import PostApproved, PostGenerated, PostProgressed, PostPublished, Slide
from tests.unit.memory import MemoryDatabase

SIGNING_KEY, PUBLIC_KEY = signing.generate_keypair()
CREATOR = {
    "creator_nickname": "Balcony Gardener",
    "privacy_level_options": ["PUBLIC_TO_EVERYONE", "SELF_ONLY"],
    "comment_disabled": False,
    "max_video_post_duration_sec": 300,
}
CHOICES = ApprovalChoices(privacy_level="SELF_ONLY", music_usage_consent=True, revision=0)


class World:
    """The approval service's use cases with everything around them in memory."""

    def __init__(self, creator: dict[str, Any] | None = None) -> None:
        self.creator = dict(creator or CREATOR)
        self.emitted: list[CloudEvent[Any]] = []
        self.kafka_down = False
        settings = Settings(session_public_key="unused here", approval_signing_key=SIGNING_KEY)
        auth = httpx.AsyncClient(
            base_url="http://auth", transport=httpx.MockTransport(self.auth_answers)
        )
        unused = httpx.AsyncClient(transport=httpx.MockTransport(lambda _: httpx.Response(500)))
        self.parts: Parts = build(settings, MemoryDatabase(), self.emit, lambda *_: unused, auth)
        self.approvals = self.parts.approvals

    def auth_answers(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == "Bearer session-of-u1"  # the person's own
        return httpx.Response(200, json=self.creator)

    async def emit(self, event: CloudEvent[Any], key: str) -> None:
        if self.kafka_down:
            raise TimeoutError("Kafka did not acknowledge")
        self.emitted.append(event)

    async def post(self, post_id: str) -> dict[str, Any]:
        found = await self.parts.posts.get(post_id, "u1")
        assert found is not None
        return found


def generated(post_id: str = "p1") -> CloudEvent[PostGenerated]:
    slides = [
        Slide(
            index=i,
            prompt=f"picture {i}",
            text=f"words {i}",
            image_url=f"https://media.example/{i:064x}.jpg",
            sha256=f"{i:064x}",
        )
        for i in range(7)
    ]
    data = PostGenerated(
        post_id=post_id,
        topic_id="t1",
        user_id="u1",
        account_id="a1",
        language="en",
        title="Five herbs for a balcony",
        caption="Grow them 🌿",
        hashtags=["#herbs", "#balcony", "#garden"],
        slides=slides,
        model="gpt-test",
    )
    return envelope(data, source="gatepost/generator", subject=post_id)


async def queued(world: World, post_id: str = "p1") -> None:
    await world.approvals.on_post_generated(generated(post_id))


async def test_a_generated_post_delivered_twice_is_queued_once_through_the_subscriber() -> None:
    world = World()
    broker = KafkaBroker()
    subscribers(broker, world.approvals)
    async with TestKafkaBroker(broker) as test_broker:
        body = generated().model_dump_json().encode()
        await test_broker.publish(body, topic="post.generated")
        await test_broker.publish(body, topic="post.generated")
    posts = await world.parts.posts.for_user("u1", None, 10, 0)
    assert [(p["_id"], p["status"], p["approved_at"]) for p in posts] == [
        ("p1", "awaiting_approval", None)
    ]


async def test_an_approval_is_signed_emitted_once_and_a_second_is_refused() -> None:
    world = World()
    await queued(world)
    await world.approvals.approve("p1", "u1", CHOICES, "session-of-u1")
    [event] = world.emitted
    approved = event.data
    assert isinstance(approved, PostApproved)
    assert signing.verify(PUBLIC_KEY, approved.signed_data())
    assert approved.photo_urls == [f"https://media.example/{i:064x}.jpg" for i in range(7)]
    assert approved.description == "Grow them 🌿\n\n#herbs #balcony #garden"
    post = await world.post("p1")
    assert post["status"] == "approved" and post["outbox_pending"] is False
    assert [m["state"] for m in post["history"]] == ["approved"]
    with pytest.raises(AlreadyDecided):
        await world.approvals.approve("p1", "u1", CHOICES, "session-of-u1")
    assert len(world.emitted) == 1


@pytest.mark.parametrize(
    ("creator", "says"),
    [
        ({**CREATOR, "privacy_level_options": ["PUBLIC_TO_EVERYONE"]}, "not offered"),
        ({**CREATOR, "posting_blocked": "spam_risk_user_banned_from_posting"}, "cannot post"),
    ],
)
async def test_fresh_creator_info_refuses_and_nothing_changes(
    creator: dict[str, Any], says: str
) -> None:
    world = World(creator)
    await queued(world)
    with pytest.raises(ApprovalRefused, match=says):
        await world.approvals.approve("p1", "u1", CHOICES, "session-of-u1")
    assert world.emitted == []
    assert (await world.post("p1"))["status"] == "awaiting_approval"


async def test_an_approval_of_a_post_changed_since_it_was_seen_is_refused() -> None:
    world = World()
    await queued(world)
    await world.parts.posts.revise("p1", "u1", 0, {"caption": "Changed in another tab"})
    with pytest.raises(PostChanged):
        await world.approvals.approve("p1", "u1", CHOICES, "session-of-u1")
    assert world.emitted == []


async def test_an_approval_kafka_refused_leaves_through_the_outbox_once() -> None:
    world = World()
    await queued(world)
    world.kafka_down = True
    await world.approvals.approve("p1", "u1", CHOICES, "session-of-u1")  # stored: it will go
    assert world.emitted == [] and (await world.post("p1"))["outbox_pending"] is True
    world.kafka_down = False
    await world.parts.posts.posts.update_one(  # the failed attempt's claim has run out
        {"_id": "p1"}, {"$set": {"outbox_claimed_until": datetime.now(UTC) - timedelta(1)}}
    )
    assert await world.parts.outbox.flush() == 1
    assert await world.parts.outbox.flush() == 0
    assert [e.data.post_id for e in world.emitted] == ["p1"]


def outcome(status: str, attempt: int, reason: str | None = None) -> CloudEvent[PostPublished]:
    data = PostPublished(
        post_id="p1",
        account_id="a1",
        publish_id="pub",
        status=status,  # type: ignore[arg-type]
        fail_reason=reason,
        attempt=attempt,
        retryable=reason is not None,
    )
    return envelope(data, source="gatepost/publisher", subject="p1")


async def test_a_failed_post_goes_again_and_a_late_word_of_its_first_attempt_is_ignored() -> None:
    world = World()
    await queued(world)
    with pytest.raises(NotFailed):  # only a failed post
        await world.approvals.approve("p1", "u1", CHOICES, "session-of-u1", again=True)
    await world.approvals.approve("p1", "u1", CHOICES, "session-of-u1")
    await world.approvals.on_post_published(outcome("FAILED", 1, "TikTok had an internal error"))
    assert (await world.post("p1"))["status"] == "failed"
    await world.approvals.approve("p1", "u1", CHOICES, "session-of-u1", again=True)
    assert [e.data.attempt for e in world.emitted] == [1, 2]
    await world.approvals.on_post_published(outcome("FAILED", 1, "a late duplicate"))
    live = outcome("PUBLISH_COMPLETE", 2)
    await world.approvals.on_post_published(live)
    await world.approvals.on_post_published(live)  # the same event, delivered again
    post = await world.post("p1")
    assert (post["status"], post["attempt"]) == ("published", 2)
    steps = [(m["state"], m["attempt"]) for m in post["history"]]
    assert steps == [("approved", 1), ("failed", 1), ("approved", 2), ("published", 2)]


async def test_an_approval_signs_each_photos_sha256_as_media_stored_it() -> None:
    world = World()
    await queued(world)
    await world.approvals.approve("p1", "u1", CHOICES, "session-of-u1")
    approved = world.emitted[0].data
    assert approved.photo_sha256 == [f"{i:064x}" for i in range(7)]
    assert signing.verify(PUBLIC_KEY, approved.signed_data())
    swapped = approved.model_copy(update={"photo_sha256": [f"{9:064x}"] * 7})
    assert not signing.verify(PUBLIC_KEY, swapped.signed_data()), "the hashes are signed"


def test_an_approval_signed_before_photos_were_pinned_still_verifies() -> None:
    data = {
        "post_id": "p1",
        "user_id": "u1",
        "account_id": "a1",
        "approved_at": "2026-11-23T12:00:00Z",
        "approved_by": "u1",
        "title": "t",
        "description": "d",
        "photo_urls": ["https://media.example/1.jpg"],
        "cover_index": 0,
        "options": {"privacy_level": "SELF_ONLY", "disable_comment": False},
    }
    old = PostApproved.model_validate({**data, "signature": ""})
    signed = {**data, "signature": signing.sign(SIGNING_KEY, old.signed_data())}
    assert "photo_sha256" not in old.signed_data()  # as v1 signed it
    assert signing.verify(PUBLIC_KEY, PostApproved.model_validate(signed).signed_data())


async def test_a_withdrawn_post_shows_as_withdrawn_and_may_be_approved_again() -> None:
    world = World()
    await queued(world)
    await world.approvals.approve("p1", "u1", CHOICES, "session-of-u1")
    await world.approvals.on_post_published(outcome("WITHDRAWN", 1))
    post = await world.post("p1")
    assert post["status"] == "withdrawn" and post["history"][-1]["state"] == "withdrawn"
    await world.approvals.approve("p1", "u1", CHOICES, "session-of-u1", again=True)
    assert [e.data.attempt for e in world.emitted] == [1, 2]
    assert (await world.post("p1"))["status"] == "approved"


async def test_an_older_word_of_the_publisher_joins_the_timeline_but_not_the_status() -> None:
    world = World()
    await queued(world)
    await world.approvals.approve("p1", "u1", CHOICES, "session-of-u1")
    now = datetime.now(UTC)

    def word(state: str, at: datetime, reason: str | None = None) -> CloudEvent[PostProgressed]:
        data = PostProgressed(post_id="p1", account_id="a1", state=state, at=at, reason=reason)  # type: ignore[arg-type]
        return envelope(data, source="gatepost/publisher", subject="p1")

    await world.approvals.on_post_progressed(word("processing", now))
    await world.approvals.on_post_progressed(word("waiting", now - timedelta(seconds=5), "cap"))
    post = await world.post("p1")
    assert post["progress"]["state"] == "processing"
    assert {m["state"] for m in post["history"]} == {"approved", "processing", "waiting"}
    assert json.dumps([m["state"] for m in post["history"]])  # kept as plain documents


async def test_the_queue_is_filtered_by_language_and_lists_its_languages() -> None:
    world = World()
    for post_id, language in [("p1", "en"), ("p2", "fr"), ("p3", "fr")]:
        event = generated(post_id)
        french = event.data.model_copy(update={"language": language})
        await world.approvals.on_post_generated(envelope(french, source="g", subject=post_id))
    french = await world.parts.posts.for_user("u1", None, 10, 0, language="fr")
    assert sorted(p["_id"] for p in french) == ["p2", "p3"]
    assert await world.parts.posts.languages("u1") == ["en", "fr"]
    assert await world.parts.posts.languages("someone else") == []


class Redrawing(World):
    """The slide editor's services answering: auth says the account's shape is now 9:16, the
    generator draws in the shape it is asked for, media composes."""

    def __init__(self) -> None:
        super().__init__()
        self.asked_shapes: list[str] = []
        settings = Settings(session_public_key="unused here", approval_signing_key=SIGNING_KEY)
        auth = httpx.AsyncClient(
            base_url="http://auth", transport=httpx.MockTransport(self.auth_answers)
        )

        def calls(service: str, url: str, timeout: float) -> httpx.AsyncClient:
            return httpx.AsyncClient(base_url=url, transport=httpx.MockTransport(self.answer))

        self.parts = build(settings, MemoryDatabase(), self.emit, calls, auth)
        self.approvals = self.parts.approvals

    def answer(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/style"):
            return httpx.Response(200, json={"format": "1080x1920"})
        if request.url.path == "/internal/illustrations":
            self.asked_shapes.append(json.loads(request.content)["format"])
            return httpx.Response(201, json={"url": "https://m/new.jpg", "sha256": "e" * 64})
        if request.url.path == "/internal/slides":
            return httpx.Response(201, json={"url": "https://m/slide.jpg", "sha256": "f" * 64})
        return httpx.Response(404)


async def test_a_slide_drawn_again_keeps_the_shape_its_post_was_drawn_in() -> None:
    """The account switched to full-screen slides while a square post waited: a new picture
    for one of its slides is square still (a carousel of mixed shapes would be posted)."""
    world = Redrawing()
    square = generated().data
    slides = [s.model_copy(update={"illustration_sha256": "d" * 64}) for s in square.slides]
    data = square.model_copy(update={"slides": slides, "slide_format": "1080x1080"})
    await world.approvals.on_post_generated(
        envelope(data, source="gatepost/generator", subject="p1")
    )
    post = await world.post("p1")
    await world.parts.approvals.editor.redraw(post, 2, Revised(revision=0))
    assert world.asked_shapes == ["1080x1080"]
    redrawn = await world.post("p1")
    assert redrawn["slides"][2]["illustration_sha256"] == "e" * 64
