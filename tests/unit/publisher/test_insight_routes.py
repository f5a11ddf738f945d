"""The insights routes over the publisher's own flow (fakes for TikTok and auth, the live links
and numbers in an in-memory MongoDB): the 19-digit public id reaches the API as the exact string
and link, a taken-down post shows its time, and a post without numbers says plainly why."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any, cast

import httpx

from gatepost_common.ratelimit import RateLimiter
from gatepost_publisher.collecting import Collector
from gatepost_publisher.entrypoints import router as publication_routes
from gatepost_publisher.insight_routes import router as insight_routes
from gatepost_publisher.insight_store import InsightStore
from gatepost_publisher.insights import Insights
from gatepost_publisher.jobs import MongoJobRepository
from gatepost_publisher.lifecycle import Job
from gatepost_publisher.livestore import LiveStore
from gatepost_publisher.reading_plan import DISABLED, SCOPE_MISSING, SELF_ONLY, UNAUDITED
from gatepost_publisher.webhooks import WebhookInbox
from tests.unit.asgi import bearer, served
from tests.unit.memory import MemoryDatabase
from tests.unit.publisher.fakes import World, world
from tests.unit.publisher.test_collecting import StrictDisplay, Tokens
from tests.unit.publisher.test_live_link import BIG_ID, tiktok_status_answer

LINK = f"https://www.tiktok.com/@_/photo/{BIG_ID}"


class UsersJobs:
    """The job store's reads for a person, over the fake jobs."""

    def __init__(self, w: World) -> None:
        self.w = w

    async def for_user(self, user_id: str, limit: int = 100) -> list[Job]:
        docs = [d for d in self.w.jobs.docs.values() if d["approved"]["user_id"] == user_id]
        return cast(list[Job], docs[:limit])

    async def owns_account(self, user_id: str, account_id: str) -> bool:
        return any(j["account_id"] == account_id for j in await self.for_user(user_id))


async def published(w: World, public_ids: list[int], **approved: Any) -> None:
    await w.approve(**approved)
    await w.step()
    ids = ",".join(str(i) for i in public_ids)
    raw = (
        '{"data":{"status":"PUBLISH_COMPLETE","publicaly_available_post_id":[' + ids + "]},"
        '"error":{"code":"ok","message":"","log_id":"x"}}'
    )
    w.calls.then("status_fetch", await tiktok_status_answer(raw))
    w.clock.advance(60)
    await w.step()


def client(w: World) -> httpx.AsyncClient:
    live, store = LiveStore(cast(Any, w.db)), InsightStore(cast(Any, w.db))
    jobs = UsersJobs(w)
    return served(
        [insight_routes, publication_routes],
        {
            Insights: Insights(w.settings, jobs, live, store, w.clock),
            LiveStore: live,
            MongoJobRepository: jobs,
        },
    )


async def collect(w: World, display: StrictDisplay) -> None:
    live, store = LiveStore(cast(Any, w.db)), InsightStore(cast(Any, w.db))
    limiter = RateLimiter(cast(Any, w.db), w.clock)
    await Collector(w.settings, live, store, Tokens(), display, limiter, w.clock).collect()


async def test_the_19_digit_public_id_reaches_the_api_as_the_exact_string_and_link() -> None:
    w = world(insights_enabled=True)
    await published(w, [int(BIG_ID)])
    w.clock.advance(3600)
    await collect(w, StrictDisplay(w.clock))
    async with client(w) as api:
        answer = await api.get("/insights/posts", headers=bearer("user-1"))
        publications = await api.get("/publications", headers=bearer("user-1"))
        exported = await api.get("/insights/export.csv", headers=bearer("user-1"))
    assert f'"public_id":"{BIG_ID}"' in answer.text  # a JSON string, never a number
    [post] = answer.json()["posts"]
    assert post["link"] == LINK and post["no_numbers_reason"] is None
    # the approved cover as media hosts it, not TikTok's signed cover URL that expires
    assert post["cover_url"] == "https://media.example/p/1.jpg"
    assert post["views"] == int(BIG_ID[-4:]) and len(post["series"]) == 1
    [publication] = publications.json()
    assert publication["public_id"] == BIG_ID and publication["link"] == LINK
    assert exported.headers["content-type"].startswith("text/csv")
    [header, row] = list(csv.reader(io.StringIO(exported.text)))
    assert header == [
        "post_id",
        "account_id",
        "public_id",
        "link",
        "at",
        "views",
        "likes",
        "comments",
        "shares",
    ]
    assert row[:4] == ["post-1", "account-1", BIG_ID, LINK]


