"""An OpenAI-compatible stand-in, as strict as the real API (see rules.py): `/v1/chat/completions`
answers with JSON that fits Gatepost's requests (a carousel in the language asked for, or a
language guess) and `usage`; `/v1/images/generations` renders real images. Per-minute budgets
answer 429 with OpenAI's headers; latency and jitter are settings. Every call is recorded, and a
control API (not OpenAI's surface) replaces the settings and reads the calls and counters."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import random
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from PIL import Image, ImageDraw

from gatepost_standins.openai.budgets import Budgets, RateLimited
from gatepost_standins.openai.config import OpenAIStandinConfig
from gatepost_standins.openai.content import carousel_for, guess_language
from gatepost_standins.openai.rules import (
    ImageRequest,
    Refused,
    check_chat_request,
    check_image_request,
)

IMAGE_TOKENS = {"low": 272, "medium": 1056, "high": 4160}  # a 1024² image's output tokens


@dataclass
class World:
    started_with: OpenAIStandinConfig
    config: OpenAIStandinConfig
    budgets: Budgets
    rng: random.Random
    calls: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    in_flight: int = 0
    peak_in_flight: int = 0
    refused: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, config: OpenAIStandinConfig, started_with: OpenAIStandinConfig) -> World:
        return cls(started_with, config, Budgets(config.budgets), random.Random(config.seed))

    def latency(self, base: float, jitter: float) -> float:
        return max(0.0, base + self.rng.uniform(-jitter, jitter)) if base or jitter else 0.0

    def refused_call(self, kind: str, started: float, refusal: Refused) -> JSONResponse:
        """Count and record a refused call; OpenAI's answer to it."""
        key = refusal.code or str(refusal.status)
        self.refused[key] = self.refused.get(key, 0) + 1
        self.calls.append(
            {
                "kind": kind,
                "start": started,
                "end": time.time(),
                "status": refusal.status,
                "code": refusal.code,
                "prompt": "",
            }
        )
        return error_response(refusal)

    def storm(self, kind: str) -> None:
        """The next N requests of `kind` are refused with 429 (config.next_rate_limited)."""
        left = self.config.next_rate_limited.get(kind, 0)  # type: ignore[call-overload]
        if left > 0:
            self.config.next_rate_limited[kind] = left - 1  # type: ignore[index]
            wait = self.config.storm_retry_after_s
            headers = {
                "retry-after": str(max(1, round(wait))),
                "retry-after-ms": str(round(wait * 1000)),
            }
            self.budgets.refused += 1
            raise RateLimited(
                "Rate limit reached (a storm the control API asked for).", wait, headers
            )


def error_response(refusal: Refused) -> JSONResponse:
    headers = refusal.headers if isinstance(refusal, RateLimited) else None
    return JSONResponse(refusal.body(), status_code=refusal.status, headers=headers)


