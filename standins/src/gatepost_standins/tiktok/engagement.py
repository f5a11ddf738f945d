"""Believable, seeded engagement for the Display API, as pure functions (no I/O, no randomness
that is not derived from the seed): a post's numbers depend only on the seed, its id, its age
under the stand-in's clock, and how close its hour of posting is to its creator's audience clock.
Views climb and saturate; likes, comments and shares are noisy fractions of them."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import NormalDist

HOUR_S = 3600.0
STANDARD = NormalDist()
# a post at the creator's worst hour still reaches this share of what it would at the best one
OFF_HOURS_SHARE = 0.2
# how much the day of the week matters, beside the hour of the day
WEEKDAY_WEIGHT = 0.25
WEEKDAY_SPREAD_D = 1.5


@dataclass(frozen=True)
class Audience:
    """When a creator's followers are about, in UTC: the hidden truth a suggestion should find."""

    best_weekday: int  # Monday = 0
    best_hour: int
    spread_h: float = 2.5


@dataclass
class Video:
    """A published post as the Display API sees it."""

    id: str  # 19 digits, above 2^53: a string in the Display API's JSON, as TikTok writes it
    open_id: str
    create_time: int  # unix seconds
    privacy_level: str
    media_type: str  # PHOTO | VIDEO
    title: str = ""
    description: str = ""
    duration: int = 0
    publish_id: str | None = None
    taken_down_at: float | None = None

    @property
    def public(self) -> bool:
        return self.privacy_level == "PUBLIC_TO_EVERYONE" and self.taken_down_at is None


@dataclass(frozen=True)
class Counts:
    views: int
    likes: int
    comments: int
    shares: int


ZERO = Counts(0, 0, 0, 0)


def draw(seed: int, *parts: object) -> float:
    """A number in (0, 1), fixed by the seed and the parts."""
    digest = hashlib.sha256(repr((seed, *parts)).encode()).digest()
    return (int.from_bytes(digest[:8], "big") + 0.5) / 2**64


def gauss(seed: int, *parts: object) -> float:
    """A standard normal number, fixed by the seed and the parts."""
    return STANDARD.inv_cdf(draw(seed, *parts))


def default_audience(seed: int, open_id: str) -> Audience:
    """Every creator has an audience clock, drawn from the seed until a test sets one."""
    return Audience(int(draw(seed, open_id, "weekday") * 7), int(draw(seed, open_id, "hour") * 24))


def base_followers(seed: int, open_id: str) -> int:
    """Followers before any post of the stand-in's world: log-normal around 3,000."""
    return max(20, round(math.exp(math.log(3000) + gauss(seed, open_id, "followers"))))


def duration(seed: int, media_type: str, video_id: str) -> int:
    """Seconds: a photo post has none; a video lasts 5 to 60 seconds."""
    return 0 if media_type == "PHOTO" else 5 + int(draw(seed, video_id, "duration") * 55)


def following(seed: int, open_id: str) -> int:
    return 20 + int(draw(seed, open_id, "following") * 480)


def circular(distance: float, period: float) -> float:
    """The shortest way round a clock face of `period` from 0 to `distance`."""
    return abs((distance + period / 2) % period - period / 2)


def closeness(create_time: float, audience: Audience) -> float:
    """1 at the creator's best hour of the week; falls mostly with the distance in hours of the
    day (round the clock), and some with the distance in days round the week."""
    at = datetime.fromtimestamp(create_time, UTC)
    hour = at.hour + at.minute / 60
    hours = circular(hour - audience.best_hour, 24)
    best = audience.best_weekday * 24 + audience.best_hour
    days = circular(at.weekday() * 24 + hour - best, 7 * 24) / 24
    by_hour = math.exp(-(hours**2) / (2 * audience.spread_h**2))
    by_day = math.exp(-(days**2) / (2 * WEEKDAY_SPREAD_D**2))
    return by_hour * (1 - WEEKDAY_WEIGHT + WEEKDAY_WEIGHT * by_day)


def rise(age_s: float, tau_s: float) -> float:
    """The share of its final reach a post has at this age: climbs, then saturates."""
    return 1 - math.exp(-age_s / tau_s)


def counts(seed: int, video: Video, audience: Audience, followers: int, now: float) -> Counts:
    """What TikTok would show for this post now."""
    age = now - video.create_time
    if age <= 0 or not video.public:
        return ZERO
    key = video.id
    timing = OFF_HOURS_SHARE + (1 - OFF_HOURS_SHARE) * closeness(video.create_time, audience)
    reach = (1.5 * followers + 300) * math.exp(0.45 * gauss(seed, key, "reach")) * timing
    tau = 10 * HOUR_S * math.exp(0.3 * gauss(seed, key, "tau"))

    def share(name: str, typical: float, noise: float) -> int:
        # each count lags the views a little, so it never exceeds them
        rate = min(0.5, typical * math.exp(noise * gauss(seed, key, name)))
        lag = 1 + 0.5 * draw(seed, key, name, "lag")
        return math.floor(reach * rate * rise(age, tau * lag))

    return Counts(
        views=math.floor(reach * rise(age, tau)),
        likes=share("likes", 0.07, 0.35),
        comments=share("comments", 0.004, 0.5),
        shares=share("shares", 0.003, 0.5),
    )
