"""Fetching a video a person names by URL: the name is resolved once, every address it gives is
vetted, and the connection goes to the vetted address (a name that answers differently the second
time, DNS rebinding, cannot steer it inside); bounded in size and time, no redirects followed, no
proxies from the environment, and errors that say nothing of what answered."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
from pydantic import AnyHttpUrl, BaseModel, ConfigDict

from gatepost_common.errors import RefusedInput

logger = logging.getLogger(__name__)
Resolve = Callable[[str, int], Awaitable[list[str]]]
NOT_FETCHED = "the URL did not give the file (it must answer 200 itself, without a redirect)"


class FetchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: AnyHttpUrl


class FetchFailed(RefusedInput, ValueError):
    """The URL did not give a file within the limits; the message says why, for the person."""


async def system_resolve(host: str, port: int) -> list[str]:
    found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(address[0]) for *_, address in found]


@dataclass(frozen=True)
class FetchPolicy:
    """What may be fetched. `private` (the local run and the tests only) also lifts the scheme
    and port rules: their servers are plain http on any port of 127.0.0.1."""

    private: bool = False
    plain_http: bool = False
    ports: frozenset[int] = frozenset({443, 80})
    resolve: Resolve = field(default=system_resolve)


async def vetted_address(url: httpx.URL, policy: FetchPolicy) -> str:
    """The one address the URL's host is reached at; FetchFailed when it may not be."""
    allowed = {"https", "http"} if policy.private or policy.plain_http else {"https"}
    if url.scheme not in allowed:
        raise FetchFailed("only https URLs are fetched")
    port = url.port or (443 if url.scheme == "https" else 80)
    if not policy.private and port not in policy.ports:
        raise FetchFailed(f"only URLs on port {' or '.join(map(str, sorted(policy.ports)))}")
    try:
        addresses = await policy.resolve(url.host, port)
    except OSError:
        addresses = []
    if not addresses:
        raise FetchFailed(f"the host {url.host!r} could not be found")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not policy.private and (not ip.is_global or ip.is_multicast):
            raise FetchFailed(f"the URL's host {url.host!r} is not a public address")
    return addresses[0]


async def stream_to(
    url: str,
    limits: tuple[int, float],
    sink: Callable[[bytes], object],
    what: str,
    policy: FetchPolicy,
) -> None:
    """Hand the URL's body to `sink` part by part, within (max bytes, seconds)."""
    max_bytes, timeout_s = limits
    target = httpx.URL(url)
    try:
        async with asyncio.timeout(timeout_s):
            address = await vetted_address(target, policy)
            await _stream_from(target, address, max_bytes, sink, what)
    except TimeoutError:
        raise FetchFailed(f"the URL did not answer within {timeout_s:.0f} s") from None
    except httpx.HTTPError as error:
        logger.info("fetching %s failed: %r", target.host, error)
        raise FetchFailed(NOT_FETCHED) from None


async def _stream_from(
    target: httpx.URL, address: str, max_bytes: int, sink: Callable[[bytes], object], what: str
) -> None:
    # the connection goes to the vetted address; the name travels as Host and as TLS SNI, so
    # the certificate is still checked against the name (the whole fetch is under one timeout)
    pinned = target.copy_with(host=address)
    host = target.netloc.decode("ascii")
    async with (
        httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=None) as http,
        http.stream(
            "GET", pinned, headers={"Host": host}, extensions={"sni_hostname": target.host}
        ) as answer,
    ):
        if answer.status_code != 200:
            logger.info("fetching %s answered %d", target.host, answer.status_code)
            raise FetchFailed(NOT_FETCHED)
        received = 0
        async for part in answer.aiter_bytes():
            received += len(part)
            if received > max_bytes:
                raise FetchFailed(f"the {what} is larger than {max_bytes} bytes")
            sink(part)
