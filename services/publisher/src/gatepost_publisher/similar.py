"""What worked, fed back (pure rules): a title's hook style, a text's topic words, which of an
account's earlier posts are like a new one, how they did, and its best titles.

Similar means: the same language and the same hook style; among those, posts sharing topic words
with the new one are counted apart ("on a similar topic") and come first. A word in more than
half of the account's posts (its recurring hook phrase, its niche) is no topic. Only posts with
numbers count (views read at least once)."""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

HookStyle = Literal["question", "number", "how_to", "statement"]

# the first word of a how-to title, in the languages Gatepost is most used in
HOW_TO_OPENINGS = frozenset(
    {"how", "cómo", "como", "comment", "wie", "come", "jak", "hoe", "hur", "nasıl"}
)
WORD = re.compile(r"[^\W\d_]+")  # letters only: numbers and emojis are no topic
SHORTEST_TOPIC_WORD = 4  # shorter words are mostly articles and prepositions in any language


def hook_style(title: str) -> HookStyle:
    """How a title hooks, in this order: a how-to ("How to…", "Cómo…"), a question (a '?' or
    '¿'), a number ("5 ways…", "3 errores"), otherwise a statement."""
    words = WORD.findall(title.lower())
    if words and words[0] in HOW_TO_OPENINGS:
        return "how_to"
    if "?" in title or "¿" in title:
        return "question"
    if any(ch.isdigit() for ch in title):
        return "number"
    return "statement"


def topic_words(*texts: str) -> frozenset[str]:
    """The words of 4 letters or more, lower-cased, hashtags included (without their '#')."""
    return frozenset(
        w for text in texts for w in WORD.findall(text.lower()) if len(w) >= SHORTEST_TOPIC_WORD
    )


def recurring_words(words: Sequence[frozenset[str]]) -> frozenset[str]:
    """The words in more than half of these posts (none below two posts)."""
    if len(words) < 2:
        return frozenset()
    counts: dict[str, int] = {}
    for each in words:
        for word in each:
            counts[word] = counts.get(word, 0) + 1
    return frozenset(w for w, n in counts.items() if n * 2 > len(words))


@dataclass(frozen=True)
class EarlierPost:
    """One of the account's published posts with numbers."""

    post_id: str
    title: str
    language: str | None
    words: frozenset[str]
    views: int
    link: str | None


@dataclass(frozen=True)
class Likeness:
    """What a new post (or topic) is matched on."""

    language: str
    hook: HookStyle
    words: frozenset[str]


@dataclass(frozen=True)
class Summary:
    count: int
    on_topic: int  # of which share topic words with the new post
    median_views: int
    best: EarlierPost


def similar(like: Likeness, earlier: Iterable[EarlierPost]) -> list[EarlierPost]:
    """The earlier posts in the same language with the same hook style, those sharing the most
    topic words first, then the most viewed."""
    found = [p for p in earlier if p.language == like.language and hook_style(p.title) == like.hook]
    return sorted(found, key=lambda p: (-len(p.words & like.words), -p.views, p.post_id))


def summary(like: Likeness, posts: Sequence[EarlierPost]) -> Summary | None:
    """How the similar posts did: how many, their median views, the most viewed; None if none."""
    if not posts:
        return None
    best = max(posts, key=lambda p: (p.views, p.post_id))
    return Summary(
        count=len(posts),
        on_topic=sum(1 for p in posts if p.words & like.words),
        median_views=round(statistics.median(p.views for p in posts)),
        best=best,
    )


def best_titles(earlier: Iterable[EarlierPost], language: str, limit: int) -> list[EarlierPost]:
    """The account's most viewed posts in `language`, each title once."""
    seen: set[str] = set()
    ranked: list[EarlierPost] = []
    for post in sorted(earlier, key=lambda p: (-p.views, p.post_id)):
        if post.language == language and post.title and post.title not in seen:
            seen.add(post.title)
            ranked.append(post)
    return ranked[:limit]
