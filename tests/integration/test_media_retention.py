"""Media retention against the real stack: a month after a person rejected a post, its pictures
are gone from their public URLs (404 through the gateway), while a picture it shared with a post
still awaiting approval stays, and so does that post's every picture."""

from __future__ import annotations

import io
import os

import httpx
import pytest
from PIL import Image

from gatepost_devstack.outside import eventually, signed_up
from gatepost_devstack.stack import Stack

pytestmark = pytest.mark.moves_clock(hours=31 * 24 + 1)


def a_photo() -> bytes:
    """A JPEG no other test uploads (random pixels), so no other post shares it."""
    out = io.BytesIO()
    Image.frombytes("RGB", (48, 48), os.urandom(48 * 48 * 3)).save(out, "JPEG")
    return out.getvalue()


def uploaded(client: httpx.Client, account_id: str, photos: list[bytes]) -> dict[str, object]:
    files = [("files", (f"{n}.jpg", p, "image/jpeg")) for n, p in enumerate(photos)]
    answer = client.post(
        "/api/approval/uploads",
        data={"account_id": account_id, "title": "Balcony in spring"},
        files=files,
    )
    assert answer.status_code == 201, answer.text
    post: dict[str, object] = answer.json()
    return post


def urls_of(post: dict[str, object]) -> list[str]:
    return [str(slide["image_url"]) for slide in post["slides"]]  # type: ignore[attr-defined]


def status_of(url: str) -> int:
    return httpx.get(url, timeout=10).status_code


def test_a_rejected_posts_own_pictures_go_after_retention_and_shared_ones_stay(
    stack: Stack,
) -> None:
    client, _, account_id = signed_up(stack)
    own, shared = a_photo(), a_photo()
    rejected = uploaded(client, account_id, [own, shared])
    live = uploaded(client, account_id, [shared])
    own_url, shared_url = urls_of(rejected)
    assert urls_of(live) == [shared_url]  # the same photo: the same content-addressed file
    answer = client.post(f"/api/approval/posts/{rejected['post_id']}/reject")
    assert answer.status_code == 200, answer.text
    assert status_of(own_url) == 200 and status_of(shared_url) == 200

    stack.advance_clock(31 * 86400)  # past MEDIA_RETENTION_DAYS (30) and media's grace (1)
    assert eventually(lambda: status_of(own_url) == 404, timeout=60), own_url
    assert status_of(shared_url) == 200, "a picture a post awaiting approval shows is kept"
