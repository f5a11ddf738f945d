"""A person's own video (and photos) through the approval gate to TikTok, against the real broker,
MongoDB-wire server, media (ffprobe), the publisher and the TikTok stand-in: whole-file and
chunked FILE_UPLOAD, PULL_FROM_URL, an upload cut mid-chunk, the creator's length limit, and drafts
sent to the creator's inbox under TikTok's 5-a-day limit."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from gatepost_devstack.outside import APPROVAL, eventually, signed_up_creator
from gatepost_devstack.stack import Stack
from tests.integration.test_publisher import outcome, publication
from tests.videos import make_video, photo, sha256_of

CHUNK = 10_000_000  # the publisher's default chunk


def control(stack: Stack) -> str:
    return f"http://127.0.0.1:{stack.ports.tiktok}/_control"


def publishes_for(stack: Stack, open_id: str) -> list[dict[str, Any]]:
    everything = httpx.get(f"{control(stack)}/publishes").json()
    return [p for p in everything if p["open_id"] == open_id]


def upload_video(
    client: httpx.Client, account_id: str, video: Path, **details: Any
) -> httpx.Response:
    with video.open("rb") as data:
        return client.post(
            "/api/approval/uploads",
            data={"account_id": account_id, "title": "My own video", **details},
            files={"files": (video.name, data, "video/mp4")},
            timeout=300,
        )


def approve(client: httpx.Client, post_id: str, **choices: Any) -> httpx.Response:
    return client.post(
        f"/api/approval/posts/{post_id}/approve", json={**APPROVAL, **choices}, timeout=60
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served over HTTP, as another site would serve a video: (folder, base URL)."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


async def published_video(
    stack: Stack, tmp_path: Path, video: Path, **choices: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Upload `video`, approve it; (the outcome, the creator's publishes at TikTok)."""
    client, _, account_id, open_id = signed_up_creator(stack)
    uploaded = upload_video(client, account_id, video, caption="Filmed on the balcony #garden")
    assert uploaded.status_code == 201, uploaded.text
    post = uploaded.json()
    assert (post["origin"], post["media_type"], post["status"]) == (
        "uploaded",
        "VIDEO",
        "awaiting_approval",
    )
    assert post["video"]["poster_url"] and post["video"]["transfer"] == "FILE_UPLOAD"
    assert approve(client, post["post_id"], **choices).status_code == 202
    result = await outcome(stack, post["post_id"], timeout=120)
    return result, publishes_for(stack, open_id)


async def test_a_small_video_is_uploaded_whole_and_published_once(
    stack: Stack, tmp_path: Path
) -> None:
    video = make_video(tmp_path / "small.mp4", 3)
    size = video.stat().st_size
    assert size < 5_000_000
    result, publishes = await published_video(stack, tmp_path, video, allow_duet=True)
    assert result["status"] == "PUBLISH_COMPLETE"
    [publish] = publishes  # exactly once
    assert (publish["media_type"], publish["source"]) == ("VIDEO", "FILE_UPLOAD")
    upload = publish["upload"]
    assert (upload["chunk_size"], upload["total_chunk_count"]) == (size, 1)
    assert upload["chunks"] == [[0, size - 1]] and upload["sha256"] == sha256_of(video)


async def test_the_queue_shows_a_published_video_with_its_live_link(
    stack: Stack, tmp_path: Path
) -> None:
    client, _, account_id, _ = signed_up_creator(stack)
    post = upload_video(client, account_id, make_video(tmp_path / "live.mp4", 2)).json()
    assert approve(client, post["post_id"]).status_code == 202
    assert (await outcome(stack, post["post_id"], timeout=120))["status"] == "PUBLISH_COMPLETE"
    # TikTok's public id comes a moment after PUBLISH_COMPLETE (its webhook): then the link
    live = eventually(
        lambda: (
            (q := client.get(f"/api/approval/posts/{post['post_id']}").json())["tiktok_url"] and q
        ),
        timeout=60,
    )
    assert live and live["status"] == "published" and live["progress"]["state"] == "live"
    assert re.fullmatch(
        r"https://www\.tiktok\.com/@creator\.[0-9a-f]{8}/video/\d{19}", live["tiktok_url"]
    )


