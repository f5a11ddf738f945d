"""What the real OpenAI API refuses, per model family, answered with its error envelope.

Sources: the installed `openai` SDK (3.54) — `ImageGenerateParams` and `CompletionCreateParams`
(parameter names, and docstrings: "response_format … Unsupported for GPT image models", sizes,
qualities, `n` between 1 and 10, `ImageModel`'s deprecation notes: gpt-image-1 shut down on
2026-10-23, DALL·E 2 and 3 on 2026-05-12), `JSONSchema.name` ("a-z, A-Z, 0-9, underscores and
dashes, maximum length of 64"); OpenAI's API reference (DALL·E 3 takes n=1 only, its own sizes,
`standard`/`hd`; DALL·E 2 256/512/1024 squares); and real answers reported publicly (400
`unknown_parameter` "Unknown parameter: 'response_format'." for GPT image models — vercel/ai#6102,
BerriAI/litellm#10501; 404 `model_not_found` "The model `…` has been deprecated" for shut-down
models)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from openai.types.chat.completion_create_params import CompletionCreateParamsBase
from openai.types.image_generate_params import ImageGenerateParamsBase

from gatepost_standins.openai.config import Family, OpenAIStandinConfig

IMAGE_PARAMS = frozenset(ImageGenerateParamsBase.__annotations__) | {"stream"}
CHAT_PARAMS = frozenset(CompletionCreateParamsBase.__annotations__) | {"stream"}

IMAGE_MODELS: dict[str, Family] = {
    "gpt-image-1": "gpt-image",
    "gpt-image-1-mini": "gpt-image",
    "gpt-image-1.5": "gpt-image",
    "chatgpt-image-latest": "gpt-image",
    **{
        name: "gpt-image-2"
        for name in (
            "gpt-image-2",
            "gpt-image-2-2026-04-21",
            "gpt-image-2.5-sunburst",
            "gpt-image-2.5-sunburst-2026-09-08",
            "gpt-image-2.5-flare",
            "gpt-image-2.5-flare-2026-09-08",
            "gpt-image-2.6-sunburst",
            "gpt-image-2.6-flare",
        )
    },
    "dall-e-3": "dall-e-3",
    "dall-e-2": "dall-e-2",
}
CHAT_MODELS = [
    "gpt-6-astra",
    "gpt-6.2-astra",
    "gpt-6.1-sol",
    "gpt-6.2-sol",
    "gpt-6.1-terra",
    "gpt-6-sol",
    "gpt-6-luna",
    "gpt-5.6-sol",
    "gpt-5.6-terra",
    "gpt-5.6-luna",
    "gpt-5.5",
    "gpt-5.4",
    "gpt-5.4-mini",
    "gpt-5.4-nano",
    "gpt-5.2",
    "gpt-5.1",
    "gpt-5",
    "gpt-5-mini",
    "gpt-5-nano",
    "gpt-4.1",
    "gpt-4.1-mini",
    "gpt-4o",
    "gpt-4o-mini",
    "o3",
]
# shut-down dates from the SDK's deprecation notes (ImageModel, ChatModel)
SHUT_DOWN: dict[str, date] = {
    "gpt-image-1": date(2026, 10, 23),
    "dall-e-2": date(2026, 5, 12),
    "dall-e-3": date(2026, 5, 12),
    **{
        name: date(2026, 10, 23)
        for name in [
            "gpt-4.1-nano",
            "o4-mini",
            "o3-mini",
            "o1",
            "gpt-4-turbo",
            "gpt-4",
            "gpt-3.5-turbo",
        ]
    },
    "gpt-5.3-chat-latest": date(2026, 8, 10),
    "gpt-5.2-chat-latest": date(2026, 8, 10),
}
GPT_IMAGE_SIZES = ("1024x1024", "1536x1024", "1024x1536", "auto")
DALLE3_SIZES = ("1024x1024", "1792x1024", "1024x1792")
DALLE2_SIZES = ("256x256", "512x512", "1024x1024")
GPT_IMAGE_ONLY = ("background", "moderation", "output_compression", "output_format", "stream")
PROMPT_LIMITS = {"gpt-image": 32000, "gpt-image-2": 32000, "dall-e-3": 4000, "dall-e-2": 1000}
SCHEMA_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


class Refused(Exception):
    """An answer in OpenAI's error envelope."""

    def __init__(
        self, status: int, message: str, *, param: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code

    def body(self) -> dict[str, Any]:
        kind = "invalid_request_error"
        return {
            "error": {"message": self.message, "type": kind, "param": self.param, "code": self.code}
        }


def unknown_parameter(name: str) -> Refused:
    return Refused(400, f"Unknown parameter: '{name}'.", param=name, code="unknown_parameter")


def missing(param: str) -> Refused:
    return Refused(
        400,
        f"Missing required parameter: '{param}'.",
        param=param,
        code="missing_required_parameter",
    )


def known_parameters(body: dict[str, Any], known: frozenset[str]) -> None:
    for name in body:
        if name not in known:
            raise unknown_parameter(name)


def invalid_value(param: str, value: Any, allowed: str) -> Refused:
    message = f"Invalid value: '{value}'. Supported values are: {allowed}."
    return Refused(400, message, param=param, code="invalid_value")


def family_of(model: Any, kind: str, config: OpenAIStandinConfig, today: date) -> Family:
    """The API family of `model`, or OpenAI's 404 for an unknown or shut-down model."""
    if not isinstance(model, str) or not model:
        raise Refused(400, "you must provide a model parameter", param="model")
    known: dict[str, Family] = (
        dict(IMAGE_MODELS) if kind == "image" else dict.fromkeys(CHAT_MODELS, "chat")
    )
    known.update(
        {m: f for m, f in config.extra_models.items() if (f == "chat") == (kind == "chat")}
    )
    if model in SHUT_DOWN and today >= SHUT_DOWN[model] and not config.serve_retired_models:
        message = (
            f"The model `{model}` has been deprecated, learn more here: "
            "https://platform.openai.com/docs/deprecations"
        )
        raise Refused(404, message, code="model_not_found")
    if model not in known:
        message = f"The model `{model}` does not exist or you do not have access to it."
        raise Refused(404, message, code="model_not_found")
    return known[model]


@dataclass(frozen=True)
class ImageRequest:
    family: Family
    n: int
    width: int
    height: int
    as_url: bool  # DALL·E's default answer is a URL; GPT image models always answer base64
    output_format: str


def check_image_request(
    body: dict[str, Any], config: OpenAIStandinConfig, today: date
) -> ImageRequest:
    if config.strict:
        known_parameters(body, IMAGE_PARAMS)
    family = family_of(body.get("model"), "image", config, today)
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt:
        raise missing("prompt")
    if len(prompt) > PROMPT_LIMITS[family]:
        raise Refused(
            400,
            f"'prompt' is too long: at most {PROMPT_LIMITS[family]} characters.",
            param="prompt",
            code="string_above_max_length",
        )
    n = body.get("n", 1)
    size = body.get("size") or ("auto" if family.startswith("gpt") else "1024x1024")
    if family.startswith("gpt-image"):
        if config.strict:
            for legacy in ("response_format", "style"):
                if legacy in body:
                    raise unknown_parameter(legacy)
            check_gpt_image_options(body, family, size)
        if not isinstance(n, int) or not 1 <= n <= 10:
            raise invalid_value("n", n, "integers from 1 to 10")
        width, height = (1024, 1024) if size == "auto" else parse_size(size)
        fmt = str(body.get("output_format") or "png")
        return ImageRequest(family, n, width, height, False, fmt)
    if config.strict:
        check_dalle_options(body, family, n, size)
    width, height = parse_size(size)
    as_url = body.get("response_format", "url") != "b64_json"
    return ImageRequest(family, int(n), width, height, as_url, "png")


def check_gpt_image_options(body: dict[str, Any], family: Family, size: str) -> None:
    qualities = ["low", "medium", "high", "auto"]
    if "2.5" in str(body.get("model")):
        qualities += ["xhigh", "max"]
    if (quality := body.get("quality")) is not None and quality not in qualities:
        raise invalid_value("quality", quality, ", ".join(qualities))
    if size not in GPT_IMAGE_SIZES and not (family == "gpt-image-2" and free_size_ok(size)):
        allowed = ", ".join(GPT_IMAGE_SIZES)
        if family == "gpt-image-2":
            allowed += (
                " or WIDTHxHEIGHT with both sides divisible by 16, an aspect ratio "
                "between 1:3 and 3:1 and at most 3840x2160"
            )
        raise invalid_value("size", size, allowed)
    fmt = body.get("output_format")
    if fmt is not None and fmt not in ("png", "webp", "jpeg"):
        raise invalid_value("output_format", fmt, "png, webp, jpeg")
    if body.get("background") == "transparent" and fmt == "jpeg":
        raise invalid_value("background", "transparent", "opaque, auto (with jpeg output)")
    if body.get("output_compression") is not None and fmt not in ("webp", "jpeg"):
        raise Refused(
            400,
            "output_compression is only supported for webp and jpeg output.",
            param="output_compression",
            code="invalid_value",
        )


def check_dalle_options(body: dict[str, Any], family: Family, n: Any, size: str) -> None:
    for name in GPT_IMAGE_ONLY:
        if name in body:
            raise unknown_parameter(name)
    if (fmt := body.get("response_format")) is not None and fmt not in ("url", "b64_json"):
        raise invalid_value("response_format", fmt, "url, b64_json")
    sizes = DALLE3_SIZES if family == "dall-e-3" else DALLE2_SIZES
    if size not in sizes:
        raise invalid_value("size", size, ", ".join(sizes))
    qualities = ("standard", "hd") if family == "dall-e-3" else ("standard",)
    if (quality := body.get("quality")) is not None and quality not in qualities:
        raise invalid_value("quality", quality, ", ".join(qualities))
    if family == "dall-e-3" and n != 1:
        raise invalid_value("n", n, "1 (dall-e-3 makes one image per request)")
    if family == "dall-e-2" and (not isinstance(n, int) or not 1 <= n <= 10):
        raise invalid_value("n", n, "integers from 1 to 10")
    if (style := body.get("style")) is not None and (
        family != "dall-e-3" or style not in ("vivid", "natural")
    ):
        raise invalid_value("style", style, "vivid, natural (dall-e-3 only)")


def parse_size(size: Any) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{2,5})x(\d{2,5})", str(size))
    if match is None:
        raise invalid_value("size", size, "WIDTHxHEIGHT")
    return int(match.group(1)), int(match.group(2))


