"""The TikTok client against answers shaped as real TikTok sends them (no network)."""

from __future__ import annotations

import httpx
import pytest

from gatepost_common.tiktok import TikTokClient
from gatepost_common.tiktok_oauth import TikTokOAuthError


def client_answering(status: int, body: dict[str, str]) -> TikTokClient:
    transport = httpx.MockTransport(lambda _: httpx.Response(status, json=body))
    http = httpx.AsyncClient(transport=transport, base_url="https://open.tiktokapis.com")
    return TikTokClient(http, client_key="k", client_secret="s")


@pytest.mark.parametrize("status", [200, 400])
async def test_a_failed_refresh_is_an_error_whatever_the_http_status(status: int) -> None:
    """Client authors report TikTok answering failed exchanges and refreshes with HTTP 200."""
    tiktok = client_answering(
        status,
        {
            "error": "invalid_grant",
            "error_description": "Refresh token is invalid or expired.",
            "log_id": "L1",
        },
    )
    with pytest.raises(TikTokOAuthError) as failed:
        await tiktok.refresh("rft.old")
    assert (failed.value.error, failed.value.http_status, failed.value.log_id) == (
        "invalid_grant",
        status,
        "L1",
    )
    with pytest.raises(TikTokOAuthError):
        await tiktok.exchange_code("code", "https://gatepost.example/cb")
