"""A person's video URL is fetched only from public addresses (nothing inside the network media
runs in: loopback, private ranges, link-local such as a cloud's metadata service), over https on
443 or 80, from the address that was vetted, and the errors say nothing of what answered."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from gatepost_media.fetching import FetchFailed, FetchPolicy, stream_to, vetted_address

STRICT = FetchPolicy()


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/internal/accounts",
        "https://localhost/secrets",
        "https://10.1.2.3/video.mp4",
        "https://192.168.0.10/video.mp4",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/video.mp4",
        "https://0.0.0.0/video.mp4",
    ],
)
async def test_inside_addresses_are_refused(url: str) -> None:
    with pytest.raises(FetchFailed, match="not a public address"):
        await vetted_address(httpx.URL(url), STRICT)


async def test_a_public_address_is_the_one_connected_to() -> None:
    address = await vetted_address(httpx.URL("https://93.184.215.14/clip.mp4"), STRICT)
    assert address == "93.184.215.14"  # a literal: no DNS needed offline


async def test_a_host_that_does_not_resolve_is_said_so() -> None:
    with pytest.raises(FetchFailed, match="could not be found"):
        await vetted_address(httpx.URL("https://no-such-host.invalid/clip.mp4"), STRICT)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://93.184.215.14/clip.mp4", "only https"),
        ("https://93.184.215.14:8443/clip.mp4", "only URLs on port 80 or 443"),
        ("https://93.184.215.14:22/clip.mp4", "only URLs on port 80 or 443"),
        ("ftp://93.184.215.14/clip.mp4", "only https"),
    ],
)
async def test_only_https_on_the_web_ports(url: str, reason: str) -> None:
    with pytest.raises(FetchFailed, match=reason):
        await vetted_address(httpx.URL(url), STRICT)


async def test_plain_http_is_a_setting() -> None:
    policy = FetchPolicy(plain_http=True)
    assert await vetted_address(httpx.URL("http://93.184.215.14/a.mp4"), policy) == "93.184.215.14"


class Loopback:
    """A server on 127.0.0.1 that counts the requests that reach it."""

    def __init__(self) -> None:
        self.requests = 0

    async def answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.requests += 1
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 6\r\nconnection: close\r\n\r\nsecret")
        await writer.drain()
        writer.close()


@pytest.fixture
async def loopback() -> AsyncIterator[tuple[Loopback, int]]:
    server = Loopback()
    listening = await asyncio.start_server(server.answer, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    async with listening:
        yield server, port


def rebinding(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """The system resolver, for `name`: first a public address, then 127.0.0.1 (a TTL of 0)."""
    answers: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if (host.decode() if isinstance(host, bytes) else host) != name:  # anyio passes bytes
            return real(host, port, *args, **kwargs)
        address = "93.184.215.14" if not answers else "127.0.0.1"
        answers.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 0)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


async def test_a_rebinding_name_never_reaches_the_loopback_server(
    monkeypatch: pytest.MonkeyPatch, loopback: tuple[Loopback, int]
) -> None:
    server, port = loopback
    answers = rebinding(monkeypatch, "rebind.example")
    # plain http on the loopback server's port, so only the address rule stands in the way
    policy = FetchPolicy(plain_http=True, ports=frozenset({port}))
    received = bytearray()
    with pytest.raises(FetchFailed) as refused:
        await stream_to(
            f"http://rebind.example:{port}/clip.mp4", (1000, 2.0), received.extend, "video", policy
        )
    assert server.requests == 0 and not received
    assert answers == ["93.184.215.14"]  # resolved once; the connection went to that address
    assert "127.0.0.1" not in str(refused.value)


async def test_a_body_over_the_limit_is_cut_off(loopback: tuple[Loopback, int]) -> None:
    server, port = loopback
    policy = FetchPolicy(private=True)
    with pytest.raises(FetchFailed) as refused:
        await stream_to(
            f"http://127.0.0.1:{port}/a.mp4", (3, 5.0), bytearray().extend, "video", policy
        )
    assert server.requests == 1 and "larger than 3 bytes" in str(refused.value)


async def test_an_upstream_status_is_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    async def status_418(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 418 I'm a teapot\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    listening = await asyncio.start_server(status_418, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    async with listening:
        with pytest.raises(FetchFailed) as refused:
            await stream_to(
                f"http://127.0.0.1:{port}/x",
                (100, 5.0),
                bytearray().extend,
                "video",
                FetchPolicy(private=True),
            )
    assert "418" not in str(refused.value) and "teapot" not in str(refused.value)


async def test_proxies_from_the_environment_are_not_used(
    monkeypatch: pytest.MonkeyPatch, loopback: tuple[Loopback, int]
) -> None:
    server, port = loopback
    # a proxy that would take the request elsewhere: a closed port, so using it would fail
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed.getsockname()[1]}")
    monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{closed.getsockname()[1]}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    received = bytearray()
    await stream_to(
        f"http://127.0.0.1:{port}/a.mp4",
        (100, 5.0),
        received.extend,
        "video",
        FetchPolicy(private=True),
    )
    closed.close()
    assert server.requests == 1 and bytes(received) == b"secret"
