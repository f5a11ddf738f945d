"""The TikTok stand-in keeps TikTok's protocol quirks, so client bugs show up in tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import pytest

from gatepost_common.tiktok import TikTokClient, TikTokError, TikTokOAuthError, authorize_url
from gatepost_standins.tiktok.app import create_app
from gatepost_standins.tiktok.config import TikTokStandinConfig

REDIRECT = "https://gatepost.example/api/auth/tiktok/callback"
PREFIX = "https://media.gatepost.example/media/"


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    config = TikTokStandinConfig(
        redirect_uris=[REDIRECT], auto_consent=True, verified_url_prefixes=[PREFIX]
    )
    transport = httpx.ASGITransport(app=create_app(config))
    async with httpx.AsyncClient(transport=transport, base_url="https://open.tiktokapis.com") as c:
        yield c


def client(http: httpx.AsyncClient) -> TikTokClient:
    return TikTokClient(
        http, client_key="gatepost-local", client_secret="local-only-tiktok-client-secret"
    )


async def authorization_code(http: httpx.AsyncClient) -> str:
    url = authorize_url(
        base="/v2/auth/authorize/",
        client_key="gatepost-local",
        redirect_uri=REDIRECT,
        scopes=["user.info.basic", "video.publish"],
        state="s1",
    )
    answer = await http.get(url)
    assert answer.status_code == 302
    query = parse_qs(urlparse(answer.headers["location"]).query)
    assert query["state"] == ["s1"] and query["scopes"] == ["user.info.basic,video.publish"]
    return query["code"][0]


async def test_token_endpoint_refuses_a_charset_in_the_content_type(
    http: httpx.AsyncClient,
) -> None:
    body = urlencode({"client_key": "gatepost-local", "grant_type": "authorization_code"})
    answer = await http.post(
        "/v2/oauth/token/",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"},
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request" and "log_id" in answer.json()


async def test_codes_are_single_use(http: httpx.AsyncClient) -> None:
    tiktok, code = client(http), await authorization_code(http)
    tokens = await tiktok.exchange_code(code, REDIRECT)
    assert tokens.access_token.startswith("act.") and tokens.expires_in == 86400
    with pytest.raises(TikTokOAuthError) as refused:
        await tiktok.exchange_code(code, REDIRECT)
    assert refused.value.error == "invalid_grant"


async def test_refresh_rotates_and_the_old_refresh_token_stops_working(
    http: httpx.AsyncClient,
) -> None:
    tiktok = client(http)
    first = await tiktok.exchange_code(await authorization_code(http), REDIRECT)
    second = await tiktok.refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token
    with pytest.raises(TikTokOAuthError, match="invalid_grant"):
        await tiktok.refresh(first.refresh_token)


async def test_photo_init_enforces_tiktoks_rules(http: httpx.AsyncClient) -> None:
    tiktok = client(http)
    token = (await tiktok.exchange_code(await authorization_code(http), REDIRECT)).access_token
    info = {"privacy_level": "PUBLIC_TO_EVERYONE", "title": "t"}
    ok_urls = [f"{PREFIX}{i}.jpg" for i in range(3)]

    async def init(**overrides: object) -> str:
        args: dict[str, object] = {
            "post_mode": "DIRECT_POST",
            "post_info": info,
            "photo_urls": ok_urls,
            "cover_index": 0,
            **overrides,
        }
        return await tiktok.init_photo_post(token, **args)  # type: ignore[arg-type]

    cases = {
        "invalid_param": [
            {"cover_index": 3},
            {"photo_urls": []},
            {"photo_urls": ok_urls * 12},
            {"post_info": {**info, "title": "x" * 91}},
        ],
        "privacy_level_option_mismatch": [
            {"post_info": {**info, "privacy_level": "FOLLOWER_OF_CREATOR"}}
        ],
        "url_ownership_unverified": [
            {"photo_urls": ["https://elsewhere.example/1.jpg"]},
            {"photo_urls": ["http://media.gatepost.example/media/1.jpg"]},
        ],
    }
    for code, variants in cases.items():
        for variant in variants:
            with pytest.raises(TikTokError) as refused:
                await init(**variant)
            assert refused.value.code == code, variant
    assert (await init()).startswith("p_pub_url~v2.")


async def test_expired_access_token_is_refused(http: httpx.AsyncClient) -> None:
    tiktok = client(http)
    token = (await tiktok.exchange_code(await authorization_code(http), REDIRECT)).access_token
    assert (await tiktok.creator_info(token))["creator_nickname"]
    await http.post("/_control/clock/advance", params={"seconds": 86401})
    with pytest.raises(TikTokError) as refused:
        await tiktok.creator_info(token)
    assert (refused.value.code, refused.value.http_status) == ("access_token_invalid", 401)
