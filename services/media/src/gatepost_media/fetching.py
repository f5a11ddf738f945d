"""Fetching an image or a video for an internal caller: bounded in size and time, no redirects
followed."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable
from urllib.parse import urlparse

import httpx
from pydantic import AnyHttpUrl, BaseModel, ConfigDict

from gatepost_common.errors import RefusedInput


class FetchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: AnyHttpUrl


class FetchFailed(RefusedInput, ValueError):
    """The URL did not give an image within the limits; the message says why."""


async def download(url: str, max_bytes: int, timeout_s: float) -> bytes:
    data = bytearray()
    await stream_to(url, max_bytes, timeout_s, data.extend, "image")
    return bytes(data)


async def public_host(url: str) -> None:
    """Refuse a URL whose host is, or resolves to, a loopback, private, link-local or reserved
    address: a person's URL must not make media reach into the network it runs in (a cloud's
    metadata service, the other services, the database)."""
    host = urlparse(url).hostname or ""
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, None)
    except OSError:
        raise FetchFailed(f"the host {host!r} could not be found") from None
    for *_, address in found:
        ip = ipaddress.ip_address(address[0])
        if not ip.is_global or ip.is_multicast:
            raise FetchFailed(f"the URL's host {host!r} is not a public address")


async def stream_to(
    url: str, max_bytes: int, timeout_s: float, sink: Callable[[bytes], object], what: str
) -> None:
    """Hand the URL's body to `sink` part by part, within the limits."""
    try:
        async with (
            asyncio.timeout(timeout_s),
            httpx.AsyncClient(follow_redirects=False, timeout=timeout_s) as http,
            http.stream("GET", url) as answer,
        ):
            if answer.status_code != 200:
                raise FetchFailed(f"the URL answered HTTP {answer.status_code}")
            received = 0
            async for part in answer.aiter_bytes():
                received += len(part)
                if received > max_bytes:
                    raise FetchFailed(f"the {what} is larger than {max_bytes} bytes")
                sink(part)
    except TimeoutError:
        raise FetchFailed(f"the URL did not answer within {timeout_s:.0f} s") from None
    except httpx.HTTPError as error:
        raise FetchFailed(f"the URL could not be fetched: {type(error).__name__}") from None
