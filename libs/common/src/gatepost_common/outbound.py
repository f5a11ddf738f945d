"""Requests Gatepost makes to an address someone else named (a video URL in media, a webhook
endpoint in approval): the name is resolved once, every address it gives is vetted (public only,
https on the usual ports), and the connection goes to the vetted address, so a name that answers
differently the second time (DNS rebinding) cannot steer it inside. The local run and the tests
lift the rules with `private` (their servers are plain http on any port of 127.0.0.1)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from gatepost_common.errors import RefusedInput

Resolve = Callable[[str, int], Awaitable[list[str]]]


class FetchFailed(RefusedInput, ValueError):
    """The URL may not be reached, or did not answer within the limits; the message says why,
    for the person (never what answered inside)."""


async def system_resolve(host: str, port: int) -> list[str]:
    found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(address[0]) for *_, address in found]


@dataclass(frozen=True)
class FetchPolicy:
    """What may be reached. `private` (the local run and the tests only) also lifts the scheme
    and port rules: their servers are plain http on any port of 127.0.0.1."""

    private: bool = False
    plain_http: bool = False
    ports: frozenset[int] = frozenset({443, 80})
    resolve: Resolve = field(default=system_resolve)


async def vetted_address(url: httpx.URL, policy: FetchPolicy) -> str:
    """The one address the URL's host is reached at; FetchFailed when it may not be."""
    allowed = {"https", "http"} if policy.private or policy.plain_http else {"https"}
    if url.scheme not in allowed:
        raise FetchFailed("only https URLs are reached")
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


@dataclass(frozen=True)
class Pinned:
    """A request's URL with its host replaced by the vetted address; the name travels as Host
    and as TLS SNI, so the certificate is still checked against the name."""

    url: httpx.URL
    headers: dict[str, str]
    extensions: dict[str, Any]


def pinned(target: httpx.URL, address: str) -> Pinned:
    host = target.netloc.decode("ascii")
    return Pinned(target.copy_with(host=address), {"Host": host}, {"sni_hostname": target.host})


def outbound_client(timeout_s: float | None) -> httpx.AsyncClient:
    """A client for pinned requests: no redirects followed, no proxies from the environment."""
    return httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=timeout_s)
