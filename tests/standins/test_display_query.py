"""The Display API's `video/query`: what TikTok returns, to whom, and how it writes ids."""

from __future__ import annotations

import re

from tests.standins.display_world import (
    COUNTS,
    DAY,
    advance,
    display_settings,
    new_creator,
    now,
    publish_a_video,
    query,
    seed_post,
    standin,
    token_of,
    videos,
)


def test_a_post_is_read_with_its_19_digit_id_as_a_string() -> None:
    with standin() as tiktok:
        creator = new_creator(tiktok, "ids")
        video_id = seed_post(tiktok, creator, now(tiktok) - DAY, title="Hello")
        token = token_of(tiktok, creator)
        answer = tiktok.post(
            "/v2/video/query/",
            params={"fields": "id,title,view_count"},
            json={"filters": {"video_ids": [video_id]}},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 200 and answer.json()["error"]["code"] == "ok"
    assert len(video_id) == 19 and int(video_id) > 2**53
    # TikTok writes the Display API's id as a JSON string (its doc's examples): exact as sent
    assert re.search(rf'"id":\s*"{video_id}"', answer.text)
    [found] = answer.json()["data"]["videos"]
    assert found == {"id": video_id, "title": "Hello", "view_count": found["view_count"]}
    assert isinstance(found["view_count"], int) and found["view_count"] > 0


def test_a_post_published_through_content_posting_is_read_by_its_public_id() -> None:
    """status/fetch lists the public id as an int64 JSON number (a naive parse rounds it);
    video/query answers for the same id, written as a string."""
    with standin() as tiktok:
        creator = new_creator(tiktok, "flow")
        token = token_of(tiktok, creator)
        public_id, raw_status = publish_a_video(tiktok, token)
        advance(tiktok, DAY)
        found = videos(tiktok, token, [str(public_id)])
    assert re.search(rf'"publicaly_available_post_id":\s*\[{public_id}\]', raw_status)
    assert public_id > 2**53 and int(float(public_id)) != public_id  # a double loses it
    assert found[str(public_id)]["view_count"] > 0


def test_video_query_needs_the_video_list_scope() -> None:
    with standin() as tiktok:
        creator = new_creator(tiktok, "scopes")
        video_id = seed_post(tiktok, creator, now(tiktok) - DAY)
        token = token_of(tiktok, creator, scope="user.info.basic,video.publish")
        document = query(tiktok, token, [video_id])
    assert document["status"] == 401
    assert document["error"]["code"] == "scope_not_authorized" and document["data"] == {}


def test_at_most_20_ids_as_strings() -> None:
    with standin() as tiktok:
        creator = new_creator(tiktok, "twenty")
        ids = [seed_post(tiktok, creator, now(tiktok) - DAY) for _ in range(21)]
        token = token_of(tiktok, creator)
        twenty = query(tiktok, token, ids[:20])
        too_many = query(tiktok, token, ids)
        as_numbers = query(tiktok, token, [int(ids[0])])
        empty = query(tiktok, token, [])
    assert twenty["status"] == 200 and len(twenty["data"]["videos"]) == 20
    for refused in (too_many, as_numbers, empty):
        assert (refused["status"], refused["error"]["code"]) == (400, "invalid_params")


def test_fields_are_required_and_unknown_ones_refused_unless_set_otherwise() -> None:
    with standin() as tiktok:
        creator = new_creator(tiktok, "fields")
        video_id = seed_post(tiktok, creator, now(tiktok) - DAY, title="T")
        token = token_of(tiktok, creator)
        missing = query(tiktok, token, [video_id], fields="")
        unknown = query(tiktok, token, [video_id], fields="id,title,fps")
        display_settings(tiktok, unknown_fields_refused=False)
        lenient = query(tiktok, token, [video_id], fields="id,title,fps")
    for refused in (missing, unknown):
        assert (refused["status"], refused["error"]["code"]) == (400, "invalid_params")
    assert lenient["data"]["videos"] == [{"id": video_id, "title": "T"}]


def test_only_the_callers_own_public_posts_are_returned() -> None:
    with standin() as tiktok:
        creator, other = new_creator(tiktok, "mine"), new_creator(tiktok, "theirs")
        at = now(tiktok) - DAY
        public = seed_post(tiktok, creator, at)
        hidden = [
            seed_post(tiktok, creator, at, privacy_level=level)
            for level in ("SELF_ONLY", "FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS")
        ]
        theirs = seed_post(tiktok, other, at)
        taken_down = seed_post(tiktok, creator, at)
        tiktok.post(f"/_control/display/posts/{taken_down}/take-down").raise_for_status()
        later = seed_post(tiktok, creator, now(tiktok) + DAY)  # not posted yet
        token = token_of(tiktok, creator)
        found = videos(tiktok, token, [public, *hidden, theirs, taken_down, later, "123"])
    assert list(found) == [public]


def test_an_unaudited_app_reads_no_posts_unless_set_otherwise() -> None:
    with standin() as tiktok:
        creator = new_creator(tiktok, "unaudited")
        video_id = seed_post(tiktok, creator, now(tiktok) - DAY)
        token = token_of(tiktok, creator)
        display_settings(tiktok, app_audited=False)
        strict = videos(tiktok, token, [video_id])
        display_settings(tiktok, unaudited_reads_public_posts=True)
        lenient = videos(tiktok, token, [video_id])
    assert strict == {} and list(lenient) == [video_id]


def test_photo_posts_are_not_returned_unless_set_otherwise() -> None:
    with standin() as tiktok:
        creator = new_creator(tiktok, "photos")
        at = now(tiktok) - DAY
        photo = seed_post(tiktok, creator, at, media_type="PHOTO")
        video = seed_post(tiktok, creator, at, media_type="VIDEO")
        token = token_of(tiktok, creator)
        strict = videos(tiktok, token, [photo, video])
        display_settings(tiktok, photo_posts_in_query=True)
        lenient = videos(tiktok, token, [photo, video])
        share_url = query(tiktok, token, [photo], fields="share_url")["data"]["videos"][0]
    assert list(strict) == [video] and list(lenient) == [photo, video]
    assert share_url["share_url"].endswith(f"/photo/{photo}")


def test_numbers_are_counts_in_json_numbers() -> None:
    with standin() as tiktok:
        creator = new_creator(tiktok, "numbers")
        video_id = seed_post(tiktok, creator, now(tiktok) - 3 * DAY)
        found = videos(tiktok, token_of(tiktok, creator), [video_id])[video_id]
    assert set(found) == set(COUNTS.split(","))
    assert all(isinstance(found[k], int) for k in found if k != "id")
    assert found["view_count"] >= found["like_count"] >= 0


def test_a_seeded_post_says_what_it_is_and_when_it_was_made() -> None:
    with standin() as tiktok:
        creator = new_creator(tiktok, "seeding")
        at = int(now(tiktok))
        statuses = [
            tiktok.post("/_control/display/posts", json=body).status_code
            for body in (
                {"open_id": creator, "create_time": at},  # photo or video?
                {"open_id": creator, "create_time": 1_000_000_000, "media_type": "VIDEO"},
                {"open_id": "nobody", "create_time": at, "media_type": "VIDEO"},
            )
        ]
        listed = tiktok.get("/_control/display/posts", params={"open_id": creator}).json()
    assert statuses == [422, 422, 404] and listed == []
