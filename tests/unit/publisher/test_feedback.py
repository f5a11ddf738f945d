"""What worked, fed back: hook styles and topic words, which earlier posts are similar and how
they did, and the opt-in respected by the summaries and the generator's style examples (the
publisher's own flow over fakes, numbers from a strict video/query)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, cast

import httpx

from gatepost_common.access import SERVICE_TOKEN_HEADER, CallerKeys, service_token
from gatepost_common.signing import generate_keypair
from gatepost_publisher.feedback import INSIGHTS_OFF, NOT_OPTED_IN, Feedback
from gatepost_publisher.feedback_routes import internal, router
from gatepost_publisher.insight_store import InsightStore
from gatepost_publisher.insights import Insights
from gatepost_publisher.livestore import LiveStore
from gatepost_publisher.similar import (
    EarlierPost,
    Likeness,
    best_titles,
    hook_style,
    recurring_words,
    similar,
    summary,
    topic_words,
)
from tests.unit.asgi import bearer, served
from tests.unit.publisher.fakes import World, world
from tests.unit.publisher.test_collecting import StrictDisplay
from tests.unit.publisher.test_insight_routes import UsersJobs, collect, published

KEYS = {name: generate_keypair() for name in ("generator", "approval")}
# video/query's stand-in in these tests reads a post's views from its id's last four digits
BASE = 7_300_000_000_000_000_000


def test_a_titles_hook_style_is_how_to_question_number_or_statement() -> None:
    assert hook_style("How to keep basil alive") == "how_to"
    assert hook_style("Cómo ahorrar en la compra?") == "how_to"
    assert hook_style("¿Por qué se cae el pelo") == "question"
    assert hook_style("Is coffee bad for you?") == "question"
    assert hook_style("5 errores al regar") == "number"
    assert hook_style("Basil loves the sun") == "statement"


def test_topic_words_are_letters_of_four_or_more_hashtags_included() -> None:
    assert topic_words("5 trucos para el #Jardín", "de la casa") == {
        "trucos",
        "para",
        "jardín",
        "casa",
    }


def post(
    post_id: str, title: str, views: int, language: str = "es", words: str = ""
) -> EarlierPost:
    return EarlierPost(post_id, title, language, topic_words(title, words), views, f"l/{post_id}")


def test_similar_posts_share_language_and_hook_and_on_topic_ones_come_first() -> None:
    earlier = [
        post("a", "¿Sabías esto del café?", 900),
        post("b", "¿Por qué riegas mal tus plantas?", 4000, words="#plantas"),
        post("c", "¿Qué comen los gatos?", 1200),
        post("d", "5 plantas fáciles", 9000),  # a number hook
        post("e", "Why do plants droop?", 7000, language="en"),
    ]
    like = Likeness("es", "question", topic_words("¿Cuánta agua necesitan las plantas?"))
    found = similar(like, earlier)
    assert [p.post_id for p in found] == ["b", "c", "a"]
    told = summary(like, found)
    assert told is not None
    assert (told.count, told.on_topic, told.median_views, told.best.post_id) == (3, 1, 1200, "b")
    assert summary(like, []) is None


def test_words_in_most_of_the_accounts_posts_are_no_topic() -> None:
    titles = ["Nobody tells you: basil", "Nobody tells you: mint", "Nobody tells you: sage"]
    recurring = recurring_words([topic_words(t) for t in titles])
    assert recurring == {"nobody", "tells"}
    assert recurring_words([topic_words(titles[0])]) == frozenset()  # one post: nothing recurs


def test_best_titles_are_the_most_viewed_in_the_language_each_once() -> None:
    earlier = [
        post("a", "Uno", 10),
        post("b", "Dos", 500),
        post("c", "Dos", 400),
        post("d", "Three", 9000, language="en"),
        post("e", "Cuatro", 300),
    ]
    assert [p.post_id for p in best_titles(earlier, "es", 2)] == ["b", "e"]


@dataclass
class Switch:
    """auth's answer about the person's accounts: which of theirs learn from their posts."""

    on: set[tuple[str, str]] = field(default_factory=set)
    asked: list[str] = field(default_factory=list)

    async def learns_from_posts(self, user_id: str, account_id: str) -> bool:
        self.asked.append(account_id)
        return (user_id, account_id) in self.on


def client(w: World, switch: Switch) -> httpx.AsyncClient:
    live, store = LiveStore(cast(Any, w.db)), InsightStore(cast(Any, w.db))
    insights = Insights(w.settings, UsersJobs(w), live, store, w.clock)
    callers = CallerKeys("publisher", {name: pair[1] for name, pair in KEYS.items()})
    return served([router, internal], {Feedback: Feedback(insights, switch), CallerKeys: callers})


def signed_as(service: str, path: str) -> dict[str, str]:
    token = service_token(
        KEYS[service][0], service, "publisher", time.time(), method="GET", path=path
    )
    return {SERVICE_TOKEN_HEADER: token}


async def three_spanish_posts(w: World) -> None:
    """Two Spanish question hooks (1,200 and 3,400 views) and a number hook (9,000), read."""
    for n, (title, views) in enumerate(
        [("¿Sabes regar?", 1200), ("¿Qué plantas aguantan sombra?", 3400), ("5 plantas", 9000)]
    ):
        await published(w, [BASE + views], post_id=f"p{n}", title=title, language="es")
    w.clock.advance(3600)
    await collect(w, StrictDisplay(w.clock))


ASK = {
    "key": "new",
    "account_id": "account-1",
    "language": "es",
    "title": "¿Plantas que aguantan sol?",
}


async def test_an_opted_in_account_sees_how_similar_posts_did() -> None:
    w = world(insights_enabled=True)
    await three_spanish_posts(w)
    async with client(w, Switch({("user-1", "account-1")})) as api:
        # the second: a published post (a library topic's) is not compared with itself
        asks = {"items": [ASK, {**ASK, "key": "topic-1", "post_id": "p1"}]}
        answer = await api.post("/insights/similar", json=asks, headers=bearer("user-1"))
    found, itself = answer.json()["summaries"]
    assert (itself["count"], itself["best"]["post_id"]) == (1, "p0")
    # "plantas" is in two of the account's three posts: no topic; "aguantan" is
    assert found["state"] == "shown" and found["hook"] == "question"
    assert (found["count"], found["on_topic"], found["median_views"]) == (2, 1, 2300)
    assert found["best"]["title"] == "¿Qué plantas aguantan sombra?"
    assert found["best"]["views"] == 3400 and found["best"]["link"].endswith(str(BASE + 3400))


async def test_nothing_is_shown_without_the_opt_in_or_without_insights_and_it_says_why() -> None:
    w = world(insights_enabled=True)
    await three_spanish_posts(w)
    switch = Switch()
    english = {**ASK, "key": "other", "language": "en"}
    async with client(w, switch) as api:
        off = await api.post("/insights/similar", json={"items": [ASK]}, headers=bearer("user-1"))
    [found] = off.json()["summaries"]
    assert found["state"] == "not_opted_in" and found["reason"] == NOT_OPTED_IN
    assert found["count"] == 0 and found["best"] is None
    switch.on.add(("user-1", "account-1"))
    async with client(w, switch) as api:
        asks = {"items": [english, {**ASK, "language": None}]}
        answer = await api.post("/insights/similar", json=asks, headers=bearer("user-1"))
        # another person asking about this account learns nothing of it
        theirs = await api.post(
            "/insights/similar", json={"items": [ASK]}, headers=bearer("user-2")
        )
    none_yet, unwritten = answer.json()["summaries"]
    assert none_yet["state"] == "no_similar"
    assert none_yet["reason"] == "No earlier en question posts of this account have numbers yet."
    assert unwritten["state"] == "no_language"
    assert theirs.json()["summaries"][0]["state"] == "not_opted_in"
    unlit = world()
    async with client(unlit, Switch({("user-1", "account-1")})) as api:
        answer = await api.post(
            "/insights/similar", json={"items": [ASK]}, headers=bearer("user-1")
        )
    assert answer.json()["summaries"][0]["reason"] == INSIGHTS_OFF


async def test_bad_asks_are_refused_plainly() -> None:
    w = world(insights_enabled=True)
    async with client(w, Switch()) as api:
        many = {"items": [ASK] * 101}
        too_many = await api.post("/insights/similar", json=many, headers=bearer("user-1"))
        odd = await api.post(
            "/insights/similar", json={"items": [{**ASK, "x": 1}]}, headers=bearer("user-1")
        )
        anonymous = await api.post("/insights/similar", json={"items": [ASK]})
    assert too_many.status_code == 422 and odd.status_code == 422
    assert anonymous.status_code == 401
    assert "/" not in str(too_many.json()["detail"][0]["msg"])  # no server path in an answer


async def test_style_examples_are_the_best_titles_and_only_with_the_opt_in() -> None:
    w = world(insights_enabled=True)
    await three_spanish_posts(w)
    switch = Switch()
    route = "/internal/users/user-1/accounts/account-1/style-examples"
    path = f"{route}?language=es&limit=2"
    async with client(w, switch) as api:
        before = (await api.get(path, headers=signed_as("generator", route))).json()
        switch.on.add(("user-1", "account-1"))
        after = (await api.get(path, headers=signed_as("generator", route))).json()
        not_open = await api.get(path, headers=signed_as("approval", route))
    assert before == {"examples": []} and not_open.status_code == 403
    assert after == {
        "examples": [
            {"post_id": "p2", "title": "5 plantas", "views": 9000},
            {"post_id": "p1", "title": "¿Qué plantas aguantan sombra?", "views": 3400},
        ]
    }