async def test_a_large_video_goes_in_chunks_by_tiktoks_plan(stack: Stack, tmp_path: Path) -> None:
    video = make_video(tmp_path / "large.mp4", 6, noise=True)
    size = video.stat().st_size
    assert size > 64_000_000  # more than TikTok takes in one chunk
    result, publishes = await published_video(stack, tmp_path, video)
    assert result["status"] == "PUBLISH_COMPLETE"
    [publish] = publishes
    upload = publish["upload"]
    count = size // CHUNK  # floor: the last chunk takes the remainder
    assert (upload["chunk_size"], upload["total_chunk_count"]) == (CHUNK, count)
    expected = [[i * CHUNK, i * CHUNK + CHUNK - 1] for i in range(count - 1)]
    assert upload["chunks"] == [*expected, [(count - 1) * CHUNK, size - 1]]
    assert upload["sha256"] == sha256_of(video)


async def test_an_upload_cut_mid_chunk_resumes_without_a_second_post(
    stack: Stack, tmp_path: Path, faults: Any
) -> None:
    """The first chunk's connection drops before TikTok took it; the next chunk is taken but
    its answer is lost (a 500 after acting): the publisher sends that chunk again, TikTok answers
    416 with what it holds, and the upload goes on from there."""
    video = make_video(tmp_path / "cut.mp4", 2, noise=True)
    size = video.stat().st_size
    assert size >= 2 * CHUNK
    client, _, account_id, open_id = signed_up_creator(stack)
    post = upload_video(client, account_id, video).json()
    out_of_step = resyncs(stack)
    faults("/upload/", next_drops=1, next_errors_after_acting=1)
    assert approve(client, post["post_id"]).status_code == 202
    result = await outcome(stack, post["post_id"], timeout=120)
    assert result["status"] == "PUBLISH_COMPLETE"
    [publish] = publishes_for(stack, open_id)
    upload = publish["upload"]
    count = size // CHUNK
    assert len(upload["chunks"]) == count and upload["sha256"] == sha256_of(video)
    assert resyncs(stack) == out_of_step + 1  # the chunk sent again was answered 416, once


def resyncs(stack: Stack) -> int:
    """Chunk PUTs the stand-in answered 416 (out of step with what it holds)."""
    answered = httpx.get(f"{control(stack)}/requests").json()
    return sum(1 for r in answered if r["path"] == "/upload/" and r["status"] == 416)


async def test_a_video_by_url_is_pulled_by_tiktok_from_medias_copy(
    stack: Stack, served: tuple[Path, str]
) -> None:
    folder, base = served
    video = make_video(folder / "clip.mp4", 3)
    client, _, account_id, open_id = signed_up_creator(stack)
    uploaded = client.post(
        "/api/approval/uploads",
        data={"account_id": account_id, "title": "A clip", "video_url": f"{base}/clip.mp4"},
        timeout=120,
    )
    assert uploaded.status_code == 201, uploaded.text
    post = uploaded.json()
    assert post["video"]["transfer"] == "PULL_FROM_URL"
    assert post["video"]["url"].startswith(stack.media_public_url)  # TikTok pulls media's copy
    assert approve(client, post["post_id"]).status_code == 202
    assert (await outcome(stack, post["post_id"], timeout=120))["status"] == "PUBLISH_COMPLETE"
    [publish] = publishes_for(stack, open_id)
    assert publish["source"] == "PULL_FROM_URL" and publish["urls"] == [post["video"]["url"]]
    budget = client.get(f"/api/publisher/accounts/{account_id}/budget").json()
    assert budget["posts_24h"] == 1 and budget["posts_left"] == budget["daily_cap"] - 1
    assert budget["init_per_minute"] == 6
    assert publish["downloaded_bytes"] == video.stat().st_size


def test_an_accounts_budget_is_its_owners_alone(stack: Stack) -> None:
    client, _, account_id, _ = signed_up_creator(stack)
    fresh = client.get(f"/api/publisher/accounts/{account_id}/budget").json()
    assert fresh["posts_24h"] == 0 and fresh["posts_left"] == fresh["daily_cap"]
    assert fresh["drafts_left"] == 5 and fresh["next_draft_place_at"] is None
    other, _, _, _ = signed_up_creator(stack)
    assert other.get(f"/api/publisher/accounts/{account_id}/budget").status_code == 404


async def test_a_video_longer_than_the_creator_may_post_is_refused_before_approval(
    stack: Stack, tmp_path: Path
) -> None:
    video = make_video(tmp_path / "four.mp4", 4)
    client, _, account_id, open_id = signed_up_creator(stack)
    post = upload_video(client, account_id, video).json()
    # TikTok lowers the creator's limit after the upload: approving asks creator_info again
    httpx.patch(
        f"{control(stack)}/creators/{open_id}", json={"max_video_post_duration_sec": 3}
    ).raise_for_status()
    refused = approve(client, post["post_id"])
    assert refused.status_code == 422 and "up to 3 s" in refused.json()["detail"]
    assert client.get(f"/api/approval/posts/{post['post_id']}").json()["status"] == (
        "awaiting_approval"
    )
    again = upload_video(client, account_id, video)  # and a new upload is refused at once
    assert again.status_code == 422 and "up to 3 s" in again.json()["detail"]
    assert publishes_for(stack, open_id) == []


