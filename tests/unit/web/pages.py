"""The web UI in Chromium without the stack: web/app's files served from disk and the services'
answers made up (to the shared contract of issue 29), through Playwright's request routing."""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, Route

APP = Path(__file__).parents[3] / "web" / "app"
ORIGIN = "http://gatepost.test"
PUBLIC_ID = "7445218935610482311"  # 19 digits, above 2^53: JSON.parse as a number rounds it
LINK = f"https://www.tiktok.com/@local.creator/photo/{PUBLIC_ID}"
ACCOUNT = "acc-1"
ZONE = "America/New_York"  # the browser's zone: the heatmap is asked in it
# today at 11 AM in the browser's zone (16:00 UTC), the page's clock fixed there: "out today" and
# "this week" are the same days whenever the tests run (at 00:45 in New York, "three hours ago"
# was yesterday)
NOW = datetime.now(UTC).replace(hour=16, minute=0, second=0, microsecond=0)


def next_local(weekday: int, hour: int, weeks: int = 0) -> str:
    """The next time it is `weekday` at `hour` in the browser's zone, as UTC."""
    local = NOW.astimezone(ZoneInfo(ZONE)).replace(minute=0, second=0)
    ahead = (weekday - local.weekday()) % 7 or 7
    found = (local + timedelta(days=ahead + 7 * weeks)).replace(hour=hour)
    return found.astimezone(UTC).isoformat().replace("+00:00", "Z")


def at(hours: float) -> str:
    return (NOW + timedelta(hours=hours)).isoformat().replace("+00:00", "Z")


def series(points: int, views: int) -> list[dict[str, Any]]:
    """Readings that climb and saturate, as the stand-in's do."""
    return [
        {
            "at": at(-48 + 8 * i),
            "views": views * (i + 1) ** 2 // points**2,
            "likes": views * (i + 1) ** 2 // points**2 // 12,
            "comments": views * (i + 1) ** 2 // points**2 // 90,
            "shares": views * (i + 1) ** 2 // points**2 // 150,
        }
        for i in range(points)
    ]


def insight(post_id: str, title: str, **fields: Any) -> dict[str, Any]:
    post: dict[str, Any] = {
        "post_id": post_id,
        "account_id": ACCOUNT,
        "title": title,
        "cover_url": None,
        "link": None,
        "public_id": None,
        "published_at": None,
        "taken_down_at": None,
        "views": None,
        "likes": None,
        "comments": None,
        "shares": None,
        "read_at": None,
        "series": [],
        "no_numbers_reason": None,
    }
    return post | fields


