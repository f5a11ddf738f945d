"""The Display API's limits (600 a minute, sliding), video/list's pages, and user/info's stats."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.standins.display_world import (
    DAY,
    HOUR,
    LIST,
    QUERY,
    display_settings,
    listing,
    new_creator,
    now,
    query,
    seed_post,
    standin,
    token_of,
    videos,
)


def spend(tiktok: TestClient, token: str, path: str, times: int) -> list[int]:
    """`times` calls of `path`; their HTTP statuses."""
    body: dict[str, Any] = {"filters": {"video_ids": ["1"]}} if path == QUERY else {}
    return [
        tiktok.post(
            path, params={"fields": "id"}, json=body, headers={"Authorization": f"Bearer {token}"}
        ).status_code
        for _ in range(times)
    ]


def test_the_601st_request_in_a_minute_is_refused_for_the_whole_app() -> None:
    with standin() as tiktok:
        first, second = new_creator(tiktok, "one"), new_creator(tiktok, "two")
        token, other = token_of(tiktok, first), token_of(tiktok, second)
        statuses = spend(tiktok, token, QUERY, 600)
        refused = query(tiktok, token, ["1"])
        others = query(tiktok, other, ["1"])  # another creator, the same app
        elsewhere = spend(tiktok, token, LIST, 1)  # each endpoint has its own window
        tiktok.post("/_control/clock/advance", params={"seconds": 60}).raise_for_status()
        later = spend(tiktok, token, QUERY, 1)
    assert statuses == [200] * 600
    assert refused["status"] == 429
    assert refused["data"] == {} and refused["error"]["code"] == "rate_limit_exceeded"
    assert refused["error"]["log_id"]
    assert others["status"] == 429
    assert elsewhere == [200] and later == [200]


def test_the_window_slides_rather_than_resetting_each_minute() -> None:
    with standin() as tiktok:
        token = token_of(tiktok, new_creator(tiktok, "slides"))
        early = spend(tiktok, token, QUERY, 400)
        tiktok.post("/_control/clock/advance", params={"seconds": 40}).raise_for_status()
        middle = spend(tiktok, token, QUERY, 201)  # 600 in the last minute, then one over
        tiktok.post("/_control/clock/advance", params={"seconds": 21}).raise_for_status()
        freed = spend(tiktok, token, QUERY, 401)  # the first 400 have left the window
    assert early == [200] * 400
    assert middle == [200] * 200 + [429]
    assert freed == [200] * 400 + [429]


def test_the_limit_per_token_reading_is_a_setting() -> None:
    with standin() as tiktok:
        first, second = new_creator(tiktok, "one"), new_creator(tiktok, "two")
        token, other = token_of(tiktok, first), token_of(tiktok, second)
        display_settings(tiktok, rate_limit_per="token", rate_limit_per_minute=5)
        mine = spend(tiktok, token, QUERY, 6)
        theirs = spend(tiktok, other, QUERY, 5)
    assert mine == [200] * 5 + [429] and theirs == [200] * 5


def test_user_info_shares_the_apps_window() -> None:
    with standin() as tiktok:
        token = token_of(tiktok, new_creator(tiktok, "info"))
        display_settings(tiktok, rate_limit_per_minute=3)
        statuses = [
            tiktok.get(
                "/v2/user/info/",
                params={"fields": "open_id"},
                headers={"Authorization": f"Bearer {token}"},
            ).status_code
            for _ in range(4)
        ]
    assert statuses == [200, 200, 200, 429]


def test_video_list_pages_through_public_posts_newest_first() -> None:
    with standin() as tiktok:
        creator = new_creator(tiktok, "pages")
        start = now(tiktok) - 30 * DAY
        made = [seed_post(tiktok, creator, start + i * HOUR) for i in range(25)]
        seed_post(tiktok, creator, start, privacy_level="SELF_ONLY")
        seed_post(tiktok, new_creator(tiktok, "else"), start)
        token = token_of(tiktok, creator)
        first = listing(tiktok, token)  # 10 by default
        second = listing(tiktok, token, max_count=20, cursor=first["data"]["cursor"])
        third = listing(tiktok, token, max_count=20, cursor=second["data"]["cursor"])
        too_many = listing(tiktok, token, max_count=21)
    newest_first = list(reversed(made))
    pages = [p["data"] for p in (first, second)]
    assert [v["id"] for v in pages[0]["videos"]] == newest_first[:10]
    assert [v["id"] for v in pages[1]["videos"]] == newest_first[10:25]
    assert pages[0]["has_more"] is True and pages[1]["has_more"] is False
    assert pages[0]["cursor"] == (int(start) + 15 * HOUR) * 1000  # the oldest one shown, in ms
    assert third["data"]["videos"] == [] and third["data"]["has_more"] is False
    assert (too_many["status"], too_many["error"]["code"]) == (400, "invalid_params")


def test_user_info_stats_add_up_the_creators_public_posts() -> None:
    with standin() as tiktok:
        creator = new_creator(tiktok, "stats")
        at = now(tiktok) - 10 * DAY
        public = [seed_post(tiktok, creator, at + i * HOUR) for i in range(4)]
        seed_post(tiktok, creator, at, privacy_level="SELF_ONLY")
        token = token_of(tiktok, creator)
        fields = "follower_count,following_count,likes_count,video_count"
        auth = {"Authorization": f"Bearer {token}"}
        stats = tiktok.get("/v2/user/info/", params={"fields": fields}, headers=auth).json()
        likes = sum(v["like_count"] for v in videos(tiktok, token, public).values())
        basic = token_of(tiktok, creator, scope="user.info.basic,video.list")
        refused = tiktok.get(
            "/v2/user/info/",
            params={"fields": "follower_count"},
            headers={"Authorization": f"Bearer {basic}"},
        )
    user = stats["data"]["user"]
    assert user["video_count"] == 4 and user["likes_count"] == likes > 0
    assert user["follower_count"] >= 20 and user["following_count"] >= 20
    # without user.info.stats there are no numbers (the error's exact shape: tiktok-standin.md)
    assert refused.status_code in (400, 401) and refused.json()["data"] == {}
    assert refused.json()["error"]["code"] in ("scope_not_authorized", "scope_permission_missed")
