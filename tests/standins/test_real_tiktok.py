"""Where real TikTok differs from its documentation, the stand-in behaves like the real server
(tiktok-api.md §9); each test fails against the stand-in as it was before."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from urllib.parse import urlencode

import httpx

from gatepost_standins.tiktok.config import TikTokStandinConfig
from tests.standins.conftest import HOST, REDIRECT, FakeHost, hooks_of, reset, wait_hook
from tests.standins.helpers import (
    FORM,
    call,
    connect,
    error_code,
    image,
    photo_body,
    token_request,
    wait_status,
)
from tests.standins.test_posting import INIT, urls
from tests.standins.test_uploads_webhooks_faults import file_source, video_body


def test_init_validation_answers_invalid_params_in_the_plural(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    token = connect(tiktok)["access_token"]
    answer = call(tiktok, token, INIT, photo_body(urls(fake_host), cover=9))
    assert (answer.status_code, error_code(answer)) == (400, "invalid_params")
    reset(param_error_code="invalid_param")  # what the reference tables say
    token = connect(tiktok)["access_token"]
    assert error_code(call(tiktok, token, INIT, photo_body(urls(fake_host), cover=9))) == (
        "invalid_param"
    )


def test_failed_code_exchanges_and_refreshes_answer_http_200(tiktok: httpx.Client) -> None:
    bad_code = token_request(
        tiktok, code="nope", grant_type="authorization_code", redirect_uri=REDIRECT
    )
    assert bad_code.status_code == 200 and bad_code.json()["error"] == "invalid_grant"
    bad_refresh = token_request(tiktok, grant_type="refresh_token", refresh_token="rft.nope")
    assert bad_refresh.status_code == 200 and bad_refresh.json()["error"] == "invalid_grant"
    reset(oauth_errors_http_200=False)
    assert token_request(tiktok, grant_type="refresh_token", refresh_token="x").status_code == 400


def test_photos_over_1080_pixels_fail_the_whole_carousel(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    fake_host.files["/ok/big.jpg"] = (200, {}, image("JPEG", (1088, 1088)))
    token = connect(tiktok)["access_token"]
    photos = [*urls(fake_host, 2), f"{HOST}/ok/big.jpg"]
    publish_id = call(tiktok, token, INIT, photo_body(photos)).json()["data"]["publish_id"]
    done = wait_status(tiktok, token, publish_id, until={"PUBLISH_COMPLETE", "FAILED"})
    assert (done["status"], done["fail_reason"]) == ("FAILED", "picture_size_check_failed")


def test_a_path_without_its_trailing_slash_is_not_found(tiktok: httpx.Client) -> None:
    token = connect(tiktok)["access_token"]
    answer = call(tiktok, token, INIT.rstrip("/"), {})
    assert answer.status_code == 404 and "Unsupported path" in answer.text
    body = urlencode({"client_key": "gatepost-local", "grant_type": "refresh_token"})
    assert tiktok.post("/v2/oauth/token", content=body, headers=FORM).status_code == 404


def test_public_post_ids_come_late_and_as_strings_in_webhooks(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    assert TikTokStandinConfig().moderation_delay_s >= 60  # minutes, by default
    reset(moderation_delay_s=1.5)
    token = connect(tiktok)["access_token"]
    publish_id = call(tiktok, token, INIT, photo_body(urls(fake_host))).json()["data"]["publish_id"]
    done = wait_status(tiktok, token, publish_id, until={"PUBLISH_COMPLETE"})
    assert done["publicaly_available_post_id"] == []  # complete, not public yet
    public = json.loads(
        wait_hook(fake_host, "post.publish.publicly_available", publish_id)["content"]
    )
    assert isinstance(public["post_id"], str) and len(public["post_id"]) == 19
    status = wait_status(tiktok, token, publish_id, until=set(), public=True)
    assert status["publicaly_available_post_id"] == [int(public["post_id"])]  # int64 there


def test_publish_ids_look_like_real_ones(tiktok: httpx.Client, fake_host: FakeHost) -> None:
    token = connect(tiktok)["access_token"]
    publish_id = call(tiktok, token, INIT, photo_body(urls(fake_host))).json()["data"]["publish_id"]
    assert re.fullmatch(r"p_pub_url~v2-1\.\d{19}", publish_id), publish_id


def test_authorization_removed_comes_from_the_app_that_lost_it(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    other = {
        "client_key": "other-app",
        "client_secret": "other-secret",
        "redirect_uris": [REDIRECT],
        "webhook_url": f"{HOST}/other-hooks",
    }
    tiktok.post("/_control/apps", json=other).raise_for_status()
    open_id = tiktok.get("/_control/creators").json()[0]["open_id"]
    tiktok.post(
        f"/_control/creators/{open_id}/deauthorize", params={"client_key": "other-app"}
    ).raise_for_status()
    hook = wait_hook(fake_host, "authorization.removed", "reason")
    assert hook["client_key"] == "other-app"
    [(headers, body)] = [h for h in fake_host.hooks if b"authorization.removed" in h[1]]
    assert headers[":path"] == "/other-hooks"
    t, s = (part.split("=", 1)[1] for part in headers["tiktok-signature"].split(","))
    expected = hmac.new(b"other-secret", f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(s, expected)
    assert len(hooks_of(fake_host, "authorization.removed")) == 1


def test_an_inbox_photo_post_without_post_info_is_refused(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    token = connect(tiktok)["access_token"]
    body = photo_body(urls(fake_host), mode="MEDIA_UPLOAD")
    del body["post_info"]
    answer = call(tiktok, token, INIT, body)
    assert error_code(answer) == "invalid_params"
    assert answer.json()["error"]["message"] == "The request post info is empty or incorrect"


def test_url_prefixes_on_ip_hosts_are_not_verified(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    reset(ip_url_prefixes=False)
    token = connect(tiktok)["access_token"]
    answer = call(tiktok, token, INIT, photo_body(urls(fake_host)))
    assert (answer.status_code, error_code(answer)) == (403, "url_ownership_unverified")


def test_a_file_upload_still_uploading_cannot_be_cancelled(tiktok: httpx.Client) -> None:
    token = connect(tiktok)["access_token"]
    size = 3_000_000
    init = call(
        tiktok, token, "/v2/post/publish/video/init/", video_body(file_source(size, size, 1))
    )
    publish_id = init.json()["data"]["publish_id"]
    answer = call(tiktok, token, "/v2/post/publish/cancel/", {"publish_id": publish_id})
    assert error_code(answer) == "publish_not_cancellable"
