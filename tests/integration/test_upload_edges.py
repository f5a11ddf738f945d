"""The edges of a chunked FILE_UPLOAD against the real publisher and the TikTok stand-in: the
upload URL (a bearer capability) never reaches the traces; bytes someone else put through it end
the job UNKNOWN with nothing published; a lost answer to the last chunk never makes a second
post."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pymongo import MongoClient

from gatepost_devstack.outside import eventually, signed_up_creator
from gatepost_devstack.stack import Stack
from tests.integration.test_publisher import outcome
from tests.integration.test_video_posts import (
    CHUNK,
    approve,
    control,
    publishes_for,
    upload_video,
)
from tests.videos import make_video, sha256_of


def upload_url(stack: Stack, post_id: str) -> str | None:
    """The upload URL TikTok gave for the post's video, as the publisher's job keeps it."""
    mongo: MongoClient[dict[str, Any]] = MongoClient(stack.mongodb_url)
    with mongo:
        job = mongo[f"{stack.database_prefix}_publisher"]["jobs"].find_one({"_id": post_id})
    upload = (job or {}).get("upload") or {}
    url: str | None = upload.get("url")
    return url


def init_calls(stack: Stack) -> int:
    return sum(httpx.get(f"{control(stack)}/init-calls").json().values())


async def test_the_spans_of_a_chunked_upload_hold_no_upload_token(
    stack: Stack, tmp_path: Path
) -> None:
    video = make_video(tmp_path / "traced.mp4", 2, noise=True)
    assert video.stat().st_size >= 2 * CHUNK
    client, _, account_id, _ = signed_up_creator(stack)
    post = upload_video(client, account_id, video).json()
    assert approve(client, post["post_id"]).status_code == 202
    assert (await outcome(stack, post["post_id"], timeout=120))["status"] == "PUBLISH_COMPLETE"
    url = upload_url(stack, post["post_id"])
    assert url is not None
    [token] = parse_qs(urlsplit(url).query)["upload_token"]
    upload_id = parse_qs(urlsplit(url).query)["upload_id"][0]

    def chunk_spans() -> list[dict[str, Any]]:
        return [
            s
            for s in stack.spans()
            if s["service"] == "gatepost-publisher" and upload_id in json.dumps(s["attributes"])
        ]

    spans = eventually(lambda: len(chunk_spans()) >= 2 and chunk_spans(), timeout=30)
    assert spans, "the chunk PUTs were not traced"
    leaked = [s["attributes"] for s in stack.spans() if token in json.dumps(s)]
    assert not leaked, f"the upload_token is in {len(leaked)} spans: {leaked[:1]}"


async def test_bytes_someone_else_puts_through_the_upload_url_publish_nothing(
    stack: Stack, tmp_path: Path, faults: Any
) -> None:
    """Someone who learnt the upload URL puts their own chunk between two of the publisher's
    (every answer comes 2 s late, so theirs lands first): the job ends UNKNOWN and the publisher
    sends no more, so TikTok never processes the mixed file."""
    video = make_video(tmp_path / "hijacked.mp4", 4, noise=True)
    size = video.stat().st_size
    count = size // CHUNK
    assert count >= 4
    client, _, account_id, open_id = signed_up_creator(stack)
    post = upload_video(client, account_id, video).json()
    faults("/upload/", response_delay_ms=2000)
    assert approve(client, post["post_id"]).status_code == 202

    def received() -> int:
        [publish] = publishes_for(stack, open_id) or [{"upload": None}]
        return int((publish["upload"] or {}).get("received") or 0)

    url = eventually(lambda: received() >= CHUNK and upload_url(stack, post["post_id"]))
    assert url is not None
    foreign = bytes(CHUNK)
    for _ in range(count - 2):  # the publisher may win a race: then the next chunk
        first = received()
        assert first + CHUNK < size - CHUNK, "the upload ended before the foreign chunk went in"
        answer = httpx.put(
            url,
            content=foreign,
            headers={
                "Content-Type": "video/mp4",
                "Content-Range": f"bytes {first}-{first + CHUNK - 1}/{size}",
            },
            timeout=30,
        )
        if answer.status_code == 206:
            break
    assert answer.status_code == 206, "the foreign chunk never went in"
    result = await outcome(stack, post["post_id"], timeout=120)
    assert result["status"] == "UNKNOWN", result
    [publish] = publishes_for(stack, open_id)
    assert publish["status"] == "PROCESSING_UPLOAD" and publish["upload"]["received"] < size
    assert publish["upload"]["sha256"] is None, "TikTok never held a whole file to publish"


@pytest.mark.parametrize("lost_as", ["reset", "502"])
async def test_a_lost_answer_to_the_last_chunk_makes_exactly_one_post(
    stack: Stack, tmp_path: Path, faults: Any, lost_as: str
) -> None:
    """TikTok took the last chunk and began processing; its answer was lost on the way back. The
    chunk sent again meets 404 (no upload task any more): the publisher follows its publish_id
    instead of a second video/init."""
    video = make_video(tmp_path / "lost.mp4", 2, noise=True)
    client, _, account_id, open_id = signed_up_creator(stack)
    post = upload_video(client, account_id, video).json()
    inits = init_calls(stack)
    faults("/upload/", next_answers_lost=1, lose_only_status=201, lost_as=lost_as)
    # TikTok takes a while to process a video: no webhook settles the post before the publisher
    # hears 404 for the last chunk sent again
    timing = f"{control(stack)}/timing"
    httpx.patch(timing, json={"processing_delay_s": 3}).raise_for_status()
    try:
        assert approve(client, post["post_id"]).status_code == 202
        result = await outcome(stack, post["post_id"], timeout=120)
    finally:
        httpx.patch(timing, json={"processing_delay_s": 0}).raise_for_status()
    assert result["status"] == "PUBLISH_COMPLETE", result
    [publish] = publishes_for(stack, open_id)  # exactly one post
    assert publish["upload"]["sha256"] == sha256_of(video)
    assert init_calls(stack) == inits + 1
