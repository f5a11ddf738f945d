"""Round three of the TikTok stand-in (issue 35): where it refused what TikTok accepts (photo size
on the long side, video-only fields on photos), the app-wide creator caps, a minimum photo size,
expiring inbox drafts, publishes stuck in progress, sandbox mode and the field's `user/info`
scope error. Each reading is a setting; the other reading is tested too. Sources:
docs/tiktok-standin.md."""

from __future__ import annotations

import time
import uuid
from urllib.parse import urlencode

import httpx
import pytest

from tests.standins.conftest import HOST, SECRET, FakeHost, reset
from tests.standins.helpers import (
    FORM,
    SCOPES,
    call,
    connect,
    error_code,
    image,
    photo_body,
    wait_status,
)
from tests.standins.test_posting import CREATOR, INIT, urls

STATUS = "/v2/post/publish/status/fetch/"
SETTLED = {"PUBLISH_COMPLETE", "FAILED"}


def posted(tiktok: httpx.Client, host: FakeHost, size: tuple[int, int]) -> dict[str, object]:
    """One photo of `size` posted by the default creator, followed until it settles."""
    token = connect(tiktok)["access_token"]
    photo = host.serve(f"/ok/{size[0]}x{size[1]}.jpg", image("JPEG", size))
    answer = call(tiktok, token, INIT, photo_body([photo]))
    assert error_code(answer) == "ok", answer.text
    return wait_status(tiktok, token, answer.json()["data"]["publish_id"], until=SETTLED)


@pytest.mark.parametrize(
    ("size", "short_side", "long_side"),
    [
        ((1080, 1920), "PUBLISH_COMPLETE", "FAILED"),  # a full-screen portrait slide
        ((941, 1672), "PUBLISH_COMPLETE", "FAILED"),
        ((1080, 1350), "PUBLISH_COMPLETE", "FAILED"),
        ((1088, 1920), "FAILED", "FAILED"),  # over 1080 on the short side too
        ((1080, 1080), "PUBLISH_COMPLETE", "PUBLISH_COMPLETE"),
    ],
)
def test_photo_size_is_bounded_on_the_short_side_or_as_set_on_the_long_one(
    tiktok: httpx.Client,
    fake_host: FakeHost,
    size: tuple[int, int],
    short_side: str,
    long_side: str,
) -> None:
    done = posted(tiktok, fake_host, size)
    assert done["status"] == short_side, done
    reset(photo_size_side="long")
    done = posted(tiktok, fake_host, size)
    assert done["status"] == long_side, done
    if long_side == "FAILED":
        assert done["fail_reason"] == "picture_size_check_failed"


