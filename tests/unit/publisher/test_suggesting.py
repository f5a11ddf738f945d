"""When to post next, as pure functions: the best slot found from the account's own posts (views
compared at the same age), in the person's time zone, with a confidence; a stated default while
there are too few posts."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from gatepost_publisher.suggesting import MIN_POSTS, PostNumbers, distance, suggest

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday
MONTH_AGO = NOW - timedelta(days=30)


def audience(best_how: float, went_out: datetime, spread: float = 3.0) -> float:
    """How well a post's time suits its audience: the hour of the day most, the weekday some."""
    how = went_out.weekday() * 24 + went_out.hour + went_out.minute / 60
    h, d = distance(how % 24, best_how % 24, 24), distance(how // 24, best_how // 24, 7)
    closeness = math.exp(-(h**2) / (2 * spread**2)) * (0.75 + 0.25 * math.exp(-(d**2) / 4.5))
    return 0.2 + 0.8 * closeness


def month_of_posts(best_how: float, seed: int, count: int = 30) -> list[PostNumbers]:
    """A post a day or so at random hours, read at every point its age allows; views grow with
    age and with how close to the audience's hour it went out, with noise."""
    rng = random.Random(seed)
    posts = []
    for i in range(count):
        went_out = MONTH_AGO + timedelta(hours=i * 24 + rng.uniform(0, 23))
        age_h = (NOW - went_out).total_seconds() / 3600
        points = [p for p, after_h in enumerate((1, 6, 24, 48, 168)) if after_h <= age_h]
        readings = tuple(
            (
                p,
                int(
                    1000
                    * (1 - math.exp(-(p + 1) / 2))
                    * audience(best_how, went_out)
                    * rng.lognormvariate(0, 0.45)
                ),
            )
            for p in points
        )
        posts.append(PostNumbers(went_out, readings))
    return posts


def test_the_best_slot_is_the_audiences_hour_within_one_hour_for_most_accounts() -> None:
    hits = 0
    for seed in range(10):
        best_how = float(random.Random(100 + seed).randrange(168))
        found = suggest(month_of_posts(best_how, seed), NOW, ZoneInfo("UTC"))
        assert found.basis == "own_posts" and len(found.slots) == 3
        top = max(found.slots, key=lambda s: s.confidence)
        hits += distance(top.hour, best_how % 24, 24) <= 1
        assert 0 < top.confidence <= 1
        assert [s.at for s in found.slots] == sorted(s.at for s in found.slots)
        assert all(s.at > NOW for s in found.slots)
    assert hits >= 8


def test_young_posts_are_compared_with_posts_of_their_own_age() -> None:
    # the best hour's posts are the youngest (read at 1 h only): raw views would call them worst
    best_how = 164.0  # Sunday 20:00: 13 hours before NOW
    posts = [
        p
        for p in month_of_posts(best_how, 3)
        if distance(p.went_live_at.hour, best_how % 24, 24) > 6
    ]
    for week in range(4):
        went_out = NOW - timedelta(days=7 * week, hours=13) + timedelta(minutes=week)
        young = (0, int(300 * audience(best_how, went_out)))
        posts.append(PostNumbers(went_out, (young,)))
    found = suggest(posts, NOW, ZoneInfo("UTC"))
    top = max(found.slots, key=lambda s: s.confidence)
    # compared by their latest views they would be the worst; compared at their age they are
    # the best (the others near them lie 6 h and more to one side, which may pull the top)
    assert distance(top.hour, best_how % 24, 24) <= 2
    young_cells = [c for c in found.heatmap if (c.weekday, c.hour) == (6, 20)]
    assert young_cells[0].posts == 4 and (young_cells[0].score or 0) > 0.5


def test_too_few_posts_give_the_stated_default_in_the_persons_time_zone() -> None:
    tz = ZoneInfo("America/New_York")
    found = suggest(month_of_posts(50, 1, count=MIN_POSTS - 1), NOW, tz)
    assert found.basis == "default" and f"{MIN_POSTS - 1} of {MIN_POSTS}" in found.note
    for slot in found.slots:
        local = slot.at.astimezone(tz)
        assert (local.weekday(), local.hour) == (slot.weekday, slot.hour)
        assert slot.at.tzinfo == UTC and slot.at > NOW


def test_the_heatmap_counts_posts_in_the_persons_time_zone() -> None:
    monday_late = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # Tuesday 00:30 in Berlin
    found = suggest([PostNumbers(monday_late, ((0, 10),))], NOW, ZoneInfo("Europe/Berlin"))
    assert len(found.heatmap) == 168
    [cell] = [c for c in found.heatmap if c.posts]
    assert (cell.weekday, cell.hour, cell.posts) == (1, 0, 1) and cell.score == 0.0
