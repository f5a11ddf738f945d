"""A person's video URL is fetched only from public addresses: nothing inside the network media
runs in (loopback, private ranges, link-local such as a cloud's metadata service)."""

from __future__ import annotations

import pytest

from gatepost_media.fetching import FetchFailed, public_host


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8001/internal/accounts",
        "http://localhost/secrets",
        "http://10.1.2.3/video.mp4",
        "http://192.168.0.10/video.mp4",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/video.mp4",
        "http://0.0.0.0/video.mp4",
    ],
)
async def test_inside_addresses_are_refused(url: str) -> None:
    with pytest.raises(FetchFailed, match="not a public address"):
        await public_host(url)


async def test_a_public_address_is_fetched() -> None:
    await public_host("https://93.184.215.14/clip.mp4")  # a literal: no DNS needed offline


async def test_a_host_that_does_not_resolve_is_said_so() -> None:
    with pytest.raises(FetchFailed, match="could not be found"):
        await public_host("https://no-such-host.invalid/clip.mp4")
