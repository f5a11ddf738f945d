"""An in-process TikTok stand-in for the Display API tests (no port, no subprocess), and the calls
a Display API client makes (to it, or to a stand-in process over HTTP: a TestClient is an
httpx.Client)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
from fastapi.testclient import TestClient

from gatepost_standins.tiktok.app import create_app
from gatepost_standins.tiktok.config import TikTokStandinConfig
from tests.standins.conftest import REDIRECT, SECRET

DAY, HOUR = 86400, 3600
STATUS = "/v2/post/publish/status/fetch/"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
QUERY, LIST, USER_INFO = "/v2/video/query/", "/v2/video/list/", "/v2/user/info/"
DISPLAY_SCOPES = "user.info.basic,user.info.stats,video.list,video.publish,video.upload"
COUNTS = "id,create_time,view_count,like_count,comment_count,share_count"


@contextmanager
def standin(**config: Any) -> Iterator[TestClient]:
    settings = {
        "redirect_uris": [REDIRECT],
        "auto_consent": True,
        "moderation_delay_s": 0.0,
        # these tests move the clock by days and weeks; token expiry is tested elsewhere
        "access_token_ttl_s": 365 * DAY,
        "refresh_token_ttl_s": 400 * DAY,
    }
    app = create_app(TikTokStandinConfig.model_validate(settings | config))
    with TestClient(app, follow_redirects=False) as client:
        yield client


def new_creator(client: httpx.Client, username: str) -> str:
    answer = client.post("/_control/creators", json={"username": username, "nickname": username})
    open_id: str = answer.json()["open_id"]
    return open_id


def token_of(client: httpx.Client, open_id: str, scope: str = DISPLAY_SCOPES) -> str:
    """An access token of this creator, through TikTok's authorize page and token endpoint."""
    client.post(f"/_control/consent-as/{open_id}").raise_for_status()
    ask = {
        "client_key": "gatepost-local",
        "scope": scope,
        "redirect_uri": REDIRECT,
        "state": "st",
        "response_type": "code",
    }
    redirect = client.get(f"/v2/auth/authorize/?{urlencode(ask)}").headers["location"]
    code = parse_qs(urlparse(redirect).query)["code"][0]
    form = {
        "client_key": "gatepost-local",
        "client_secret": SECRET,
        "code": code,
        "grant_type": "authorization_code",
        "redirect_uri": REDIRECT,
    }
    answer = client.post("/v2/oauth/token/", content=urlencode(form), headers=FORM)
    access: str = answer.json()["access_token"]
    return access


def call(client: httpx.Client, token: str, path: str, body: dict[str, Any]) -> tuple[Any, str]:
    """A Content Posting call: the answer's document and its text as sent."""
    answer = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
    return answer.json(), answer.text


def now(client: httpx.Client) -> float:
    clock: float = client.post("/_control/clock/advance", params={"seconds": 0}).json()["now"]
    return clock


def advance(client: httpx.Client, seconds: float) -> None:
    client.post("/_control/clock/advance", params={"seconds": seconds}).raise_for_status()


def seed_post(client: httpx.Client, open_id: str, create_time: float, **post: Any) -> str:
    body = {"open_id": open_id, "create_time": int(create_time), "media_type": "VIDEO", **post}
    answer = client.post("/_control/display/posts", json=body)
    assert answer.status_code == 200, answer.text
    video_id: str = answer.json()["id"]
    return video_id


def query(client: httpx.Client, token: str, ids: list[Any], fields: str = COUNTS) -> dict[str, Any]:
    answer = client.post(
        QUERY,
        params={"fields": fields},
        json={"filters": {"video_ids": ids}},
        headers={"Authorization": f"Bearer {token}"},
    )
    document: dict[str, Any] = answer.json() | {"status": answer.status_code}
    return document


def videos(client: httpx.Client, token: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """What video/query returns for these ids, by id."""
    document = query(client, token, ids)
    assert document["error"]["code"] == "ok", document
    return {v["id"]: v for v in document["data"]["videos"]}


def listing(client: httpx.Client, token: str, fields: str = COUNTS, **body: Any) -> dict[str, Any]:
    answer = client.post(
        LIST, params={"fields": fields}, json=body, headers={"Authorization": f"Bearer {token}"}
    )
    document: dict[str, Any] = answer.json() | {"status": answer.status_code}
    return document


def display_settings(client: httpx.Client, **changes: Any) -> None:
    client.put("/_control/display", json=changes).raise_for_status()


def start_a_video(tiktok: httpx.Client, token: str) -> str:
    """A public video sent by FILE_UPLOAD in one chunk; its publish id."""
    body = b"\x00\x00\x00\x18ftypmp42" + bytes(1000)
    size = len(body)
    info = {"title": "Flow", "privacy_level": "PUBLIC_TO_EVERYONE"}
    source = {
        "source": "FILE_UPLOAD",
        "video_size": size,
        "chunk_size": size,
        "total_chunk_count": 1,
    }
    init, _ = call(
        tiktok, token, "/v2/post/publish/video/init/", {"post_info": info, "source_info": source}
    )
    put = tiktok.put(
        init["data"]["upload_url"],
        content=body,
        headers={"Content-Type": "video/mp4", "Content-Range": f"bytes 0-{size - 1}/{size}"},
    )
    assert put.status_code == 201, put.text
    publish_id: str = init["data"]["publish_id"]
    return publish_id


def status_of(tiktok: httpx.Client, token: str, publish_id: str) -> tuple[Any, str]:
    """status/fetch's data and the answer's text as sent."""
    document, text = call(tiktok, token, STATUS, {"publish_id": publish_id})
    return document["data"], text


def wait_for_public_id(tiktok: httpx.Client, token: str, publish_id: str) -> tuple[int, str]:
    """Poll status/fetch as TikTok's clients do (the publish runs on the stand-in's own loop)
    until the public id is listed; the id and that answer's text. Every quarter second for five
    seconds at most: status/fetch allows 30 calls a minute."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        data, text = status_of(tiktok, token, publish_id)
        if data["publicaly_available_post_id"]:
            return int(data["publicaly_available_post_id"][0]), text
        time.sleep(0.25)
    raise AssertionError("no public post id")


def publish_a_video(tiktok: httpx.Client, token: str) -> tuple[int, str]:
    return wait_for_public_id(tiktok, token, start_a_video(tiktok, token))