def create_app(config: OpenAIStandinConfig | None = None) -> FastAPI:
    app = FastAPI(title="OpenAI-compatible stand-in")
    initial = config or OpenAIStandinConfig()
    world = World.of(initial.model_copy(deep=True), initial)

    async def read(request: Request) -> dict[str, Any]:
        if not request.headers.get("authorization", "").startswith("Bearer "):
            raise Refused(401, "You didn't provide an API key.")
        try:
            body = json.loads(await request.body())
        except ValueError:
            raise Refused(400, "We could not parse the JSON body of your request.") from None
        if not isinstance(body, dict):
            raise Refused(400, "We could not parse the JSON body of your request.")
        return body

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Response:
        started = time.time()
        try:
            body = await read(request)
            check_chat_request(body, world.config, datetime.now(UTC).date())
            prompt = "\n".join(str(m.get("content", "")) for m in body["messages"])
            world.storm("chat")
            headers = world.budgets.take(
                body["model"], {"requests": 1, "tokens": len(prompt) // 4 + 1000}
            )
        except Refused as refusal:
            return world.refused_call("chat", started, refusal)
        await asyncio.sleep(world.latency(world.config.text_latency_s, world.config.text_jitter_s))
        if any(rule in prompt for rule in world.config.invalid_text_when):
            content = '{"title": "only a title"'  # cut off: not even JSON
        else:
            content = json.dumps(answer(prompt), ensure_ascii=False)
        world.calls.append(
            {
                "kind": "chat",
                "start": started,
                "end": time.time(),
                "status": 200,
                "prompt": prompt,
                "model": body["model"],
            }
        )
        prompt_tokens, completion_tokens = len(prompt) // 4, len(content) // 4
        return JSONResponse(
            {
                "id": f"chatcmpl-{uuid.uuid4().hex}",
                "object": "chat.completion",
                "created": int(started),
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "logprobs": None,
                        "message": {"role": "assistant", "content": content, "refusal": None},
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            },
            headers=headers,
        )

    @app.post("/v1/images/generations")
    async def images(request: Request) -> Response:
        started = time.time()
        try:
            body = await read(request)
            asked = check_image_request(body, world.config, datetime.now(UTC).date())
            world.storm("image")
            headers = world.budgets.take(body["model"], {"requests": 1, "images": asked.n})
        except Refused as refusal:
            return world.refused_call("image", started, refusal)
        world.in_flight += 1
        world.peak_in_flight = max(world.peak_in_flight, world.in_flight)
        try:
            cfg = world.config
            await asyncio.sleep(world.latency(cfg.image_latency_s, cfg.image_jitter_s))
        finally:
            world.in_flight -= 1
        prompt = str(body["prompt"])
        world.calls.append(
            {
                "kind": "image",
                "start": started,
                "end": time.time(),
                "status": 200,
                "prompt": prompt,
                "model": body["model"],
                "params": {k: v for k, v in body.items() if k != "prompt"},
            }
        )
        if any(rule in prompt for rule in world.config.fail_image_when):
            failure = {
                "message": "The server had an error while processing your request.",
                "type": "server_error",
                "param": None,
                "code": None,
            }
            return JSONResponse({"error": failure}, status_code=500)
        # a model draws anew each time: the same prompt gives another picture
        draws = [world.rng.randrange(1 << 30) for _ in range(asked.n)]
        rendered = await asyncio.to_thread(lambda: [render(prompt, asked, d) for d in draws])
        base = str(request.base_url).rstrip("/")
        return JSONResponse(
            image_answer(world, asked, rendered, body, started, base), headers=headers
        )

    @app.get("/_files/{name}")
    async def file(name: str) -> Response:
        data = world.files.get(name)
        if data is None:
            return JSONResponse({"error": "gone"}, status_code=404)
        return Response(data, media_type="image/png")

    @app.put("/_control/config")
    async def replace_config(new: OpenAIStandinConfig) -> OpenAIStandinConfig:
        """Replace every setting and start a new world (calls and counters cleared)."""
        nonlocal world
        world = World.of(new, world.started_with)
        return new

    @app.put("/_control/behaviour")
    async def behaviour(changes: dict[str, Any]) -> OpenAIStandinConfig:
        """The start-up settings with these fields changed; calls and windows are kept."""
        merged = world.started_with.model_dump() | changes
        world.config = OpenAIStandinConfig(**merged)
        world.budgets.limits = world.config.budgets
        return world.config

    @app.get("/_control/calls")
    async def control_calls() -> list[dict[str, Any]]:
        return world.calls

    @app.get("/_control/stats")
    async def stats() -> dict[str, Any]:
        answered = [c for c in world.calls if c.get("status") == 200]
        return {
            "images": sum(1 for c in answered if c["kind"] == "image"),
            "chats": sum(1 for c in answered if c["kind"] == "chat"),
            "rate_limited": world.budgets.refused,
            "refused": world.refused,
            "peak_images_in_flight": world.peak_in_flight,
        }

    @app.exception_handler(Refused)
    async def refused(_: Request, refusal: Refused) -> JSONResponse:
        return error_response(refusal)

    return app


def image_answer(
    world: World,
    asked: ImageRequest,
    rendered: list[bytes],
    body: dict[str, Any],
    at: float,
    base_url: str,
) -> dict[str, Any]:
    data: list[dict[str, Any]] = []
    for image in rendered:
        if asked.as_url:
            name = f"{uuid.uuid4().hex}.png"
            world.files[name] = image
            data.append({"url": f"{base_url}/_files/{name}", "revised_prompt": body["prompt"]})
        else:
            data.append({"b64_json": base64.b64encode(image).decode()})
    answer: dict[str, Any] = {"created": int(at), "data": data}
    if asked.family.startswith("gpt-image"):
        quality = str(body.get("quality") or "medium")
        output = IMAGE_TOKENS.get(quality, IMAGE_TOKENS["medium"]) * asked.n
        text_tokens = len(str(body["prompt"])) // 4
        answer |= {
            "background": body.get("background") or "opaque",
            "output_format": asked.output_format,
            "quality": quality,
            "size": f"{asked.width}x{asked.height}",
            "usage": {
                "input_tokens": text_tokens,
                "input_tokens_details": {"image_tokens": 0, "text_tokens": text_tokens},
                "output_tokens": output,
                "total_tokens": text_tokens + output,
            },
        }
    return answer


def answer(prompt: str) -> dict[str, Any]:
    detect = re.search(r"Detect language: (.+)", prompt)
    if detect:
        return {"language": guess_language(detect.group(1))}
    topic_match = re.search(r"Topic: (.+)", prompt)
    topic = topic_match.group(1).strip() if topic_match else prompt[-200:]
    asked = re.search(r"Language \(ISO 639-1\): ([a-z]{2})", prompt)
    return carousel_for(topic, asked.group(1) if asked else guess_language(topic))


def render(prompt: str, asked: ImageRequest, draw_id: int) -> bytes:
    """A real image: a colour from the prompt's (and this draw's) hash, the prompt written on it."""
    width, height = asked.width, asked.height
    digest = hashlib.sha256(f"{prompt}#{draw_id}".encode()).digest()
    image = Image.new("RGB", (width, height), (digest[0], digest[1], digest[2]))
    draw = ImageDraw.Draw(image)
    draw.rectangle(
        (width // 10, height // 3, width * 9 // 10, height * 2 // 3), fill=(250, 250, 250)
    )
    draw.text((width // 8, height // 2), prompt[:60], fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, {"jpeg": "JPEG", "webp": "WEBP"}.get(asked.output_format, "PNG"))
    return out.getvalue()
