"""Content Posting: creator_info, photo init validation and processing, limits and caps."""

from __future__ import annotations

import httpx
import pytest

from tests.standins.conftest import HOST, FakeHost, reset, wait_hook
from tests.standins.helpers import (
    call,
    connect,
    error_code,
    image,
    photo_body,
    wait_status,
)

INIT = "/v2/post/publish/content/init/"
CREATOR = "/v2/post/publish/creator_info/query/"


def urls(host: FakeHost, count: int = 3) -> list[str]:
    return [host.serve(f"/ok/{i}.jpg", image()) for i in range(count)]


def test_creator_info_describes_the_creator(tiktok: httpx.Client) -> None:
    token = connect(tiktok)["access_token"]
    answer = call(tiktok, token, CREATOR)
    data = answer.json()["data"]
    assert answer.status_code == 200 and error_code(answer) == "ok"
    assert data["creator_nickname"] == "Local Creator"
    assert data["privacy_level_options"] == [
        "PUBLIC_TO_EVERYONE",
        "MUTUAL_FOLLOW_FRIENDS",
        "SELF_ONLY",
    ]
    assert {
        "comment_disabled",
        "duet_disabled",
        "stitch_disabled",
        "max_video_post_duration_sec",
        "creator_avatar_url",
    } <= set(data)


def test_private_account_and_interaction_settings(tiktok: httpx.Client) -> None:
    open_id = tiktok.post(
        "/_control/creators",
        json={
            "username": "priv",
            "nickname": "Private One",
            "private_account": True,
            "comment_disabled": True,
        },
    ).json()["open_id"]
    tiktok.post(f"/_control/consent-as/{open_id}")
    data = call(tiktok, connect(tiktok)["access_token"], CREATOR).json()["data"]
    assert data["privacy_level_options"] == [
        "FOLLOWER_OF_CREATOR",
        "MUTUAL_FOLLOW_FRIENDS",
        "SELF_ONLY",
    ]
    assert data["comment_disabled"] is True and data["creator_nickname"] == "Private One"


def test_creator_info_needs_video_publish(tiktok: httpx.Client) -> None:
    token = connect(tiktok, scope="user.info.basic")["access_token"]
    answer = call(tiktok, token, CREATOR)
    assert (answer.status_code, error_code(answer)) == (401, "scope_not_authorized")


def test_photo_direct_post_is_pulled_and_published(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    token = connect(tiktok)["access_token"]
    answer = call(tiktok, token, INIT, photo_body(urls(fake_host)))
    publish_id = answer.json()["data"]["publish_id"]
    assert error_code(answer) == "ok" and publish_id.startswith("p_pub_url~v2-1.")
    done = wait_status(tiktok, token, publish_id, until={"PUBLISH_COMPLETE", "FAILED"})
    assert done["status"] == "PUBLISH_COMPLETE", done
    # The public id comes after moderation, a moment after PUBLISH_COMPLETE, as on TikTok.
    public = wait_status(tiktok, token, publish_id, until=set(), public=True)
    [post_id] = public["publicaly_available_post_id"]
    assert isinstance(post_id, int) and len(str(post_id)) == 19 and post_id < 2**63
    assert done["downloaded_bytes"] > 0


def test_private_post_gets_no_public_id(tiktok: httpx.Client, fake_host: FakeHost) -> None:
    token = connect(tiktok)["access_token"]
    publish_id = call(tiktok, token, INIT, photo_body(urls(fake_host), privacy="SELF_ONLY")).json()[
        "data"
    ]["publish_id"]
    done = wait_status(tiktok, token, publish_id, until={"PUBLISH_COMPLETE", "FAILED"})
    assert done["status"] == "PUBLISH_COMPLETE" and done["publicaly_available_post_id"] == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cover": 3}, "photo_cover_index"),
        ({"count": 0}, "photo_images"),
        ({"count": 36}, "photo_images"),
        ({"title": "😀" * 46}, "title"),
        ({"description": "x" * 4001}, "description"),
        ({"media_type": "VIDEO"}, "media_type"),
        ({"source": "FILE_UPLOAD"}, "PULL_FROM_URL"),
    ],
)
def test_photo_init_rejects_invalid_params(
    tiktok: httpx.Client, fake_host: FakeHost, change: dict[str, object], message: str
) -> None:
    token = connect(tiktok)["access_token"]
    count = int(change.get("count", 3))  # type: ignore[call-overload]
    body = photo_body(
        [f"{HOST}/ok/{i}.jpg" for i in range(count)],
        cover=int(change.get("cover", 0)),  # type: ignore[call-overload]
        **{k: v for k, v in change.items() if k in ("title", "description")},
    )
    if "media_type" in change:
        body["media_type"] = change["media_type"]
    if "source" in change:
        body["source_info"]["source"] = change["source"]
    answer = call(tiktok, token, INIT, body)
    assert (answer.status_code, error_code(answer)) == (400, "invalid_params")
    assert message in answer.json()["error"]["message"]


