"""An OpenAI-compatible stand-in: `/v1/chat/completions` answers with JSON that fits the
requested schema, in the language the prompt asks for; `/v1/images/generations` renders real
PNG images. Every request's start and end time is recorded for concurrency checks."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import re
import time
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from PIL import Image, ImageDraw

from gatepost_standins.openai.content import carousel_for, guess_language


def create_app(image_latency_s: float = 0.0) -> FastAPI:
    app = FastAPI(title="OpenAI-compatible stand-in")
    calls: list[dict[str, Any]] = []
    app.state.calls = calls
    app.state.image_latency_s = image_latency_s

    def unauthorized(request: Request) -> JSONResponse | None:
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return JSONResponse(
                {
                    "error": {
                        "message": "You didn't provide an API key.",
                        "type": "invalid_request_error",
                        "code": None,
                    }
                },
                401,
            )
        return None

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> JSONResponse:
        started = time.time()
        if (denied := unauthorized(request)) is not None:
            return denied
        body = await request.json()
        prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        topic = _topic(prompt)
        language = guess_language(topic)
        content = json.dumps(
            {"language": language, **carousel_for(topic, language)}, ensure_ascii=False
        )
        calls.append({"kind": "chat", "start": started, "end": time.time()})
        return JSONResponse(
            {
                "id": f"chatcmpl-{uuid.uuid4().hex}",
                "object": "chat.completion",
                "created": int(started),
                "model": body.get("model", "stand-in"),
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "logprobs": None,
                        "message": {"role": "assistant", "content": content, "refusal": None},
                    }
                ],
                "usage": {
                    "prompt_tokens": len(prompt) // 4,
                    "completion_tokens": len(content) // 4,
                    "total_tokens": (len(prompt) + len(content)) // 4,
                },
            }
        )

    @app.post("/v1/images/generations")
    async def images(request: Request) -> JSONResponse:
        started = time.time()
        if (denied := unauthorized(request)) is not None:
            return denied
        body = await request.json()
        await asyncio.sleep(app.state.image_latency_s)
        png = render(str(body.get("prompt", "")), str(body.get("size", "1024x1024")))
        calls.append({"kind": "image", "start": started, "end": time.time()})
        return JSONResponse(
            {"created": int(started), "data": [{"b64_json": base64.b64encode(png).decode()}]}
        )

    @app.get("/_control/calls")
    async def control_calls() -> list[dict[str, Any]]:
        return calls

    return app


def _topic(prompt: str) -> str:
    match = re.search(r"Topic: (.+)", prompt)
    return match.group(1).strip() if match else prompt[-200:]


def render(prompt: str, size: str) -> bytes:
    """A real PNG: a colour from the prompt's hash with the prompt written on it."""
    width, height = (int(v) for v in size.split("x")) if "x" in size else (1024, 1024)
    digest = hashlib.sha256(prompt.encode()).digest()
    image = Image.new("RGB", (width, height), (digest[0], digest[1], digest[2]))
    draw = ImageDraw.Draw(image)
    draw.rectangle(
        (width // 10, height // 3, width * 9 // 10, height * 2 // 3), fill=(250, 250, 250)
    )
    draw.text((width // 8, height // 2), prompt[:60], fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
