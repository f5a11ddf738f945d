"""Calls to the model provider within its limits: per-minute budgets shared by every generator
replica (MongoDB sliding windows), a 429 waits for `retry-after` and retries that one call,
transient failures (5xx, time-outs, dropped connections) are retried a bounded number of times,
and what each call used is counted."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from openai import (
    APIConnectionError,
    APIStatusError,
    AsyncOpenAI,
    InternalServerError,
    RateLimitError,
)
from openai.types.chat import ChatCompletionMessageParam

from gatepost_common.metrics import AI_IMAGES, AI_RATE_LIMITED, AI_TOKENS
from gatepost_common.slide_style import SlideFormat
from gatepost_generator import image_api
from gatepost_generator.settings import Settings
from gatepost_generator.turns import Turns

logger = logging.getLogger(__name__)
T = TypeVar("T")


class Budget(Protocol):
    async def take(self, model: str, kind: str) -> None:
        """Wait until one `kind` (requests, images) of `model` fits this minute, then take it."""


class Limiter(Protocol):
    async def acquire(self, key: str, limit: int) -> None: ...


@dataclass
class SharedBudget:
    """Per-minute budgets of the provider, held together by every replica."""

    limiter: Limiter
    per_minute: dict[str, int]  # kind → limit; 0 or absent: no budget of that kind

    async def take(self, model: str, kind: str) -> None:
        if limit := self.per_minute.get(kind, 0):
            await self.limiter.acquire(f"openai:{model}:{kind}", limit)


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    image_tokens: int = 0
    images: int = 0
    rate_limited: int = 0

    def as_increments(self) -> dict[str, int]:
        return {f"usage.{k}": v for k, v in self.__dict__.items() if v}


def retry_after_s(error: RateLimitError, ceiling: float) -> float:
    headers = error.response.headers
    try:
        if "retry-after-ms" in headers:
            return min(float(headers["retry-after-ms"]) / 1000, ceiling)
        return min(float(headers.get("retry-after", "1")), ceiling)
    except ValueError:
        return 1.0


@dataclass
class ModelCalls:
    ai: AsyncOpenAI
    budget: Budget
    settings: Settings
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    turns: Turns = field(default_factory=Turns)  # the budget taken person after person

    async def _call(
        self, model: str, kinds: tuple[str, ...], call: Callable[[], Awaitable[T]], usage: Usage
    ) -> T:
        """One call: budget first (in the person's turn), then the call; 429 → wait and
        again, transient → bounded."""
        failures = limited = 0
        while True:
            async with self.turns.turn():
                for kind in kinds:
                    await self.budget.take(model, kind)
            try:
                return await call()
            except RateLimitError as error:
                if error.code == "insufficient_quota":  # no waiting fixes an empty account
                    raise
                limited += 1
                usage.rate_limited += 1
                AI_RATE_LIMITED.add(1, {"model": model})
                if limited > self.settings.rate_limited_attempts:
                    raise
                await self.sleep(retry_after_s(error, self.settings.max_retry_after_s))
            except (APIConnectionError, InternalServerError) as error:  # time-outs included
                failures += 1
                if failures >= self.settings.call_attempts:
                    raise
                logger.info("model call failed, retrying", extra={"fields": {"error": str(error)}})
                await self.sleep(min(0.5 * 2**failures, 8.0))

    async def chat(
        self, messages: list[ChatCompletionMessageParam], response_format: Any, usage: Usage
    ) -> str:
        model = self.settings.text_model
        completion = await self._call(
            model,
            ("requests",),
            lambda: self.ai.chat.completions.create(
                model=model, messages=messages, response_format=response_format
            ),
            usage,
        )
        if completion.usage is not None:
            usage.prompt_tokens += completion.usage.prompt_tokens
            usage.completion_tokens += completion.usage.completion_tokens
            AI_TOKENS.add(completion.usage.prompt_tokens, {"model": model, "kind": "prompt"})
            AI_TOKENS.add(
                completion.usage.completion_tokens, {"model": model, "kind": "completion"}
            )
        return completion.choices[0].message.content or ""

    async def image(
        self, prompt: str, usage: Usage, slide_format: SlideFormat = "1080x1080"
    ) -> bytes:
        """One illustration, in a size the model takes for slides of `slide_format`."""
        s = self.settings
        size = image_api.size_for(s.image_family, slide_format, s.image_size)
        params = image_api.parameters(s.image_model, s.image_family, prompt, size, s.image_quality)
        result = await self._call(
            s.image_model, ("requests", "images"), lambda: self.ai.images.generate(**params), usage
        )
        usage.images += 1
        AI_IMAGES.add(1, {"model": s.image_model})
        if result.usage is not None:
            usage.image_tokens += result.usage.total_tokens
            AI_TOKENS.add(result.usage.total_tokens, {"model": s.image_model, "kind": "image"})
        if not result.data or not result.data[0].b64_json:
            raise ValueError("the image model returned no image")
        return base64.b64decode(result.data[0].b64_json)


def is_permanent(error: BaseException) -> bool:
    """A refusal no retry will change (a bad request, an unknown model, no access)."""
    return (
        isinstance(error, APIStatusError)
        and error.status_code < 500
        and not isinstance(error, RateLimitError)
    )
