"""Fetching an image for an internal caller: bounded in size and time, no redirects followed."""

from __future__ import annotations

import asyncio

import httpx
from pydantic import AnyHttpUrl, BaseModel, ConfigDict


class FetchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: AnyHttpUrl


class FetchFailed(ValueError):
    """The URL did not give an image within the limits; the message says why."""


async def download(url: str, max_bytes: int, timeout_s: float) -> bytes:
    try:
        async with (
            asyncio.timeout(timeout_s),
            httpx.AsyncClient(follow_redirects=False, timeout=timeout_s) as http,
            http.stream("GET", url) as answer,
        ):
            if answer.status_code != 200:
                raise FetchFailed(f"the URL answered HTTP {answer.status_code}")
            data = bytearray()
            async for part in answer.aiter_bytes():
                data += part
                if len(data) > max_bytes:
                    raise FetchFailed(f"the image is larger than {max_bytes} bytes")
            return bytes(data)
    except TimeoutError:
        raise FetchFailed(f"the URL did not answer within {timeout_s:.0f} s") from None
    except httpx.HTTPError as error:
        raise FetchFailed(f"the URL could not be fetched: {type(error).__name__}") from None
