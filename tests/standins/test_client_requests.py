"""The third-party clients' requests the stand-in of round two refused (tests/standins/
client_requests.py, each with its source) are posted under the default readings, where TikTok's
field reports put them (accepted, published), and under the setting for round two's reading
(refused as then), so the fixtures show the two overshoots gone and the old reading still
reachable."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.standins import client_requests as requests
from tests.standins.conftest import FakeHost, reset
from tests.standins.helpers import call, connect, error_code, image, wait_status
from tests.standins.test_posting import INIT

SETTLED = {"PUBLISH_COMPLETE", "FAILED"}


def sent(
    tiktok: httpx.Client, host: FakeHost, body: str, size: tuple[int, int]
) -> tuple[httpx.Response, str]:
    """The client's exact request, its photo served at `size` by the verified host."""
    token = connect(tiktok)["access_token"]
    photo = host.serve(f"/ok/client-{size[0]}x{size[1]}.jpg", image("JPEG", size))
    request: dict[str, Any] = json.loads(body.replace("{PHOTO}", photo))
    return call(tiktok, token, INIT, request), token


def settled(tiktok: httpx.Client, token: str, answer: httpx.Response) -> dict[str, Any]:
    assert error_code(answer) == "ok", answer.text
    return wait_status(tiktok, token, answer.json()["data"]["publish_id"], until=SETTLED)


def test_postiz_photo_with_video_only_fields_is_posted_and_refused_under_round_two(
    tiktok: httpx.Client, fake_host: FakeHost
) -> None:
    body, size = (
        requests.POSTIZ_PHOTO_WITH_VIDEO_FIELDS,
        requests.POSTIZ_PHOTO_WITH_VIDEO_FIELDS_SIZE,
    )
    answer, token = sent(tiktok, fake_host, body, size)
    assert settled(tiktok, token, answer)["status"] == "PUBLISH_COMPLETE"
    reset(photo_video_fields="refused")
    refused, _ = sent(tiktok, fake_host, body, size)
    assert (refused.status_code, error_code(refused)) == (400, "invalid_params")


@pytest.mark.parametrize(
    ("body", "size"),
    [
        (requests.POSTIZ_PORTRAIT_PHOTO, requests.POSTIZ_PORTRAIT_PHOTO_SIZE),
        (requests.TRYPOST_FULL_SCREEN_PHOTO, requests.TRYPOST_FULL_SCREEN_PHOTO_SIZE),
    ],
)
def test_portrait_photos_are_posted_and_fail_under_the_long_side_reading(
    tiktok: httpx.Client, fake_host: FakeHost, body: str, size: tuple[int, int]
) -> None:
    answer, token = sent(tiktok, fake_host, body, size)
    assert settled(tiktok, token, answer)["status"] == "PUBLISH_COMPLETE"
    reset(photo_size_side="long")
    answer, token = sent(tiktok, fake_host, body, size)
    done = settled(tiktok, token, answer)
    assert (done["status"], done["fail_reason"]) == ("FAILED", "picture_size_check_failed")
