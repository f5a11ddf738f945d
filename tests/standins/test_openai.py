"""The OpenAI stand-in refuses what the real API refuses, driven by the real `openai` SDK (in
process, through an ASGI transport): per model family parameters, shut-down models, strict JSON
schemas, per-minute budgets with OpenAI's 429 and headers."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest
from openai import AsyncOpenAI

from gatepost_standins.openai.app import create_app
from gatepost_standins.openai.config import OpenAIStandinConfig


def client_for(**config: Any) -> AsyncOpenAI:
    app = create_app(OpenAIStandinConfig(**config))
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://standin")
    return AsyncOpenAI(
        api_key="sk-test", base_url="http://standin/v1", http_client=http, max_retries=0
    )


async def test_gpt_image_models_refuse_response_format() -> None:
    """The call the generator used to make: the real API answers 400 unknown_parameter."""
    ai = client_for()
    with pytest.raises(openai.BadRequestError) as refused:
        await ai.images.generate(
            model="gpt-image-2", prompt="a cat", size="1024x1024", response_format="b64_json"
        )
    assert refused.value.code == "unknown_parameter"
    assert refused.value.param == "response_format"
    made = await ai.images.generate(model="gpt-image-2", prompt="a cat", size="1024x1024")
    assert made.data and made.data[0].b64_json and made.data[0].url is None
    assert made.usage is not None and made.usage.output_tokens > 0


async def test_shut_down_models_are_refused_unless_the_endpoint_still_serves_them() -> None:
    for model in ("gpt-image-1", "dall-e-3"):
        with pytest.raises(openai.NotFoundError) as gone:
            await client_for().images.generate(model=model, prompt="a cat")
        assert gone.value.code == "model_not_found" and "deprecated" in gone.value.message
    with pytest.raises(openai.BadRequestError) as legacy:
        await client_for(serve_retired_models=True).images.generate(
            model="gpt-image-1", prompt="a cat", response_format="b64_json"
        )
    assert legacy.value.code == "unknown_parameter"


async def test_unknown_models_are_not_found() -> None:
    with pytest.raises(openai.NotFoundError) as unknown:
        await client_for().images.generate(model="flux-pro", prompt="a cat")
    assert unknown.value.code == "model_not_found"
    served = client_for(extra_models={"flux-pro": "dall-e-2"})
    assert (await served.images.generate(model="flux-pro", prompt="a cat")).data


@pytest.mark.parametrize(
    ("model", "params", "param"),
    [
        ("gpt-image-2", {"size": "1080x1080"}, "size"),  # not divisible by 16
        ("gpt-image-2", {"size": "2048x512"}, "size"),  # wider than 3:1
        ("gpt-image-2", {"quality": "hd"}, "quality"),
        ("gpt-image-2", {"style": "vivid"}, "style"),
        ("gpt-image-2", {"n": 11}, "n"),
        ("gpt-image-1.5", {"size": "1088x1088"}, "size"),  # free sizes are gpt-image-2's
        ("dall-e-3", {"n": 2}, "n"),
        ("dall-e-3", {"size": "1536x1024"}, "size"),
        ("dall-e-3", {"quality": "high"}, "quality"),
        ("dall-e-3", {"output_format": "jpeg"}, "output_format"),
        ("dall-e-2", {"size": "1024x1792"}, "size"),
    ],
)
async def test_each_family_refuses_values_it_does_not_take(
    model: str, params: dict[str, Any], param: str
) -> None:
    ai = client_for(serve_retired_models=True)
    with pytest.raises(openai.BadRequestError) as refused:
        await ai.images.generate(model=model, prompt="a cat", **params)
    assert refused.value.param == param, refused.value.message


async def test_each_family_answers_as_the_real_one() -> None:
    ai = client_for(serve_retired_models=True)
    free = await ai.images.generate(model="gpt-image-2", prompt="a cat", size="1088x1088")
    assert free.size == "1088x1088"
    dalle = await ai.images.generate(model="dall-e-3", prompt="a cat", size="1792x1024")
    assert dalle.data and dalle.data[0].url and dalle.data[0].b64_json is None  # url by default
    assert dalle.usage is None


async def test_unknown_parameters_are_refused() -> None:
    ai = client_for()
    with pytest.raises(openai.BadRequestError) as refused:
        await ai.chat.completions.create(
            model="gpt-5.4-mini",
            messages=[{"role": "user", "content": "hi"}],
            extra_body={"temprature": 0.2},
        )
    assert refused.value.code == "unknown_parameter" and refused.value.param == "temprature"


def carousel_format(schema: dict[str, Any], strict: bool = True) -> Any:
    return {
        "type": "json_schema",
        "json_schema": {"name": "carousel", "schema": schema, "strict": strict},
    }


async def test_strict_json_schemas_must_be_closed_and_in_the_subset() -> None:
    ai = client_for()
    messages: Any = [{"role": "user", "content": "Topic: cats"}]
    open_object = {"type": "object", "properties": {"title": {"type": "string"}}}
    bounded = {
        "type": "object",
        "properties": {"title": {"type": "string", "minLength": 1}},
        "required": ["title"],
        "additionalProperties": False,
    }
    for schema, words in ((open_object, "additionalProperties"), (bounded, "minLength")):
        with pytest.raises(openai.BadRequestError) as refused:
            await ai.chat.completions.create(
                model="gpt-5.4-mini", messages=messages, response_format=carousel_format(schema)
            )
        assert words in refused.value.message
    # not strict: the schema is a hint, and any JSON Schema is taken
    answer = await ai.chat.completions.create(
        model="gpt-5.4-mini", messages=messages, response_format=carousel_format(bounded, False)
    )
    assert answer.usage is not None and answer.usage.prompt_tokens >= 0


async def test_a_budget_answers_429_with_retry_after_and_rate_limit_headers() -> None:
    ai = client_for(budgets={"gpt-image-2": {"images_per_minute": 2}})
    first = await ai.images.with_raw_response.generate(model="gpt-image-2", prompt="a")
    assert first.headers["x-ratelimit-limit-images"] == "2"
    assert first.headers["x-ratelimit-remaining-images"] == "1"
    await ai.images.generate(model="gpt-image-2", prompt="b")
    with pytest.raises(openai.RateLimitError) as limited:
        await ai.images.generate(model="gpt-image-2", prompt="c")
    headers = limited.value.response.headers
    assert limited.value.code == "rate_limit_exceeded"
    assert 50 <= int(headers["retry-after"]) <= 60
    assert headers["x-ratelimit-remaining-images"] == "0"
    assert "images per minute (IPM): Limit 2, Used 2, Requested 1" in limited.value.message
    # another model's budget is its own
    assert (await ai.images.generate(model="gpt-image-2.5-flare", prompt="d")).data
