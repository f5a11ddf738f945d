"""The engagement model's promises over many posts, without HTTP: counts never go down, likes
never exceed views, views saturate, and the audience clock wraps round midnight and the week."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from gatepost_standins.tiktok.engagement import Audience, Video, closeness, counts, draw

HOUR, DAY = 3600, 86400
POSTED = int(datetime(2026, 11, 2, 0, tzinfo=UTC).timestamp())  # a Monday, midnight UTC
AGES_H = [0.1, 1, 2, 6, 12, 24, 48, 96, 168, 720, 2160]


def post(n: int) -> Video:
    at = POSTED + int(draw(7, n, "at") * 7 * DAY)
    return Video(str(7 * 10**18 + n), "open-x", at, "PUBLIC_TO_EVERYONE", "PHOTO")


def test_over_500_posts_counts_never_fall_and_views_saturate() -> None:
    audience = Audience(best_weekday=4, best_hour=19)
    for n in range(500):
        video = post(n)
        series = [
            counts(29, video, audience, 2000, video.create_time + age * HOUR) for age in AGES_H
        ]
        for earlier, later in itertools.pairwise(series):
            assert later.views >= earlier.views and later.likes >= earlier.likes
            assert later.comments >= earlier.comments and later.shares >= earlier.shares
        assert all(c.likes <= c.views and c.shares <= c.views for c in series)
        week, quarter = series[8].views, series[-1].views
        assert series[0].views < series[5].views and quarter - week <= 0.01 * quarter + 1


def test_a_post_that_is_not_public_or_not_yet_made_has_no_numbers() -> None:
    audience = Audience(best_weekday=0, best_hour=0)
    private = Video("7000000000000000001", "open-x", POSTED, "SELF_ONLY", "PHOTO")
    later = Video("7000000000000000002", "open-x", POSTED + DAY, "PUBLIC_TO_EVERYONE", "PHOTO")
    assert counts(29, private, audience, 2000, POSTED + 30 * DAY).views == 0
    assert counts(29, later, audience, 2000, POSTED + HOUR).views == 0


def test_the_audience_clock_wraps_round_midnight_and_the_week() -> None:
    sunday_late = Audience(best_weekday=6, best_hour=23, spread_h=2.0)
    monday_0100 = POSTED + HOUR  # two hours after Sunday 23:00, across midnight and the week
    monday_2100 = POSTED + 21 * HOUR  # twenty-two hours after it, two hours before the next
    sunday_2100 = POSTED - 3 * HOUR  # the same day, two hours early
    assert closeness(POSTED - HOUR, sunday_late) == 1.0
    assert closeness(monday_0100, sunday_late) > 0.5
    assert abs(closeness(monday_0100, sunday_late) - closeness(sunday_2100, sunday_late)) < 0.05
    assert closeness(POSTED + 11 * HOUR, sunday_late) < 0.01
    assert closeness(monday_2100, sunday_late) > 0.5
