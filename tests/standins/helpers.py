"""Talking to the stand-in as TikTok's clients do."""

from __future__ import annotations

import io
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
from PIL import Image

from tests.standins.conftest import REDIRECT, SECRET

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SCOPES = "user.info.basic,video.publish,video.upload"


def authorize(
    client: httpx.Client, *, scope: str = SCOPES, state: str = "st", **extra: str
) -> dict[str, list[str]]:
    query = {
        "client_key": "gatepost-local",
        "scope": scope,
        "redirect_uri": REDIRECT,
        "state": state,
        "response_type": "code",
        **extra,
    }
    answer = client.get(f"/v2/auth/authorize/?{urlencode(query)}")
    assert answer.status_code == 302, answer.text
    return parse_qs(urlparse(answer.headers["location"]).query)


def token_request(client: httpx.Client, **form: str) -> httpx.Response:
    body = {"client_key": "gatepost-local", "client_secret": SECRET, **form}
    return client.post("/v2/oauth/token/", content=urlencode(body), headers=FORM)


def connect(client: httpx.Client, scope: str = SCOPES) -> dict[str, Any]:
    code = authorize(client, scope=scope)["code"][0]
    answer = token_request(
        client, code=code, grant_type="authorization_code", redirect_uri=REDIRECT
    )
    assert answer.status_code == 200, answer.text
    tokens: dict[str, Any] = answer.json()
    return tokens


def call(
    client: httpx.Client, token: str, path: str, body: dict[str, Any] | None = None
) -> httpx.Response:
    return client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})


def error_code(answer: httpx.Response) -> str:
    code: str = answer.json()["error"]["code"]
    return code


def photo_body(
    urls: list[str],
    *,
    mode: str = "DIRECT_POST",
    privacy: str = "PUBLIC_TO_EVERYONE",
    cover: int = 0,
    **post_info: Any,
) -> dict[str, Any]:
    info = {"title": "Title", "description": "Words #tag", "privacy_level": privacy, **post_info}
    if mode == "MEDIA_UPLOAD":
        info = {"title": info["title"], "description": info["description"]}
    return {
        "media_type": "PHOTO",
        "post_mode": mode,
        "post_info": info,
        "source_info": {
            "source": "PULL_FROM_URL",
            "photo_images": urls,
            "photo_cover_index": cover,
        },
    }


def image(fmt: str = "JPEG", size: tuple[int, int] = (1080, 1080)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def wait_status(
    client: httpx.Client,
    token: str,
    publish_id: str,
    *,
    until: set[str],
    public: bool = False,
    timeout: float = 10,
) -> dict[str, Any]:
    """Poll status/fetch until the status is in `until` (or, with `public`, a public post id
    has appeared) or the timeout passes; return the last answer's data."""
    deadline = time.monotonic() + timeout
    while True:
        answer = call(client, token, "/v2/post/publish/status/fetch/", {"publish_id": publish_id})
        data: dict[str, Any] = answer.json()["data"]
        reached = data.get("publicaly_available_post_id") if public else data.get("status") in until
        if reached or time.monotonic() > deadline:
            return data
        time.sleep(0.1)
