"""The stand-in's engagement: views that climb and saturate, noisy fractions, the hidden audience
clock, and a taken-down post."""

from __future__ import annotations

import statistics

from fastapi.testclient import TestClient

from tests.standins.display_world import (
    DAY,
    HOUR,
    advance,
    new_creator,
    now,
    publish_a_video,
    seed_post,
    standin,
    start_a_video,
    status_of,
    token_of,
    videos,
    wait_for_public_id,
)

AGES_H = [0.5, 1, 3, 6, 12, 24, 48, 96, 168, 336, 720]


def test_views_climb_then_saturate_and_the_other_counts_follow() -> None:
    with standin() as tiktok:
        creator = new_creator(tiktok, "curve")
        started = now(tiktok)
        ids = [seed_post(tiktok, creator, started - 60) for _ in range(5)]
        token = token_of(tiktok, creator)
        readings = []
        for age_h in AGES_H:
            advance(tiktok, started + age_h * HOUR - now(tiktok))
            readings.append(videos(tiktok, token, ids))
    for video_id in ids:
        series = [r[video_id] for r in readings]
        for name in ("view_count", "like_count", "comment_count", "share_count"):
            values = [s[name] for s in series]
            assert values == sorted(values), (name, values)  # never goes down
        views = [s["view_count"] for s in series]
        assert 0 < views[0] < views[5] / 3  # half an hour in: a fraction of the first day's
        assert views[-1] - views[-3] <= 0.01 * views[-1]  # weeks on: saturated
        assert all(s["like_count"] <= s["view_count"] for s in series)
    final = readings[-1]
    like_rates = [final[i]["like_count"] / final[i]["view_count"] for i in ids]
    assert all(0.005 < r < 0.5 for r in like_rates)
    assert len({round(r, 3) for r in like_rates}) == len(ids)  # each post its own fraction


def week_of_posts(tiktok: TestClient, creator: str, hour: int, days: int = 14) -> list[str]:
    """One post a day at `hour` UTC, over the `days` days before the last two weeks."""
    midnight = int(now(tiktok)) // DAY * DAY
    return [
        seed_post(tiktok, creator, midnight - (14 + d) * DAY + hour * HOUR) for d in range(days)
    ]


def median_views(tiktok: TestClient, token: str, ids: list[str]) -> float:
    views: list[int] = [v["view_count"] for v in videos(tiktok, token, ids).values()]
    return statistics.median(views)


def test_posts_at_the_audiences_hour_do_better_than_posts_twelve_hours_off() -> None:
    with standin() as tiktok:
        evening, morning = new_creator(tiktok, "evening"), new_creator(tiktok, "morning")
        for creator, hour in ((evening, 18), (morning, 6)):
            clock = {"best_weekday": 2, "best_hour": hour, "spread_h": 2.0}
            tiktok.put(f"/_control/audience/{creator}", json=clock).raise_for_status()
        truth = tiktok.get(f"/_control/audience/{evening}").json()
        medians = {}
        for creator in (evening, morning):
            token = token_of(tiktok, creator)
            medians[creator] = [
                median_views(tiktok, token, week_of_posts(tiktok, creator, hour))
                for hour in (18, 6)
            ]
    assert truth == {"best_weekday": 2, "best_hour": 18, "spread_h": 2.0, "source": "set"}
    at_18, at_6 = medians[evening]
    assert at_18 > 2.5 * at_6
    at_18, at_6 = medians[morning]  # the same hours, the other audience: the other way round
    assert at_6 > 2.5 * at_18


def test_every_creator_has_a_seeded_audience_clock() -> None:
    with standin() as tiktok:
        creator = new_creator(tiktok, "seeded")
        truth = tiktok.get(f"/_control/audience/{creator}").json()
        missing = tiktok.get("/_control/audience/nobody")
    assert truth["source"] == "seeded"
    assert 0 <= truth["best_weekday"] <= 6 and 0 <= truth["best_hour"] <= 23
    assert missing.status_code == 404


def test_the_numbers_are_a_function_of_the_seed() -> None:
    with standin() as tiktok:
        creator = new_creator(tiktok, "seeds")
        clock = {"best_weekday": 0, "best_hour": 0}  # the same audience whatever the seed
        tiktok.put(f"/_control/audience/{creator}", json=clock).raise_for_status()
        # a month old: saturated, so the seconds the test takes change nothing
        ids = [seed_post(tiktok, creator, now(tiktok) - 30 * DAY - i * HOUR) for i in range(3)]
        token = token_of(tiktok, creator)

        def views(seed: int) -> list[int]:
            tiktok.put("/_control/display", json={"seed": seed}).raise_for_status()
            return [videos(tiktok, token, ids)[i]["view_count"] for i in ids]

        first, other, again = views(1), views(2), views(1)
    assert first == again and first != other


def test_a_taken_down_post_is_no_longer_read_and_the_app_is_told() -> None:
    with standin() as tiktok:
        creator = new_creator(tiktok, "down")
        token = token_of(tiktok, creator)
        public_id, _ = publish_a_video(tiktok, token)
        before = videos(tiktok, token, [str(public_id)])
        taken = tiktok.post(f"/_control/display/posts/{public_id}/take-down").json()
        after = videos(tiktok, token, [str(public_id)])
        hooks = tiktok.get("/_control/webhooks").json()
        [truth] = tiktok.get("/_control/display/posts", params={"open_id": creator}).json()
    assert list(before) == [str(public_id)] and after == {}
    assert taken["taken_down_at"] is not None
    assert truth["id"] == str(public_id) and truth["public"] is False and truth["views"] == 0
    [told] = [h for h in hooks if h["event"] == "post.publish.no_longer_publicaly_available"]
    assert told["content"]["post_id"] == str(public_id) and told["open_id"] == creator


def test_a_public_id_held_in_moderation_arrives_when_the_clock_moves_on() -> None:
    """Moderation that takes two hours, under the stand-in's clock: the id arrives only once
    the clock has moved two hours on."""
    with standin(moderation_delay_s=2 * HOUR) as tiktok:
        token = token_of(tiktok, new_creator(tiktok, "slow"))
        publish_id = start_a_video(tiktok, token)
        held, _ = status_of(tiktok, token, publish_id)
        advance(tiktok, 2 * HOUR)
        released, _ = wait_for_public_id(tiktok, token, publish_id)
    assert held["status"] == "PUBLISH_COMPLETE" and held["publicaly_available_post_id"] == []
    assert released > 2**53