@pytest.mark.parametrize(
    ("make", "says"),
    [
        ({"size": "320x240"}, "360 to 4096 pixels"),
        ({"codec": "mpeg4"}, "H.264, H.265, VP8 or VP9"),
        ({"rate": 15}, "23 to 60"),
    ],
)
def test_videos_tiktok_would_not_take_are_refused_with_the_reason(
    stack: Stack, tmp_path: Path, make: dict[str, Any], says: str
) -> None:
    client, _, account_id, _ = signed_up_creator(stack)
    refused = upload_video(client, account_id, make_video(tmp_path / "bad.mp4", 1, **make))
    assert refused.status_code == 422 and says in refused.json()["detail"]
    not_video = tmp_path / "notes.mp4"
    not_video.write_bytes(b"these are not moving pictures" * 100)
    refused = upload_video(client, account_id, not_video)
    assert refused.status_code == 422 and "not a video" in refused.json()["detail"]


async def test_drafts_go_to_the_inbox_and_the_sixth_in_a_day_waits(stack: Stack) -> None:
    client, _, account_id, open_id = signed_up_creator(stack)
    posts = []
    for n in range(6):
        uploaded = client.post(
            "/api/approval/uploads",
            data={"account_id": account_id, "title": f"Draft {n}", "caption": "for later"},
            files=[("files", (f"{n}.jpg", photo(n), "image/jpeg"))],
        )
        assert uploaded.status_code == 201, uploaded.text
        posts.append(uploaded.json()["post_id"])
    for post_id in posts:
        # a draft takes no privacy or music choice: the creator makes them in TikTok
        answer = client.post(
            f"/api/approval/posts/{post_id}/approve", json={"post_mode": "MEDIA_UPLOAD"}
        )
        assert answer.status_code == 202, answer.text

    # five reach the inbox; one (whichever the publisher took last) waits for a place
    def settled() -> list[dict[str, Any]]:
        seen = [publication(client, p) for p in posts]
        ended = [p for p in seen if p.get("status") == "SEND_TO_USER_INBOX"]
        waits = [p for p in seen if p.get("deferred_reason")]
        return seen if len(ended) == 5 and len(waits) == 1 else []

    seen = eventually(settled, timeout=120)
    assert seen, [publication(client, p) for p in posts]
    [waiting] = [p for p in seen if p.get("deferred_reason")]
    assert waiting["status"] == "queued" and "5 drafts" in waiting["deferred_reason"]
    assert waiting["post_mode"] == "MEDIA_UPLOAD" and waiting["publish_id"] is None
    # the posting page knows before approving: no draft place is left, and when one frees
    budget = client.get(f"/api/publisher/accounts/{account_id}/budget").json()
    assert (budget["drafts_24h"], budget["drafts_left"], budget["inbox_cap"]) == (5, 0, 5)
    assert budget["next_draft_place_at"] == waiting["due_at"]
    assert budget["posts_24h"] == 0, "drafts are not posts of the daily cap"
    # the queue says why it waits and until when, from approval (the one status vocabulary)
    queue_view = client.get(f"/api/approval/posts/{waiting['post_id']}").json()
    assert queue_view["status"] == "approved"
    assert queue_view["progress"]["state"] == "waiting"
    assert "5 drafts" in queue_view["progress"]["reason"] and queue_view["progress"]["due_at"]
    publishes = publishes_for(stack, open_id)
    assert len(publishes) == 5 and {p["post_mode"] for p in publishes} == {"MEDIA_UPLOAD"}
    assert {p["status"] for p in publishes} == {"SEND_TO_USER_INBOX"}
    sent = next(p["post_id"] for p in seen if p["status"] == "SEND_TO_USER_INBOX")
    assert (await outcome(stack, sent))["status"] == "SEND_TO_USER_INBOX"
    queued = eventually(
        lambda: (
            (q := client.get(f"/api/approval/posts/{sent}").json())["status"] == "in_inbox" and q
        ),
        timeout=10,
    )
    assert queued and queued["post_mode"] == "MEDIA_UPLOAD"