def free_size_ok(size: str) -> bool:
    """gpt-image-2's arbitrary sizes: sides divisible by 16, aspect 1:3 to 3:1, ≤ 3840x2160."""
    match = re.fullmatch(r"(\d{2,5})x(\d{2,5})", size)
    if match is None:
        return False
    width, height = int(match.group(1)), int(match.group(2))
    return (
        width % 16 == 0
        and height % 16 == 0
        and max(width, height) <= 3 * min(width, height)
        and max(width, height) <= 3840
        and width * height <= 3840 * 2160
    )


def check_chat_request(body: dict[str, Any], config: OpenAIStandinConfig, today: date) -> None:
    if config.strict:
        known_parameters(body, CHAT_PARAMS)
    family_of(body.get("model"), "chat", config, today)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise missing("messages")
    if config.strict and (fmt := body.get("response_format")) is not None:
        check_response_format(fmt, config)


def check_response_format(fmt: Any, config: OpenAIStandinConfig) -> None:
    if not isinstance(fmt, dict) or fmt.get("type") not in ("text", "json_object", "json_schema"):
        raise invalid_value("response_format.type", fmt, "text, json_object, json_schema")
    if fmt["type"] != "json_schema":
        return
    spec = fmt.get("json_schema")
    if not isinstance(spec, dict) or not SCHEMA_NAME.match(str(spec.get("name", ""))):
        raise Refused(
            400,
            "Invalid 'response_format.json_schema.name': a-z, A-Z, 0-9, '_' and "
            "'-', at most 64 characters.",
            param="response_format.json_schema.name",
            code="invalid_value",
        )
    schema = spec.get("schema")
    if not isinstance(schema, dict):
        raise Refused(
            400,
            "Missing 'response_format.json_schema.schema'.",
            param="response_format.json_schema.schema",
        )
    if spec.get("strict"):
        if schema.get("type") != "object" or "anyOf" in schema:
            raise schema_error(spec["name"], (), "the root schema must be an object, not anyOf")
        check_strict_schema(spec["name"], schema, (), config.schema_keywords_refused)


