"""Fetching a video a person names by URL, through `gatepost_common.outbound` (the name resolved
once, every address vetted, the connection to the vetted address); bounded in size and time, no
redirects followed, no proxies from the environment, and errors that say nothing of what
answered."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import httpx
from pydantic import AnyHttpUrl, BaseModel, ConfigDict

from gatepost_common.outbound import FetchFailed as FetchFailed
from gatepost_common.outbound import FetchPolicy as FetchPolicy
from gatepost_common.outbound import outbound_client, pinned, vetted_address

logger = logging.getLogger(__name__)
NOT_FETCHED = "the URL did not give the file (it must answer 200 itself, without a redirect)"


class FetchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: AnyHttpUrl


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
    # the whole fetch is under one timeout (stream_to's)
    request = pinned(target, address)
    async with (
        outbound_client(None) as http,
        http.stream(
            "GET", request.url, headers=request.headers, extensions=request.extensions
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
