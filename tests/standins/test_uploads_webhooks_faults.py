"""Video FILE_UPLOAD chunk rules, PULL_FROM_URL video, signed webhooks, and fault injection."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import pytest

from gatepost_standins.tiktok.rules import (
    CHUNK_SIZE_INVALID,
    COUNT_INVALID,
    chunk_plan_problem,
)
from gatepost_standins.tiktok.webhooks import signature
from tests.standins.conftest import SECRET, FakeHost, hooks_of, reset, wait_hook
from tests.standins.helpers import call, connect, error_code, image, photo_body, wait_status

VIDEO_INIT = "/v2/post/publish/video/init/"
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def video_body(source: dict[str, Any], privacy: str = "PUBLIC_TO_EVERYONE") -> dict[str, Any]:
    return {"post_info": {"title": "A video #tag", "privacy_level": privacy}, "source_info": source}


def file_source(size: int, chunk: int, count: int) -> dict[str, Any]:
    return {
        "source": "FILE_UPLOAD",
        "video_size": size,
        "chunk_size": chunk,
        "total_chunk_count": count,
    }


def put(url: str, data: bytes, first: int, total: int, kind: str = "video/mp4") -> httpx.Response:
    headers = {
        "Content-Type": kind,
        "Content-Range": f"bytes {first}-{first + len(data) - 1}/{total}",
    }
    return httpx.put(url, content=data, headers=headers, timeout=30)


def test_chunk_plan_follows_the_media_transfer_guide() -> None:
    assert chunk_plan_problem(50_000_123, 10_000_000, 5) is None  # the guide's worked example
    assert chunk_plan_problem(50_000_123, 10_000_000, 6) == COUNT_INVALID
    assert chunk_plan_problem(4_194_304, 4_194_304, 1) is None  # small file, whole
    assert chunk_plan_problem(4_194_304, 1_000_000, 4) is not None
    assert chunk_plan_problem(100_000_000, 4_000_000, 25) is not None  # chunk under 5 MB
    assert chunk_plan_problem(10 * 1024 * 1024, 10 * 1024 * 1024, 1) is None  # whole, 10 MiB
    assert chunk_plan_problem(6_000_000_000, 5_000_000, 1200) is not None  # over 1000 chunks
    # with floor(size / chunk) chunks of at most 64 MB the final one stays under 128 MB
    assert chunk_plan_problem(5_000_000 + 129 * 2**20, 64 * 2**20, 2, "either") is None


def test_a_single_chunk_is_the_whole_file_and_at_most_64_mb() -> None:
    """Real answers (tiktok-api.md §9): one chunk declares chunk_size = video_size, and a single
    121 MB chunk is refused although floor(size / chunk) = 1 passes the documented rules."""
    assert chunk_plan_problem(64_000_000, 64_000_000, 1) is None
    assert chunk_plan_problem(64_000_001, 64_000_001, 1) == CHUNK_SIZE_INVALID
    assert chunk_plan_problem(121_000_000, 64_000_000, 1) == CHUNK_SIZE_INVALID
    assert chunk_plan_problem(70_000_000, 64_000_000, 1) == CHUNK_SIZE_INVALID
    assert chunk_plan_problem(10_000_000, 6_000_000, 1) == CHUNK_SIZE_INVALID  # not the size
    assert chunk_plan_problem(66_000_000, 66_000_000, 1, "either") is None  # 64 MiB reading


def test_mb_is_read_strictly_by_default() -> None:
    """Chunks of 5,000,000 bytes pass only if MB is 10^6, of 65,000,000 only if it is 2^20:
    by default both are refused; each reading is a setting."""
    assert chunk_plan_problem(20_000_000, 5_000_000, 4) == CHUNK_SIZE_INVALID
    assert chunk_plan_problem(20_000_000, 5_000_000, 4, "decimal") is None
    assert chunk_plan_problem(130_000_000, 65_000_000, 2) == CHUNK_SIZE_INVALID
    assert chunk_plan_problem(130_000_000, 65_000_000, 2, "binary") is None


def test_file_upload_in_sequential_chunks(tiktok: httpx.Client) -> None:
    token = connect(tiktok)["access_token"]
    size, chunk = 12_500_000, 6_000_000
    answer = call(tiktok, token, VIDEO_INIT, video_body(file_source(size, chunk, 2)))
    data = answer.json()["data"]
    assert data["publish_id"].startswith("v_pub_file~v2-1.") and "upload_id=" in data["upload_url"]
    video = MP4_HEAD + bytes(size - len(MP4_HEAD))
    first, second = video[:chunk], video[chunk:]  # the final chunk absorbs the remainder
    out_of_order = put(data["upload_url"], second, chunk, size)
    assert out_of_order.status_code == 416
    wrong_type = put(data["upload_url"], first, 0, size, kind="image/jpeg")
    assert wrong_type.status_code == 400
    partial = put(data["upload_url"], first, 0, size)
    assert (
        partial.status_code == 206
        and partial.headers["content-range"] == f"bytes 0-{chunk - 1}/{size}"
    )
    status = call(
        tiktok, token, "/v2/post/publish/status/fetch/", {"publish_id": data["publish_id"]}
    ).json()["data"]
    assert status["status"] == "PROCESSING_UPLOAD" and status["uploaded_bytes"] == chunk
    assert put(data["upload_url"], second, chunk, size).status_code == 201
    done = wait_status(tiktok, token, data["publish_id"], until={"PUBLISH_COMPLETE", "FAILED"})
    assert done["status"] == "PUBLISH_COMPLETE"


def test_upload_url_expires_after_an_hour(tiktok: httpx.Client) -> None:
    token = connect(tiktok)["access_token"]
    url = call(tiktok, token, VIDEO_INIT, video_body(file_source(1000, 1000, 1))).json()["data"][
        "upload_url"
    ]
    tiktok.post("/_control/clock/advance", params={"seconds": 3601})
    assert put(url, MP4_HEAD + bytes(1000 - len(MP4_HEAD)), 0, 1000).status_code == 403
    assert put(url.replace("upload_id=", "upload_id=x"), b"x", 0, 1).status_code == 404


def test_uploaded_non_video_fails_the_format_check(tiktok: httpx.Client) -> None:
    token = connect(tiktok)["access_token"]
    data = call(tiktok, token, VIDEO_INIT, video_body(file_source(1000, 1000, 1))).json()["data"]
    assert put(data["upload_url"], b"A" * 1000, 0, 1000).status_code == 201
    done = wait_status(tiktok, token, data["publish_id"], until={"PUBLISH_COMPLETE", "FAILED"})
    assert (done["status"], done["fail_reason"]) == ("FAILED", "file_format_check_failed")


def test_inbox_video_upload(tiktok: httpx.Client) -> None:
    token = connect(tiktok)["access_token"]
    answer = call(
        tiktok,
        token,
        "/v2/post/publish/inbox/video/init/",
        {"source_info": file_source(1000, 1000, 1)},
    )
    data = answer.json()["data"]
    assert data["publish_id"].startswith("v_inbox_file~v2-1.")
    put(data["upload_url"], MP4_HEAD + bytes(1000 - len(MP4_HEAD)), 0, 1000)
    done = wait_status(tiktok, token, data["publish_id"], until={"SEND_TO_USER_INBOX", "FAILED"})
    assert done["status"] == "SEND_TO_USER_INBOX"


def test_video_pulled_from_url(tiktok: httpx.Client, fake_host: FakeHost) -> None:
    url = fake_host.serve("/ok/v.mp4", MP4_HEAD + bytes(50_000))
    token = connect(tiktok)["access_token"]
    data = call(
        tiktok, token, VIDEO_INIT, video_body({"source": "PULL_FROM_URL", "video_url": url})
    ).json()["data"]
    assert "upload_url" not in data and data["publish_id"].startswith("v_pub_url~v2-1.")
    done = wait_status(tiktok, token, data["publish_id"], until={"PUBLISH_COMPLETE", "FAILED"})
    assert done["status"] == "PUBLISH_COMPLETE" and done["downloaded_bytes"] == 50_000 + 24


def test_webhook_signature_matches_the_reference_vector() -> None:
    assert signature("secret", 1633174587, b'{"a":1}') == (
        "t=1633174587,s=7151550f9bebe052d14d518d957d02727224ec1912baffb80d34739a3b149820"
    )


def test_webhooks_are_signed_retried_and_duplicated(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    reset(webhook_duplicates=1, webhook_retry_delays_s=[0.05, 0.05], moderation_delay_s=1)
    fake_host.hook_statuses.extend([500, 503])  # the first two attempts fail
    token = connect(tiktok)["access_token"]
    photos = [fake_host.serve("/ok/w.jpg", image())]
    publish_id = call(tiktok, token, "/v2/post/publish/content/init/", photo_body(photos)).json()[
        "data"
    ]["publish_id"]
    wait_hook(fake_host, "post.publish.publicly_available", publish_id)
    complete = [
        (h, b) for h, b in fake_host.hooks if json.loads(b)["event"] == "post.publish.complete"
    ]
    assert len(complete) >= 2  # one retried delivery, one duplicate
    headers, body = complete[0]
    t, s = (part.split("=", 1)[1] for part in headers["tiktok-signature"].split(","))
    expected = hmac.new(SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(s, expected)
    document = json.loads(body)
    assert isinstance(document["content"], str)  # content is JSON inside a string
    assert json.loads(document["content"])["publish_id"] == publish_id
    assert {"client_key", "event", "create_time", "user_openid", "content"} == set(document)
    public = json.loads(hooks_of(fake_host, "post.publish.publicly_available")[0]["content"])
    assert isinstance(public["post_id"], str) and public["post_id"].isdigit()  # as captured
    attempts = [
        w["attempts"]
        for w in tiktok.get("/_control/webhooks").json()
        if w["event"] == "post.publish.complete"
    ]
    assert attempts == [[500, 503, 200, 200]]  # retried until 200, then the duplicate


def test_injected_errors_drops_and_timeouts(tiktok: httpx.Client) -> None:
    token = connect(tiktok)["access_token"]
    path = "/v2/post/publish/creator_info/query/"
    tiktok.put(
        "/_control/faults",
        json={path: {"next_errors": 1, "next_drops": 1, "next_timeouts": 1, "timeout_s": 2}},
    )
    with pytest.raises(httpx.RemoteProtocolError):  # the connection closes mid-response
        call(tiktok, token, path)
    with pytest.raises(httpx.ReadTimeout):
        tiktok.post(path, headers={"Authorization": f"Bearer {token}"}, timeout=0.5)
    time.sleep(2)
    error = call(tiktok, token, path)
    assert (error.status_code, error_code(error)) == (500, "internal_error")
    assert call(tiktok, token, path).status_code == 200


def test_latency_is_added(tiktok: httpx.Client) -> None:
    tiktok.put("/_control/faults", json={"/v2/user/info/": {"latency_ms": 300}})
    started = time.monotonic()
    tiktok.get("/v2/user/info/?fields=open_id")
    assert time.monotonic() - started >= 0.3


def test_every_request_is_recorded(tiktok: httpx.Client) -> None:
    connect(tiktok)
    seen = [(r["method"], r["path"]) for r in tiktok.get("/_control/requests").json()]
    assert ("GET", "/v2/auth/authorize/") in seen and ("POST", "/v2/oauth/token/") in seen


def two_chunk_upload(tiktok: httpx.Client) -> tuple[str, str, str, bytes]:
    """(token, publish_id, upload_url, the video) of a 2-chunk FILE_UPLOAD just initiated."""
    token = connect(tiktok)["access_token"]
    size, chunk = 12_500_000, 6_000_000
    data = call(tiktok, token, VIDEO_INIT, video_body(file_source(size, chunk, 2))).json()["data"]
    video = MP4_HEAD + bytes(size - len(MP4_HEAD))
    assert put(data["upload_url"], video[:chunk], 0, size).status_code == 206
    return token, data["publish_id"], data["upload_url"], video


@pytest.mark.parametrize("lost_as", ["reset", "502"])
def test_the_final_chunks_answer_is_lost_after_tiktok_took_the_bytes(
    tiktok: httpx.Client, lost_as: str
) -> None:
    token, publish_id, url, video = two_chunk_upload(tiktok)
    lost = {"next_answers_lost": 1, "lose_only_status": 201, "lost_as": lost_as}
    tiktok.put("/_control/faults", json={"/video/": lost, "/upload/": lost})
    if lost_as == "reset":
        with pytest.raises(httpx.RemoteProtocolError):
            put(url, video[6_000_000:], 6_000_000, len(video))
    else:
        assert put(url, video[6_000_000:], 6_000_000, len(video)).status_code == 502
    done = wait_status(tiktok, token, publish_id, until={"PUBLISH_COMPLETE", "FAILED"})
    assert done["status"] == "PUBLISH_COMPLETE", "TikTok took the bytes: it publishes"
    # the chunk sent again: processing has begun, so there is no upload task any more
    assert put(url, video[6_000_000:], 6_000_000, len(video)).status_code == 404


def test_a_put_after_the_last_byte_is_404_or_416_as_set(tiktok: httpx.Client) -> None:
    for answers_416, expected in ((False, 404), (True, 416)):
        reset(completed_upload_answers_416=answers_416, processing_delay_s=5)
        _, _, url, video = two_chunk_upload(tiktok)
        assert put(url, video[6_000_000:], 6_000_000, len(video)).status_code == 201
        again = put(url, video[6_000_000:], 6_000_000, len(video))
        assert again.status_code == expected
    assert again.headers["content-range"] == f"bytes 0-{len(video) - 1}/{len(video)}"


def test_a_lossy_upload_host_loses_a_share_of_answers_before_or_after_acting(
    tiktok: httpx.Client,
) -> None:
    reset(random_seed=7)
    _, publish_id, url, video = two_chunk_upload(tiktok)
    lossy = {"answer_lost_rate": 1.0, "lost_as": "reset"}
    tiktok.put("/_control/faults", json={"/video/": lossy, "/upload/": lossy})
    with pytest.raises(httpx.RemoteProtocolError):
        put(url, video[6_000_000:], 6_000_000, len(video))
    [publish] = [
        p for p in tiktok.get("/_control/publishes").json() if p["publish_id"] == publish_id
    ]
    assert publish["upload"]["received"] == len(video), "taken, only its answer was lost"