async def test_a_taken_down_post_shows_when() -> None:
    w = world(insights_enabled=True)
    await published(w, [int(BIG_ID)])
    inbox = WebhookInbox(
        cast(Any, MemoryDatabase()),
        cast(Any, w.jobs),
        w.parts.following,
        w.audit,
        w.clock,
        w.parts.live,
    )
    w.clock.advance(600)
    content = {"publish_id": w.job()["publish_id"], "post_id": BIG_ID}
    await inbox.apply_event("post.publish.no_longer_publicaly_available", content)
    async with client(w) as api:
        post = (await api.get("/insights/posts/post-1", headers=bearer("user-1"))).json()
        [publication] = (await api.get("/publications", headers=bearer("user-1"))).json()
    taken_down = w.clock.now().isoformat().replace("+00:00", "")
    assert post["taken_down_at"].startswith(taken_down)
    assert publication["taken_down_at"] == post["taken_down_at"]


async def test_an_account_that_did_not_grant_the_scope_is_told_why() -> None:
    w = world(insights_enabled=True)
    await published(w, [int(BIG_ID)])
    w.clock.advance(3600)
    await collect(w, StrictDisplay(w.clock, without_scope={"token-account-1"}))
    async with client(w) as api:
        post = (await api.get("/insights/posts/post-1", headers=bearer("user-1"))).json()
    assert post["views"] is None and post["no_numbers_reason"] == SCOPE_MISSING


async def test_a_self_only_post_and_an_unaudited_app_are_told_why() -> None:
    w = world(insights_enabled=True)
    options = {"privacy_level": "SELF_ONLY", "disable_comment": False}
    await published(w, [], options=options)
    async with client(w) as api:
        post = (await api.get("/insights/posts/post-1", headers=bearer("user-1"))).json()
    assert post["public_id"] is None and post["no_numbers_reason"] == SELF_ONLY
    unaudited = world(insights_enabled=True, tiktok_app_audited=False)
    await published(unaudited, [], options=options)
    async with client(unaudited) as api:
        post = (await api.get("/insights/posts/post-1", headers=bearer("user-1"))).json()
    assert post["no_numbers_reason"] == UNAUDITED
    off = world()
    await published(off, [int(BIG_ID)])
    async with client(off) as api:
        post = (await api.get("/insights/posts/post-1", headers=bearer("user-1"))).json()
    assert post["no_numbers_reason"] == DISABLED and post["public_id"] == BIG_ID


async def test_an_accounts_heatmap_and_slots_are_the_persons_only() -> None:
    w = world(insights_enabled=True)
    await published(w, [int(BIG_ID)])
    async with client(w) as api:
        mine = await api.get(
            "/insights/accounts/account-1?tz=Europe/Berlin", headers=bearer("user-1")
        )
        theirs = await api.get("/insights/accounts/account-1", headers=bearer("user-2"))
        bad_zone = await api.get(
            "/insights/accounts/account-1?tz=Mars/Base", headers=bearer("user-1")
        )
        other_post = await api.get("/insights/posts/post-1", headers=bearer("user-2"))
    assert theirs.status_code == 404 and other_post.status_code == 404
    assert bad_zone.status_code == 422
    found = mine.json()
    assert len(found["heatmap"]) == 168 and found["suggestion_basis"] == "default"
    assert 1 <= len(found["suggestions"]) <= 3 and found["posts_with_numbers"] == 0
    for slot in found["suggestions"]:
        at = datetime.fromisoformat(slot["at"].replace("Z", "+00:00"))
        assert w.clock.now() < at < w.clock.now() + timedelta(days=8)