def test_photos_under_360_pixels_fail_the_size_check(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    small = posted(tiktok, fake_host, (359, 640))
    assert (small["status"], small["fail_reason"]) == ("FAILED", "picture_size_check_failed")
    assert posted(tiktok, fake_host, (360, 640))["status"] == "PUBLISH_COMPLETE"


VIDEO_ONLY = ("disable_duet", "disable_stitch", "video_cover_timestamp_ms", "is_aigc")


def test_video_only_fields_on_a_photo_are_ignored_or_refused_as_set(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    token = connect(tiktok)["access_token"]
    every = photo_body(urls(fake_host)) | {"is_aigc": True}
    every["post_info"] |= dict.fromkeys(VIDEO_ONLY, True)
    answer = call(tiktok, token, INIT, every)
    assert error_code(answer) == "ok", answer.text
    done = wait_status(tiktok, token, answer.json()["data"]["publish_id"], until=SETTLED)
    assert done["status"] == "PUBLISH_COMPLETE"
    unknown = call(tiktok, token, INIT, photo_body(urls(fake_host), music_id="x"))
    assert error_code(unknown) == "invalid_params"  # what no reference lists stays refused
    reset(photo_video_fields="refused")
    token = connect(tiktok)["access_token"]
    for field in VIDEO_ONLY:
        body = photo_body(urls(fake_host))
        body["post_info"][field] = True
        refused = call(tiktok, token, INIT, body)
        assert (refused.status_code, error_code(refused)) == (400, "invalid_params"), field


def new_creator(tiktok: httpx.Client, *, private: bool = True) -> str:
    """A creator of its own, the one who consents next."""
    answer = tiktok.post(
        "/_control/creators",
        json={"username": f"c{uuid.uuid4().hex[:8]}", "nickname": "C", "private_account": private},
    )
    open_id: str = answer.json()["open_id"]
    tiktok.post(f"/_control/consent-as/{open_id}").raise_for_status()
    return open_id


def post_as_new_creator(tiktok: httpx.Client, host: FakeHost) -> tuple[str, httpx.Response]:
    new_creator(tiktok)
    token = connect(tiktok)["access_token"]
    return token, call(tiktok, token, INIT, photo_body(urls(host, 1), privacy="SELF_ONLY"))


def test_an_unaudited_app_posts_for_at_most_five_creators_in_any_24_hours(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    reset(audited=False)
    tokens = []
    for _ in range(5):
        token, answer = post_as_new_creator(tiktok, fake_host)
        assert error_code(answer) == "ok", answer.text
        tokens.append(token)
    sixth, refused = post_as_new_creator(tiktok, fake_host)
    assert (refused.status_code, error_code(refused)) == (403, "reached_active_user_cap")
    info = call(tiktok, sixth, CREATOR)
    assert (info.status_code, error_code(info)) == (200, "reached_active_user_cap")
    again = call(tiktok, tokens[0], INIT, photo_body(urls(fake_host, 1), privacy="SELF_ONLY"))
    assert error_code(again) == "ok", "one of the five posts again"
    tiktok.post("/_control/clock/advance", params={"seconds": 86401})
    assert error_code(post_as_new_creator(tiktok, fake_host)[1]) == "ok"  # the window moved
    reset(audited=False, unaudited_creator_cap=2)
    codes = [error_code(post_as_new_creator(tiktok, fake_host)[1]) for _ in range(3)]
    assert codes == ["ok", "ok", "reached_active_user_cap"]


def test_an_audited_app_meets_only_its_active_creator_cap(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    reset(unaudited_creator_cap=1, active_user_cap=6)
    codes = [error_code(post_as_new_creator(tiktok, fake_host)[1]) for _ in range(7)]
    assert codes == ["ok"] * 6 + ["reached_active_user_cap"]


def test_an_inbox_draft_not_finished_in_24_hours_leaves_the_inbox(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    token = connect(tiktok)["access_token"]
    drafts = [
        call(tiktok, token, INIT, photo_body(urls(fake_host, 1), mode="MEDIA_UPLOAD", title=t))
        for t in ("kept", "forgotten")
    ]
    kept, forgotten = (d.json()["data"]["publish_id"] for d in drafts)
    for publish_id in (kept, forgotten):
        waiting = wait_status(tiktok, token, publish_id, until={"SEND_TO_USER_INBOX", "FAILED"})
        assert waiting["status"] == "SEND_TO_USER_INBOX"
    tiktok.post("/_control/clock/advance", params={"seconds": 86399})
    assert tiktok.post(f"/_control/publishes/{kept}/user-posts").status_code == 200
    tiktok.post("/_control/clock/advance", params={"seconds": 2})
    expired = tiktok.post(f"/_control/publishes/{forgotten}/user-posts")
    assert expired.status_code == 409 and "expired" in expired.text
    reset(inbox_draft_ttl_s=60)
    token = connect(tiktok)["access_token"]
    body = photo_body(urls(fake_host, 1), mode="MEDIA_UPLOAD")
    publish_id = call(tiktok, token, INIT, body).json()["data"]["publish_id"]
    wait_status(tiktok, token, publish_id, until={"SEND_TO_USER_INBOX"})
    tiktok.post("/_control/clock/advance", params={"seconds": 60})
    assert tiktok.post(f"/_control/publishes/{publish_id}/user-posts").status_code == 409


def pulled(tiktok: httpx.Client, token: str, publish_id: str, total: int) -> dict[str, object]:
    """The publish's status once TikTok holds every byte: from there on the stand-in decides,
    without pausing, whether it settles."""
    deadline = time.monotonic() + 10
    while True:
        data: dict[str, object] = call(tiktok, token, STATUS, {"publish_id": publish_id}).json()[
            "data"
        ]
        if data["downloaded_bytes"] == total or time.monotonic() > deadline:
            return data
        time.sleep(0.05)


def test_a_publish_can_stay_in_progress_and_never_settle(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    token = connect(tiktok)["access_token"]
    assert tiktok.post("/_control/stuck-publishes", params={"count": 1}).json() == {
        "next_stuck_publishes": 1
    }
    photos = urls(fake_host, 2)
    total = sum(len(fake_host.files[p.removeprefix(HOST)][2]) for p in photos)
    stuck = call(tiktok, token, INIT, photo_body(photos)).json()["data"]["publish_id"]
    held = pulled(tiktok, token, stuck, total)
    assert (held["downloaded_bytes"], held["status"]) == (total, "PROCESSING_DOWNLOAD")
    settled = call(tiktok, token, INIT, photo_body(photos, title="next")).json()["data"]
    done = wait_status(tiktok, token, settled["publish_id"], until=SETTLED)
    assert done["status"] == "PUBLISH_COMPLETE", "only the next one was stuck"
    still = call(tiktok, token, STATUS, {"publish_id": stuck}).json()["data"]
    assert still["status"] == "PROCESSING_DOWNLOAD"
    assert not [h for h in fake_host.hooks if stuck.encode() in h[1]], "no webhook, ever"
    reset(stuck_publish_rate=1.0)
    token = connect(tiktok)["access_token"]
    one = urls(fake_host, 1)
    again = call(tiktok, token, INIT, photo_body(one)).json()["data"]["publish_id"]
    size = len(fake_host.files[one[0].removeprefix(HOST)][2])
    assert pulled(tiktok, token, again, size)["status"] == "PROCESSING_DOWNLOAD"


def test_a_sandbox_answers_only_its_target_users_and_posts_only_privately(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    reset(sandbox=True, sandbox_target_users=["local.creator"])
    token = connect(tiktok)["access_token"]
    info = call(tiktok, token, CREATOR).json()["data"]
    assert info["privacy_level_options"] == ["SELF_ONLY"]
    public = call(tiktok, token, INIT, photo_body(urls(fake_host)))
    assert (public.status_code, error_code(public)) == (403, "privacy_level_option_mismatch")
    private = call(tiktok, token, INIT, photo_body(urls(fake_host), privacy="SELF_ONLY"))
    publish_id = private.json()["data"]["publish_id"]
    assert wait_status(tiktok, token, publish_id, until=SETTLED)["status"] == "PUBLISH_COMPLETE"
    new_creator(tiktok, private=False)  # not a target user of the sandbox
    query = {
        "client_key": "gatepost-local",
        "scope": SCOPES,
        "redirect_uri": "https://gatepost.example/api/auth/tiktok/callback",
        "state": "st",
        "response_type": "code",
    }
    outsider = tiktok.get("/v2/auth/authorize/", params=query)
    assert outsider.status_code == 400 and "log in with TikTok" in outsider.text


def test_user_info_without_the_scope_answers_as_the_field_saw_or_as_documented(
    tiktok: httpx.Client,
) -> None:
    token = connect(tiktok, scope="user.info.basic")["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    answer = tiktok.get("/v2/user/info/?fields=open_id,username", headers=auth)
    assert (answer.status_code, error_code(answer)) == (401, "scope_not_authorized")
    reset(user_info_scope_error="scope_permission_missed")
    token = connect(tiktok, scope="user.info.basic")["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    answer = tiktok.get("/v2/user/info/?fields=open_id,username", headers=auth)
    assert (answer.status_code, error_code(answer)) == (400, "scope_permission_missed")


def revoke(tiktok: httpx.Client, token: str) -> httpx.Response:
    form = {"client_key": "gatepost-local", "client_secret": SECRET, "token": token}
    return tiktok.post("/v2/oauth/revoke/", headers=FORM, content=urlencode(form))


def test_revoke_errors_come_with_http_200_or_as_set_with_400(tiktok: httpx.Client) -> None:
    token = connect(tiktok)["access_token"]
    assert (revoke(tiktok, token).status_code, revoke(tiktok, token).json()) == (200, {})
    unknown = revoke(tiktok, "act.never-issued")
    assert (unknown.status_code, unknown.json()["error"]) == (200, "invalid_request")
    reset(revoke_errors_http_200=False)
    unknown = revoke(tiktok, "act.never-issued")
    assert (unknown.status_code, unknown.json()["error"]) == (400, "invalid_request")
    token = connect(tiktok)["access_token"]
    assert revoke(tiktok, token).status_code == 200
