"""An OpenAI-compatible stand-in: `/v1/chat/completions` answers with JSON that fits Gatepost's
requests (a carousel in the language asked for, or a language guess), and
`/v1/images/generations` renders real PNG images. Every call's start and end are recorded, and a
control API makes chosen requests fail or return invalid output."""

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
from pydantic import BaseModel

from gatepost_standins.openai.content import carousel_for, guess_language


class Behaviour(BaseModel):
    """Substring rules: a request whose prompt contains one of them misbehaves."""

    invalid_text_when: list[str] = []
    fail_image_when: list[str] = []
    image_latency_s: float = 0.0


def openai_error(message: str, status: int, kind: str = "server_error") -> JSONResponse:
    return JSONResponse(
        {"error": {"message": message, "type": kind, "param": None, "code": None}},
        status_code=status,
    )


def create_app(image_latency_s: float = 0.0) -> FastAPI:
    app = FastAPI(title="OpenAI-compatible stand-in")
    calls: list[dict[str, Any]] = []
    state = {"behaviour": Behaviour(image_latency_s=image_latency_s)}

    def unauthorized(request: Request) -> JSONResponse | None:
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return openai_error("You didn't provide an API key.", 401, "invalid_request_error")
        return None

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> JSONResponse:
        started = time.time()
        if (denied := unauthorized(request)) is not None:
            return denied
        body = await request.json()
        prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        calls.append({"kind": "chat", "start": started, "end": time.time(), "prompt": prompt})
        if any(rule in prompt for rule in state["behaviour"].invalid_text_when):
            content = '{"title": "only a title"'  # cut off: not even JSON
        else:
            content = json.dumps(answer(prompt), ensure_ascii=False)
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
        prompt = str(body.get("prompt", ""))
        await asyncio.sleep(state["behaviour"].image_latency_s)
        calls.append({"kind": "image", "start": started, "end": time.time(), "prompt": prompt})
        if any(rule in prompt for rule in state["behaviour"].fail_image_when):
            return openai_error("The image could not be generated.", 500)
        png = render(prompt, str(body.get("size", "1024x1024")))
        return JSONResponse(
            {"created": int(started), "data": [{"b64_json": base64.b64encode(png).decode()}]}
        )

    @app.put("/_control/behaviour")
    async def behaviour(rules: Behaviour) -> Behaviour:
        state["behaviour"] = rules
        return rules

    @app.get("/_control/calls")
    async def control_calls() -> list[dict[str, Any]]:
        return calls

    return app


def answer(prompt: str) -> dict[str, Any]:
    detect = re.search(r"Detect language: (.+)", prompt)
    if detect:
        return {"language": guess_language(detect.group(1))}
    topic_match = re.search(r"Topic: (.+)", prompt)
    topic = topic_match.group(1).strip() if topic_match else prompt[-200:]
    asked = re.search(r"Language \(ISO 639-1\): ([a-z]{2})", prompt)
    return carousel_for(topic, asked.group(1) if asked else guess_language(topic))


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