def test_privacy_must_be_among_the_creators_options(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    token = connect(tiktok)["access_token"]
    for privacy in ("FOLLOWER_OF_CREATOR", "", "EVERYONE"):
        answer = call(tiktok, token, INIT, photo_body(urls(fake_host), privacy=privacy))
        assert (answer.status_code, error_code(answer)) == (403, "privacy_level_option_mismatch")


def test_urls_must_be_under_a_verified_prefix_or_domain(tiktok: httpx.Client) -> None:
    reset(
        require_https=True,
        verified_url_prefixes=["https://media.example.com/p/"],
        verified_domains=["static.example.com"],
    )
    token = connect(tiktok)["access_token"]
    refused = [
        "https://media.example.com/other/1.jpg",
        "http://media.example.com/p/1.jpg",
        "https://example.com/1.jpg",
        "https://media.example.com/p",
    ]
    for url in refused:
        answer = call(tiktok, token, INIT, photo_body([url]))
        assert (answer.status_code, error_code(answer)) == (403, "url_ownership_unverified"), url
    for url in ("https://media.example.com/p/a/1.jpg", "https://cdn.static.example.com/1.jpg"):
        assert error_code(call(tiktok, token, INIT, photo_body([url]))) == "ok", url


@pytest.mark.parametrize(
    ("served", "reason"),
    [
        ((200, {}, b"PNG"), "png"),
        ((302, {"Location": "/ok/0.jpg"}, b""), "photo_pull_failed"),
        ((404, {}, b""), "photo_pull_failed"),
        ((200, {}, b"not an image"), "file_format_check_failed"),
        ((200, {}, b"BIG"), "picture_size_check_failed"),
    ],
)
def test_bad_photos_fail_with_tiktoks_reason(
    tiktok: httpx.Client,
    fake_host: FakeHost,
    served: tuple[int, dict[str, str], bytes],
    reason: str,
) -> None:
    status, headers, body = served
    if body == b"PNG":
        body, reason = image("PNG"), "file_format_check_failed"
    if body == b"BIG":
        body = image("JPEG", (4000, 3000))
    fake_host.files["/ok/bad.jpg"] = (status, headers, body)
    token = connect(tiktok)["access_token"]
    photos = [*urls(fake_host, 1), f"{HOST}/ok/bad.jpg"]
    publish_id = call(tiktok, token, INIT, photo_body(photos)).json()["data"]["publish_id"]
    done = wait_status(tiktok, token, publish_id, until={"PUBLISH_COMPLETE", "FAILED"})
    assert (done["status"], done["fail_reason"]) == ("FAILED", reason)
    failed = wait_hook(fake_host, "post.publish.failed", publish_id)
    assert reason in failed["content"]


def test_media_upload_goes_to_the_inbox_until_the_user_posts(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    token = connect(tiktok)["access_token"]
    answer = call(tiktok, token, INIT, photo_body(urls(fake_host), mode="MEDIA_UPLOAD"))
    publish_id = answer.json()["data"]["publish_id"]
    inbox = wait_status(tiktok, token, publish_id, until={"SEND_TO_USER_INBOX", "FAILED"})
    assert inbox["status"] == "SEND_TO_USER_INBOX"
    tiktok.post(f"/_control/publishes/{publish_id}/user-posts")
    assert wait_status(tiktok, token, publish_id, until={"PUBLISH_COMPLETE"})["status"] == (
        "PUBLISH_COMPLETE"
    )


def test_media_upload_needs_a_recent_tiktok_app(tiktok: httpx.Client, fake_host: FakeHost) -> None:
    creators = tiktok.get("/_control/creators").json()
    tiktok.patch(f"/_control/creators/{creators[0]['open_id']}", json={"app_version": "30.1"})
    token = connect(tiktok)["access_token"]
    answer = call(tiktok, token, INIT, photo_body(urls(fake_host), mode="MEDIA_UPLOAD"))
    assert (answer.status_code, error_code(answer)) == (400, "app_version_check_failed")


def test_init_is_limited_to_six_per_minute_per_token(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    token = connect(tiktok)["access_token"]
    body = photo_body(urls(fake_host))
    codes = [error_code(call(tiktok, token, INIT, body)) for _ in range(7)]
    assert codes == ["ok"] * 6 + ["rate_limit_exceeded"]
    other = connect(tiktok)["access_token"]
    assert error_code(call(tiktok, other, INIT, body)) == "ok"  # per token
    tiktok.post("/_control/clock/advance", params={"seconds": 61})
    assert error_code(call(tiktok, token, INIT, body)) == "ok"


def test_creator_info_and_status_limits(tiktok: httpx.Client) -> None:
    token = connect(tiktok)["access_token"]
    creator = [call(tiktok, token, CREATOR).status_code for _ in range(21)]
    assert creator == [200] * 20 + [429]
    status = [
        call(tiktok, token, "/v2/post/publish/status/fetch/", {"publish_id": "x"}).status_code
        for _ in range(31)
    ]
    assert status == [400] * 30 + [429]


def test_daily_post_cap_is_reported_by_creator_info_and_init(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    reset(daily_post_cap=3, rate_limits={})
    token = connect(tiktok)["access_token"]
    body = photo_body(urls(fake_host, 1))
    assert [error_code(call(tiktok, token, INIT, body)) for _ in range(3)] == ["ok"] * 3
    capped = call(tiktok, token, INIT, body)
    assert (capped.status_code, error_code(capped)) == (403, "spam_risk_too_many_posts")
    info = call(tiktok, token, CREATOR)
    assert (info.status_code, error_code(info)) == (200, "spam_risk_too_many_posts")
    tiktok.post("/_control/clock/advance", params={"seconds": 86401})
    token = connect(tiktok)["access_token"]
    assert error_code(call(tiktok, token, INIT, body)) == "ok"


def test_at_most_five_pending_inbox_shares(tiktok: httpx.Client, fake_host: FakeHost) -> None:
    reset(rate_limits={}, processing_delay_s=30)
    token = connect(tiktok)["access_token"]
    body = photo_body(urls(fake_host, 1), mode="MEDIA_UPLOAD")
    codes = [error_code(call(tiktok, token, INIT, body)) for _ in range(6)]
    assert codes == ["ok"] * 5 + ["spam_risk_too_many_pending_share"]


def test_banned_creator_cannot_post(tiktok: httpx.Client, fake_host: FakeHost) -> None:
    creators = tiktok.get("/_control/creators").json()
    tiktok.patch(f"/_control/creators/{creators[0]['open_id']}", json={"banned": True})
    token = connect(tiktok)["access_token"]
    info = call(tiktok, token, CREATOR)
    assert (info.status_code, error_code(info)) == (200, "spam_risk_user_banned_from_posting")
    init = call(tiktok, token, INIT, photo_body(urls(fake_host)))
    assert (init.status_code, error_code(init)) == (403, "spam_risk_user_banned_from_posting")


def test_unaudited_clients_post_only_privately(tiktok: httpx.Client, fake_host: FakeHost) -> None:
    reset(audited=False)
    token = connect(tiktok)["access_token"]
    assert call(tiktok, token, CREATOR).json()["data"]["privacy_level_options"] == ["SELF_ONLY"]
    public = call(tiktok, token, INIT, photo_body(urls(fake_host), privacy="SELF_ONLY"))
    assert error_code(public) == "unaudited_client_can_only_post_to_private_accounts"
    reset(audited=False, creator_private_account=True)
    token = connect(tiktok)["access_token"]
    assert (
        error_code(call(tiktok, token, INIT, photo_body(urls(fake_host), privacy="SELF_ONLY")))
        == "ok"
    )


def test_expired_token_is_refused(tiktok: httpx.Client) -> None:
    token = connect(tiktok)["access_token"]
    assert call(tiktok, token, CREATOR).status_code == 200
    tiktok.post("/_control/clock/advance", params={"seconds": 86401})
    answer = call(tiktok, token, CREATOR)
    assert (answer.status_code, error_code(answer)) == (401, "access_token_invalid")


def test_status_of_someone_elses_publish_is_refused(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    mine = connect(tiktok)["access_token"]
    publish_id = call(tiktok, mine, INIT, photo_body(urls(fake_host))).json()["data"]["publish_id"]
    other_id = tiktok.post("/_control/creators", json={"username": "o", "nickname": "O"}).json()
    tiktok.post(f"/_control/consent-as/{other_id['open_id']}")
    theirs = connect(tiktok)["access_token"]
    answer = call(tiktok, theirs, "/v2/post/publish/status/fetch/", {"publish_id": publish_id})
    assert error_code(answer) == "token_not_authorized_for_specified_publish_id"
    unknown = call(tiktok, mine, "/v2/post/publish/status/fetch/", {"publish_id": "v_pub~nope"})
    assert (unknown.status_code, error_code(unknown)) == (400, "invalid_publish_id")


def test_cancel_only_while_processing(tiktok: httpx.Client, fake_host: FakeHost) -> None:
    reset(processing_delay_s=2)
    token = connect(tiktok)["access_token"]
    slow = call(tiktok, token, INIT, photo_body(urls(fake_host))).json()["data"]["publish_id"]
    answer = call(tiktok, token, "/v2/post/publish/cancel/", {"publish_id": slow})
    assert error_code(answer) == "ok"
    done = wait_status(tiktok, token, slow, until={"FAILED"})
    assert done["fail_reason"] == "publish_cancelled"
    again = call(tiktok, token, "/v2/post/publish/cancel/", {"publish_id": slow})
    assert error_code(again) == "publish_not_cancellable"


def test_init_calls_are_counted_per_idempotency_key(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    token = connect(tiktok)["access_token"]
    body = photo_body(urls(fake_host))
    call(tiktok, token, INIT, body)
    call(tiktok, token, INIT, body)
    call(tiktok, token, INIT, photo_body(urls(fake_host), title="Other"))
    assert sorted(tiktok.get("/_control/init-calls").json().values()) == [1, 2]


def test_photos_refuse_fields_tiktok_documents_only_for_videos(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    """Set to refuse them (`photo_video_fields`; TikTok ignores them by default, field reports):
    no disable_duet, disable_stitch, video_cover_timestamp_ms or is_aigc for photos (the photo
    reference); a top-level is_aigc, which one copy of it shows, only when turned on."""
    reset(photo_video_fields="refused")
    token = connect(tiktok)["access_token"]
    for field in ("disable_duet", "disable_stitch", "video_cover_timestamp_ms", "is_aigc"):
        answer = call(tiktok, token, INIT, photo_body(urls(fake_host), **{field: True}))
        assert (answer.status_code, error_code(answer)) == (400, "invalid_params"), field
    labelled = photo_body(urls(fake_host)) | {"is_aigc": True}
    assert error_code(call(tiktok, token, INIT, labelled)) == "invalid_params"
    reset(photo_video_fields="refused", photo_is_aigc_accepted=True)
    token = connect(tiktok)["access_token"]
    assert error_code(call(tiktok, token, INIT, labelled)) == "ok"