def schema_error(name: str, path: tuple[str, ...], problem: str) -> Refused:
    context = f"In context=({', '.join(repr(p) for p in path)}), " if path else ""
    message = f"Invalid schema for response_format '{name}': {context}{problem}."
    return Refused(400, message, param="response_format", code="invalid_json_schema")


def check_strict_schema(name: str, node: Any, path: tuple[str, ...], refused: list[str]) -> None:
    """Structured outputs' strict subset: every object closed and every property required."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            check_strict_schema(name, item, (*path, str(i)), refused)
        return
    if not isinstance(node, dict):
        return
    for keyword in refused:
        if keyword in node:
            raise schema_error(name, path, f"'{keyword}' is not permitted")
    if node.get("type") == "object" or "properties" in node:
        if node.get("additionalProperties") is not False:
            raise schema_error(
                name, path, "'additionalProperties' is required to be supplied and to be false"
            )
        properties = node.get("properties", {})
        missing = [p for p in properties if p not in node.get("required", [])]
        if missing:
            raise schema_error(
                name,
                path,
                "'required' is required to be supplied and to be an "
                f"array including every key in properties. Missing '{missing[0]}'",
            )
    for key in ("properties", "$defs", "definitions"):
        for child, sub in (node.get(key) or {}).items():
            check_strict_schema(name, sub, (*path, key, child), refused)
    for key in ("items", "anyOf", "allOf"):
        if key in node:
            check_strict_schema(name, node[key], (*path, key), refused)