def cover() -> str:
    """A small picture (an SVG, served as the cover of every post)."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="90" height="160">'
        '<rect width="90" height="160" fill="#2b2b33"/>'
        '<circle cx="45" cy="70" r="26" fill="#f9b3c0"/></svg>'
    )


def heatmap() -> list[dict[str, Any]]:
    """168 cells: posts on weekday evenings, the best on Tuesday at 19:00."""
    cells = []
    for weekday in range(7):
        for hour in range(24):
            posts = 0 if hour < 7 else (weekday + hour) % 3
            score = None if not posts else 1000 - 60 * abs(hour - 19) - 40 * abs(weekday - 1)
            cells.append({"weekday": weekday, "hour": hour, "posts": posts, "score": score})
    return cells


@dataclass
class Answers:
    """What each made-up route answers (a test changes what it needs)."""

    posts: list[dict[str, Any]] = field(default_factory=list)
    publications: list[dict[str, Any]] = field(default_factory=list)
    account: dict[str, Any] = field(default_factory=dict)
    awaiting: list[dict[str, Any]] = field(default_factory=list)
    withdraw: tuple[int, dict[str, Any]] = (200, {"status": "withdrawn"})
    budget: dict[str, Any] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    sent: dict[str, Any] = field(default_factory=dict)  # request bodies, by "METHOD path"

    def answer(self, method: str, path: str) -> tuple[int, Any]:
        self.asked.append(f"{method} {path}")
        routes: dict[str, Callable[[], tuple[int, Any]]] = {
            "/api/auth/me": lambda: (200, {"user_id": "u-1", "email": "a@example.com"}),
            "/api/auth/accounts": lambda: (200, [account_view()]),
            "/api/publisher/publications": lambda: (200, self.publications),
            "/api/publisher/insights/posts": lambda: (200, {"posts": self.posts}),
            f"/api/publisher/insights/accounts/{ACCOUNT}": lambda: (200, self.account),
            f"/api/publisher/accounts/{ACCOUNT}/budget": lambda: (200, self.budget),
            "/api/approval/posts": lambda: (200, self.awaiting),
        }
        if path == "/api/approval/posts/p-wait":
            return 200, waiting_post()
        if path == "/api/approval/posts/p-wait/approve":
            return 202, {"post_id": "p-wait", "status": "approved"}
        if path == f"/api/auth/accounts/{ACCOUNT}/creator-info":
            return 200, CREATOR
        if path == "/api/approval/posting-page":
            return 200, POSTING_RULES
        if path.startswith("/api/publisher/insights/posts/"):
            wanted = path.rsplit("/", 1)[1]
            found = [p for p in self.posts if p["post_id"] == wanted]
            return (200, found[0]) if found else (404, {"detail": "No such post."})
        if path.endswith("/withdraw") and method == "POST":
            return self.withdraw
        if path in routes:
            return routes[path]()
        return 404, {"detail": f"not made up: {path}"}


def account_view() -> dict[str, Any]:
    return {
        "account_id": ACCOUNT,
        "display_name": "Local Creator",
        "avatar_url": "",
        "status": "active",
    }


CREATOR = {
    "creator_nickname": "Local Creator",
    "creator_username": "local.creator",
    "creator_avatar_url": "",
    "privacy_level_options": ["PUBLIC_TO_EVERYONE", "SELF_ONLY"],
    "comment_disabled": False,
    "duet_disabled": False,
    "stitch_disabled": False,
    "max_video_post_duration_sec": 600,
    "posting_blocked": None,
}
POSTING_RULES = {
    "agreements": ["music_usage_confirmation"],
    "branded_offered": True,
    "can_post": True,
    "comment_offered": True,
    "duet_offered": True,
    "stitch_offered": True,
    "exclusion": None,
    "label": None,
    "private_offered": True,
    "problem": None,
}


def waiting_post() -> dict[str, Any]:
    """A post awaiting approval, as approval shows it."""
    return {
        "post_id": "p-wait",
        "account_id": ACCOUNT,
        "title": "Three ways to fold a shirt",
        "caption": "Fold it once, fold it right.",
        "hashtags": ["#laundry", "#tips", "#home"],
        "status": "awaiting_approval",
        "ai_generated": True,
        "media_type": "PHOTO",
        "origin": "generated",
        "revision": 1,
        "cover_index": 0,
        "slides": [
            {"index": i, "image_url": "/cover.svg", "text": f"Step {i + 1}"} for i in range(3)
        ],
        "history": [],
    }


def standard_answers() -> Answers:
    readings = series(7, 48210)
    live = insight(
        "post-live",
        "Five habits of calm mornings",
        cover_url="/cover.svg",
        link=LINK,
        public_id=PUBLIC_ID,
        published_at=at(-50),
        read_at=at(-1),
        series=readings,
        **{k: v for k, v in readings[-1].items() if k != "at"},  # the latest reading
    )
    private = insight(
        "post-private",
        "Balcony tomatoes for beginners",
        cover_url="/cover.svg",
        published_at=at(-3),
        no_numbers_reason="This post is private (Only me): TikTok gives numbers only for public "
        "posts.",
    )
    down = insight(
        "post-down",
        "Window herbs, part 2",
        cover_url="/cover.svg",
        link="https://www.tiktok.com/@local.creator/photo/7445218935610400000",
        public_id="7445218935610400000",
        published_at=at(-30),
        taken_down_at=at(-5),
        series=series(4, 920),
        **{k: v for k, v in series(4, 920)[-1].items() if k != "at"},
    )
    gone = insight(
        "post-gone",
        "Cold brew at home",
        cover_url="/expired-cover.jpg",
        published_at=at(-80),
        no_numbers_reason="TikTok did not return this post.",
    )
    job = {"account_id": ACCOUNT, "attempt": 1, "post_ids": [], "media_type": "PHOTO"}
    return Answers(
        posts=[private, down, live, gone],
        publications=[
            job
            | {
                "post_id": "post-soon",
                "title": "Repotting a monstera",
                "status": "queued",
                "due_at": at(20),
            },
            job
            | {"post_id": "post-private", "title": private["title"], "status": "PUBLISH_COMPLETE"},
            job
            | {
                "post_id": "post-down",
                "title": down["title"],
                "status": "PUBLISH_COMPLETE",
                "post_ids": [down["public_id"]],
            },
            job
            | {
                "post_id": "post-failed",
                "title": "Sourdough in 5 steps",
                "status": "FAILED",
                "fail_reason": "TikTok says the picture's domain is not verified.",
            },
            job
            | {
                "post_id": "post-live",
                "title": live["title"],
                "status": "PUBLISH_COMPLETE",
                "post_ids": [PUBLIC_ID],
            },
            job | {"post_id": "post-gone", "title": gone["title"], "status": "PUBLISH_COMPLETE"},
        ],
        account={
            "account_id": ACCOUNT,
            "followers": 15230,
            "likes_total": 402113,
            "video_count": 87,
            "views_total": 49130,
            "posts_with_numbers": 2,
            "heatmap": heatmap(),
            "suggestions": [
                {"at": next_local(1, 19), "weekday": 1, "hour": 19, "confidence": 0.78},
                {"at": next_local(3, 18), "weekday": 3, "hour": 18, "confidence": 0.55},
            ],
            "suggestion_basis": "own_posts",
            "suggestion_note": "From 24 of this account's posts.",
            "no_numbers_reason": None,
        },
        awaiting=[],
        budget={
            "account_id": ACCOUNT,
            "daily_cap": 15,
            "posts_24h": 2,
            "posts_left": 13,
            "next_post_place_at": at(10),
            "drafts_24h": 0,
            "drafts_left": 5,
            "inbox_cap": 5,
            "init_per_minute": 6,
            "next_draft_place_at": None,
            "app": {
                "audited": False,
                "creator_cap": 5,
                "creators_24h": 3,
                "creators_left": 2,
                "next_creator_place_at": None,
            },
            "creator_counted": False,
        },
    )


@pytest.fixture
def answers() -> Answers:
    return standard_answers()


@pytest.fixture
def app_page(browser: Browser, answers: Answers) -> Iterator[Page]:
    """A page of the web UI whose services answer what `answers` holds."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id=ZONE, locale="en-US"
    )

    def serve(route: Route) -> None:
        request = route.request
        path = request.url.removeprefix(ORIGIN).split("?")[0].split("#")[0]
        if path.startswith("/api/"):
            if request.post_data:
                answers.sent[f"{request.method} {path}"] = json.loads(request.post_data)
            status, body = answers.answer(request.method, path)
            route.fulfill(status=status, content_type="application/json", body=json.dumps(body))
        elif path == "/expired-cover.jpg":
            route.fulfill(status=404, content_type="text/plain", body="gone")
        elif path == "/cover.svg":
            route.fulfill(status=200, content_type="image/svg+xml", body=cover())
        else:
            file = APP / (path.lstrip("/") or "index.html")
            file = file if file.is_file() else APP / "index.html"
            kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            kind = "text/javascript" if file.suffix == ".js" else kind
            route.fulfill(status=200, content_type=kind, body=file.read_bytes())

    context.route("**/*", serve)
    page = context.new_page()
    page.clock.set_fixed_time(NOW)
    yield page
    context.close()
