"""Use cases of "what worked, fed back" (opt-in per account): how an account's earlier similar
posts did, for the library and the queue, and its best titles, as the generator's style
examples. Reads only; every answer respects the account's opt-in (kept by auth)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from gatepost_common.events import StyleExample
from gatepost_publisher.feedback_schemas import BestPost, SimilarAsk, SimilarSummary
from gatepost_publisher.insights import Insights, published
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

NOT_OPTED_IN = (
    "Not switched on for this account: turn on “What worked, fed back” on the Accounts page."
)
INSIGHTS_OFF = "Insights are turned off in this Gatepost deployment, so there are no numbers."
NO_LANGUAGE = "Its language is known once its text is written."
NO_SIMILAR = "No earlier {language} {hook} posts of this account have numbers yet."
HOOK_NAMES = {
    "question": "question",
    "number": "number",
    "how_to": "how-to",
    "statement": "statement",
}


class LearningSwitch(Protocol):
    async def learns_from_posts(self, user_id: str, account_id: str) -> bool:
        """Whether the person switched "what worked, fed back" on for their account."""
        ...


@dataclass
class Feedback:
    insights: Insights
    switch: LearningSwitch

    async def earlier(self, user_id: str, account_id: str) -> list[EarlierPost]:
        """The account's published posts that have numbers, with their language and words."""
        jobs = [
            j
            for j in await self.insights.jobs.for_user(user_id, limit=1000)
            if published(j) and j["account_id"] == account_id
        ]
        approved = {j["post_id"]: j["approved"] for j in jobs}
        return [
            EarlierPost(
                post_id=p.post_id,
                title=p.title or "",
                language=approved[p.post_id].get("language"),
                words=topic_words(p.title or "", approved[p.post_id].get("description") or ""),
                views=p.views,
                link=p.link,
            )
            for p in await self.insights.posts(user_id, account_id)
            if p.views is not None and p.post_id in approved
        ]

    async def summaries(self, user_id: str, asks: list[SimilarAsk]) -> list[SimilarSummary]:
        """Each ask's summary, in order; an account is asked about and read once."""
        switched: dict[str, bool] = {}
        posts: dict[str, list[EarlierPost]] = {}
        answers = []
        for ask in asks:
            account = ask.account_id
            if account not in switched:
                switched[account] = await self.switch.learns_from_posts(user_id, account)
            if switched[account] and self.enabled and account not in posts:
                posts[account] = await self.earlier(user_id, account)
            answers.append(self.one(ask, switched[account], posts.get(account, [])))
        return answers

    @property
    def enabled(self) -> bool:
        return self.insights.settings.insights_enabled

    def one(self, ask: SimilarAsk, switched_on: bool, earlier: list[EarlierPost]) -> SimilarSummary:
        hook = hook_style(ask.title)
        empty = {"key": ask.key, "account_id": ask.account_id, "language": ask.language}
        blank = {"count": 0, "on_topic": 0, "median_views": None, "best": None}
        if not switched_on:
            return SimilarSummary(
                **empty, **blank, hook=None, state="not_opted_in", reason=NOT_OPTED_IN
            )
        if not self.enabled:
            return SimilarSummary(
                **empty, **blank, hook=None, state="insights_off", reason=INSIGHTS_OFF
            )
        if ask.language is None:
            return SimilarSummary(
                **empty, **blank, hook=hook, state="no_language", reason=NO_LANGUAGE
            )
        itself = {ask.key, ask.post_id}
        others = [p for p in earlier if p.post_id not in itself]
        # the account's recurring words (its hook phrase, its niche) tell no topic apart
        words = topic_words(ask.title, ask.text) - recurring_words([p.words for p in others])
        like = Likeness(ask.language, hook, words)
        found = summary(like, similar(like, others))
        if found is None:
            reason = NO_SIMILAR.format(language=ask.language, hook=HOOK_NAMES[hook])
            return SimilarSummary(**empty, **blank, hook=hook, state="no_similar", reason=reason)
        best = found.best
        return SimilarSummary(
            **empty,
            hook=hook,
            state="shown",
            reason=None,
            count=found.count,
            on_topic=found.on_topic,
            median_views=found.median_views,
            best=BestPost(post_id=best.post_id, title=best.title, views=best.views, link=best.link),
        )

    async def style_examples(
        self, user_id: str, account_id: str, language: str, limit: int
    ) -> list[StyleExample]:
        """The account's most viewed titles in `language`; none unless it opted in."""
        if not self.enabled or not await self.switch.learns_from_posts(user_id, account_id):
            return []
        best = best_titles(await self.earlier(user_id, account_id), language, limit)
        return [StyleExample(post_id=p.post_id, title=p.title, views=p.views) for p in best]
