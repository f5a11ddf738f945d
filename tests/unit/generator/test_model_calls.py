"""The generator's model calls against the strict OpenAI stand-in (in process): the parameters
each model family takes, structured output in strict mode, and retries — a 429 waits for
retry-after and retries that call, transient failures are bounded, refusals are final."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest
from openai import AsyncOpenAI

from gatepost_generator.domain import CarouselText
from gatepost_generator.generation import Generator
from gatepost_generator.language import LinguaDetector
from gatepost_generator.provider import ModelCalls, SharedBudget, Usage
from gatepost_generator.settings import Settings
from gatepost_standins.openai.app import create_app
from gatepost_standins.openai.config import OpenAIStandinConfig


def settings(**fields: Any) -> Settings:
    base = {
        "session_public_key": "unused",
        "openai_api_key": "sk-test",
        "openai_base_url": "http://standin/v1",
    }
    return Settings(**(base | fields))


class Standin:
    def __init__(self, **config: Any) -> None:
        self.app = create_app(OpenAIStandinConfig(**config))
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://standin"
        )

    def calls(self, s: Settings) -> tuple[ModelCalls, list[float]]:
        slept: list[float] = []

        async def sleep(seconds: float) -> None:
            slept.append(seconds)

        ai = AsyncOpenAI(
            api_key="sk-test", base_url="http://standin/v1", http_client=self.http, max_retries=0
        )
        no_budget = SharedBudget(limiter=None, per_minute={})  # type: ignore[arg-type]
        return ModelCalls(ai, no_budget, s, sleep=sleep), slept

    async def control(self, path: str) -> Any:
        return (await self.http.get(f"/_control/{path}")).json()


@pytest.mark.parametrize(
    ("model", "retired"),
    [("gpt-image-2", False), ("gpt-image-1.5", False), ("gpt-image-1", True), ("dall-e-3", True)],
)
async def test_image_calls_pass_the_strict_standin_for_each_family(
    model: str, retired: bool
) -> None:
    standin = Standin(serve_retired_models=retired)
    calls, _ = standin.calls(settings(image_model=model))
    usage = Usage()
    png = await calls.image("a lighthouse at dawn", usage)
    assert png.startswith(b"\x89PNG") and usage.images == 1
    [call] = await standin.control("calls")
    assert call["status"] == 200 and call["model"] == model
    assert ("response_format" in call["params"]) == model.startswith("dall-e")


def test_unknown_or_shut_down_models_are_refused_at_start() -> None:
    with pytest.raises(ValueError, match="IMAGE_MODEL_FAMILY"):
        settings(image_model="flux-pro")
    assert (
        settings(image_model="flux-pro", image_model_family="dall-e-2").image_family == "dall-e-2"
    )
    with pytest.raises(ValueError, match="shut gpt-image-1 down"):
        settings(image_model="gpt-image-1", openai_base_url=None)
    with pytest.raises(ValueError, match="IMAGE_SIZE"):
        settings(image_model="gpt-image-1.5", image_size="1080x1080")


async def test_the_carousel_is_asked_for_in_strict_structured_output_mode() -> None:
    standin = Standin()
    s = settings()
    calls, _ = standin.calls(s)
    checker = LinguaDetector(languages=["en", "fr"], accuracy="low")
    generator = Generator(s, None, calls, None, None, checker, None, None)  # type: ignore[arg-type]
    usage = Usage()
    text = await generator.write_text("Three stretches for desk workers", "en", usage)
    assert isinstance(text, CarouselText) and len(text.slides) == 7
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert (await standin.control("stats"))["refused"] == {}


async def test_a_429_storm_waits_retry_after_and_retries_only_that_call() -> None:
    standin = Standin(next_rate_limited={"image": 3}, storm_retry_after_s=2.5)
    calls, slept = standin.calls(settings())
    usage = Usage()
    assert await calls.image("a lighthouse", usage)
    assert slept == [2.5, 2.5, 2.5] and usage.rate_limited == 3 and usage.images == 1


async def test_rate_limited_attempts_are_bounded() -> None:
    standin = Standin(next_rate_limited={"image": 10}, storm_retry_after_s=0.1)
    calls, slept = standin.calls(settings(rate_limited_attempts=4))
    with pytest.raises(openai.RateLimitError):
        await calls.image("a lighthouse", Usage())
    assert len(slept) == 4


async def test_server_errors_are_retried_a_bounded_number_of_times_and_refusals_never() -> None:
    standin = Standin(fail_image_when=["broken"])
    calls, slept = standin.calls(settings(call_attempts=3))
    with pytest.raises(openai.InternalServerError):
        await calls.image("broken lighthouse", Usage())
    assert len([c for c in await standin.control("calls") if c["kind"] == "image"]) == 3
    assert len(slept) == 2
    refusing, slept = Standin().calls(settings(image_model="gpt-image-1.5", image_quality="low"))
    refusing.settings.image_size = "1536x1024"
    refusing.settings.image_quality = "hd"  # what the API refuses: never sent twice
    with pytest.raises(openai.BadRequestError):
        await refusing.image("a lighthouse", Usage())
    assert slept == []
