"""Reviewers are told: posts awaiting a person's approval are mailed to them with a link to the
queue, at most one mail an hour however many posts arrive, and not at all once they turned it
off on their account (auth's route, over its composition root and an in-memory database)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from faststream.kafka import KafkaBroker, TestKafkaBroker

from gatepost_auth.bootstrap import build, review_mail
from gatepost_auth.review_mail import ReviewMail
from gatepost_auth.settings import Settings
from gatepost_auth.user_routes import router
from gatepost_auth.webhooks import RemovedAuthorizations, subscribers
from gatepost_common.cloud_event import CloudEvent, envelope
from gatepost_common.events import PostGenerated
from tests.unit.approval.test_approvals import generated
from tests.unit.asgi import bearer, served
from tests.unit.auth.test_tokens import FakeClock, Outbox, key
from tests.unit.memory import MemoryDatabase


def settings() -> Settings:
    return Settings(
        session_private_key="unused",
        session_public_key="unused",
        token_keys={"k1": key()},
        active_token_key="k1",
        state_secret="s" * 32,
        tiktok_client_key="client",
        tiktok_client_secret="secret",
        tiktok_redirect_uri="https://gatepost.example/callback",
        smtp_url="smtp://mail.example:587",
        public_url="https://gatepost.example",
    )


def of(user_id: str, post_id: str) -> CloudEvent[PostGenerated]:
    event = generated(post_id)
    data = event.data.model_copy(update={"user_id": user_id})
    return envelope(data, source="gatepost/generator", subject=post_id)


async def test_posts_awaiting_approval_are_mailed_at_most_once_an_hour() -> None:
    db, clock, outbox = MemoryDatabase(), FakeClock(), Outbox()
    await db["users"].insert_one({"_id": "u1", "email": "reviewer@example.com"})
    review = ReviewMail(db, outbox, clock, "https://gatepost.example", every_s=3600)
    for post_id in ("p1", "p2", "p3"):
        await review.on_post_generated(of("u1", post_id))
    await review.on_post_generated(of("u1", "p2"))  # redelivered
    assert await review.send_due() == 1
    [mail] = outbox.sent
    assert mail.to == "reviewer@example.com"
    assert mail.subject == "Gatepost: 3 posts await your approval"
    assert "https://gatepost.example/#queue?status=awaiting_approval" in mail.text
    clock.at += timedelta(minutes=10)
    await review.on_post_generated(of("u1", "p4"))
    clock.at += timedelta(minutes=40)
    assert await review.send_due() == 0  # within the hour: it waits
    clock.at += timedelta(minutes=10)
    assert await review.send_due() == 1
    assert outbox.sent[-1].subject == "Gatepost: a post awaits your approval"
    clock.at += timedelta(hours=5)
    assert await review.send_due() == 0  # nothing new: no mail


async def test_a_person_who_turned_it_off_gets_no_mail() -> None:
    db, clock, outbox = MemoryDatabase(), FakeClock(), Outbox()
    auth = build(settings(), db, httpx.AsyncClient(), clock, outbox)
    await auth.users.add("u1", "quiet@example.com", "hash", clock.now())
    await auth.users.add("u2", "told@example.com", "hash", clock.now())
    async with served([router], {type(auth): auth}) as http:
        assert (await http.get("/me/notifications", headers=bearer("u1"))).json() == {
            "review_mail": True
        }
        turned = await http.put(
            "/me/notifications", json={"review_mail": False}, headers=bearer("u1")
        )
        assert turned.status_code == 200
        assert (await http.get("/me/notifications", headers=bearer("u1"))).json() == {
            "review_mail": False
        }
    review = review_mail(settings(), db, outbox)
    review.clock = clock
    await review.on_post_generated(of("u1", "p1"))
    await review.on_post_generated(of("u2", "p2"))
    assert await review.send_due() == 1
    assert [m.to for m in outbox.sent] == ["told@example.com"]


async def test_the_subscriber_notes_a_generated_post_for_its_person() -> None:
    db, clock, outbox = MemoryDatabase(), FakeClock(), Outbox()
    await db["users"].insert_one({"_id": "u1", "email": "reviewer@example.com"})
    review = ReviewMail(db, outbox, clock, "https://gatepost.example")
    auth = build(settings(), db, httpx.AsyncClient(), clock, outbox)
    broker = KafkaBroker()
    subscribers(broker, RemovedAuthorizations(auth.keeper), "auth", review)
    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(of("u1", "p1").model_dump_json().encode(), topic="post.generated")
    assert await review.send_due() == 1
    assert outbox.sent[0].subject == "Gatepost: a post awaits your approval"
