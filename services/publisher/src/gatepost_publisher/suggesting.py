"""When to post next, from the account's own posts: pure functions, no I/O.

1. Each post's views are normalised for its age: every reading is compared with the median views
   of the account's posts at the same point of the reading plan (1 h, 6 h, ...), as a log ratio;
   a post's score is the mean of its ratios. A post read once at 6 h compares with the others at
   6 h, never with a post a month old.
2. Its hour of the week (in the person's time zone) is where it went out.
3. A bump over the day is fitted to the scores (least squares over every quarter hour and a few
   widths): its top is the best hour. The weekdays are ranked by what is left of their posts'
   scores; the best hour on the three best weekdays are the slots. Confidence grows with the
   posts behind it and with how much of the scores' spread the bump explains.
Below `MIN_POSTS` posts with numbers a stated default is offered instead."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

WEEK_H = 168
MIN_POSTS = 8
FULL_CONFIDENCE_POSTS = 30
WIDTHS_H = (1.5, 2.0, 3.0, 4.0, 6.0, 9.0, 12.0)
DEFAULT_SLOTS = ((1, 19), (3, 19), (5, 11))  # Tue 19:00, Thu 19:00, Sat 11:00
DEFAULT_NOTE = (
    "Too few of this account's posts have numbers yet ({n} of {need}): these are general "
    "evening and weekend slots, not yet your audience's. They become yours after {need} posts."
)
OWN_NOTE = (
    "From {n} of this account's posts: views compared at the same age, by when each went out."
)


@dataclass(frozen=True)
class PostNumbers:
    went_live_at: datetime
    readings: tuple[tuple[int, int], ...]  # (point of the reading plan, views)


@dataclass(frozen=True)
class Cell:
    weekday: int
    hour: int
    posts: int
    score: float | None


@dataclass(frozen=True)
class Slot:
    at: datetime  # UTC
    weekday: int
    hour: int
    confidence: float


@dataclass(frozen=True)
class Suggestion:
    heatmap: list[Cell]
    slots: list[Slot]
    basis: str  # "own_posts" or "default"
    note: str


def scores(posts: list[PostNumbers]) -> list[float]:
    """Each post's views relative to the account's median at the same ages (log ratio)."""
    at_point: dict[int, list[int]] = {}
    for post in posts:
        for point, views in post.readings:
            at_point.setdefault(point, []).append(views)
    medians = {point: median(views) for point, views in at_point.items()}
    return [
        sum(math.log((v + 1) / (medians[p] + 1)) for p, v in post.readings) / len(post.readings)
        for post in posts
    ]


def hour_of_week(at: datetime, tz: ZoneInfo) -> float:
    local = at.astimezone(tz)
    return local.weekday() * 24 + local.hour + local.minute / 60


def distance(a: float, b: float, period: float = WEEK_H) -> float:
    d = abs(a - b) % period
    return min(d, period - d)


@dataclass(frozen=True)
class Bump:
    """scores ≈ base + height · exp(-d(hour, top)² / 2·width²), hours round a `period`."""

    top: float
    width: float
    base: float
    height: float
    explained: float  # the share of the scores' variance it explains, 0..1
    period: float

    def at(self, hour: float) -> float:
        d = distance(hour, self.top, self.period)
        return self.base + self.height * math.exp(-(d**2) / (2 * self.width**2))


def fit_bump(hours: list[float], values: list[float], period: float = 24) -> Bump:
    """The bump (least squares over every quarter hour and a few widths) that best explains
    the scores."""
    mean = sum(values) / len(values)
    total = sum((v - mean) ** 2 for v in values) or 1e-12
    best, best_gain = Bump(0.0, WIDTHS_H[0], mean, 0.0, 0.0, period), 0.0
    for quarter in range(int(period * 4)):
        top = quarter / 4
        for width in WIDTHS_H:
            xs = [math.exp(-(distance(h, top, period) ** 2) / (2 * width**2)) for h in hours]
            mx = sum(xs) / len(xs)
            sxx = sum((x - mx) ** 2 for x in xs)
            if sxx < 1e-9:
                continue
            slope = sum((x - mx) * (v - mean) for x, v in zip(xs, values, strict=True)) / sxx
            gain = slope * slope * sxx if slope > 0 else 0.0  # variance explained
            if gain > best_gain:
                best_gain = gain
                best = Bump(top, width, mean - slope * mx, slope, gain / total, period)
    return best


def weekdays_ranked(hours: list[float], values: list[float], bump: Bump) -> list[int]:
    """Weekdays by what is left of their posts' scores once the hour is accounted for (shrunk
    towards none for a weekday with few posts)."""
    left: dict[int, list[float]] = {d: [] for d in range(7)}
    for h, v in zip(hours, values, strict=True):
        left[int(h // 24)].append(v - bump.at(h % 24))
    return sorted(range(7), key=lambda d: -sum(left[d]) / (len(left[d]) + 2))


def heatmap(hours: list[float], values: list[float]) -> list[Cell]:
    cells = []
    for weekday in range(7):
        for hour in range(24):
            here = [v for h, v in zip(hours, values, strict=True) if int(h) == weekday * 24 + hour]
            score = round(sum(here) / len(here), 4) if here else None
            cells.append(Cell(weekday, hour, len(here), score))
    return cells


def next_at(weekday: int, hour: int, now: datetime, tz: ZoneInfo) -> datetime:
    """The next time, after `now`, it is `weekday` at `hour`:00 in `tz` (in UTC)."""
    local = now.astimezone(tz)
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    candidate = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
    if candidate <= local + timedelta(minutes=10):
        candidate = datetime.combine(day + timedelta(days=7), candidate.timetz())
    return candidate.astimezone(UTC)


def suggest(posts: list[PostNumbers], now: datetime, tz: ZoneInfo) -> Suggestion:
    """The heatmap and the next best slots (soonest first, at most three)."""
    posts = [p for p in posts if p.readings]
    hours = [hour_of_week(p.went_live_at, tz) for p in posts]
    values = scores(posts) if posts else []
    cells = heatmap(hours, values)
    if len(posts) < MIN_POSTS:
        slots = [Slot(next_at(d, h, now, tz), d, h, 0.1) for d, h in DEFAULT_SLOTS]
        note = DEFAULT_NOTE.format(n=len(posts), need=MIN_POSTS)
        return Suggestion(cells, sorted(slots, key=lambda s: s.at), "default", note)
    bump = fit_bump([h % 24 for h in hours], values)
    hour = round(bump.top) % 24
    posts_share = min(1.0, len(posts) / FULL_CONFIDENCE_POSTS)
    confidence = round(posts_share * math.sqrt(bump.explained), 2)
    # the best hour on the three best weekdays; the best weekday carries the confidence
    shares = [1.0, 0.6, 0.6]
    slots = [
        Slot(next_at(day, hour, now, tz), day, hour, round(confidence * shares[i], 2))
        for i, day in enumerate(weekdays_ranked(hours, values, bump)[:3])
    ]
    note = OWN_NOTE.format(n=len(posts))
    return Suggestion(cells, sorted(slots, key=lambda s: s.at), "own_posts", note)
