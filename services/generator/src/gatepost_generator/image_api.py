"""Which parameters an image model takes. The model's API family decides what is sent: GPT image
models refuse `response_format` and `style` and always answer base64; DALL·E models answer a URL
unless asked for `b64_json`. A model Gatepost does not know is not guessed: the
`IMAGE_MODEL_FAMILY` setting names its family (the installed `openai` SDK's `ImageGenerateParams`
docstrings and OpenAI's API reference are the sources; see the stand-in's rules.py)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from gatepost_common.slide_style import SlideFormat, dimensions

ImageFamily = Literal["gpt-image", "gpt-image-2", "dall-e-3", "dall-e-2"]

KNOWN: dict[str, ImageFamily] = {
    "gpt-image-1": "gpt-image",
    "gpt-image-1-mini": "gpt-image",
    "gpt-image-1.5": "gpt-image",
    "chatgpt-image-latest": "gpt-image",
    "dall-e-3": "dall-e-3",
    "dall-e-2": "dall-e-2",
}
SIZES: dict[ImageFamily, tuple[str, ...]] = {
    "gpt-image": ("1024x1024", "1536x1024", "1024x1536", "auto"),
    "gpt-image-2": ("1024x1024", "1536x1024", "1024x1536", "auto"),
    "dall-e-3": ("1024x1024", "1792x1024", "1024x1792"),
    "dall-e-2": ("256x256", "512x512", "1024x1024"),
}
QUALITIES: dict[ImageFamily, tuple[str, ...]] = {
    "gpt-image": ("low", "medium", "high", "auto"),
    "gpt-image-2": ("low", "medium", "high", "auto", "xhigh", "max"),
    "dall-e-3": ("standard", "hd"),
    "dall-e-2": ("standard",),
}
# OpenAI's own API no longer serves these (the SDK's ImageModel deprecation notes)
SHUT_DOWN_ON_OPENAI = {
    "gpt-image-1": date(2026, 10, 23),
    "dall-e-2": date(2026, 5, 12),
    "dall-e-3": date(2026, 5, 12),
}


def family_of(model: str, setting: str) -> ImageFamily:
    """The family named by the setting, or known from the model's name; never guessed."""
    if setting != "auto":
        return setting  # type: ignore[return-value]
    if model in KNOWN:
        return KNOWN[model]
    if re.fullmatch(r"gpt-image-2(\.\d+)?(-[a-z]+)?(-\d{4}-\d{2}-\d{2})?", model):
        return "gpt-image-2"
    raise ValueError(
        f"IMAGE_MODEL {model!r} is not a model Gatepost knows: set IMAGE_MODEL_FAMILY to the "
        "OpenAI API family it follows (gpt-image, gpt-image-2, dall-e-3 or dall-e-2)"
    )


def check(model: str, family: ImageFamily, size: str, quality: str | None) -> None:
    """Refuse at start-up what every call would be refused for."""
    if size not in SIZES[family] and not (family == "gpt-image-2" and free_size(size)):
        raise ValueError(f"IMAGE_SIZE {size!r} is not one {model} takes: {SIZES[family]}")
    if quality is not None and quality not in QUALITIES[family]:
        raise ValueError(f"IMAGE_QUALITY {quality!r} is not one {model} takes: {QUALITIES[family]}")


def free_size(size: str) -> bool:
    match = re.fullmatch(r"(\d+)x(\d+)", size)
    if match is None:
        return False
    w, h = int(match.group(1)), int(match.group(2))
    return w % 16 == 0 and h % 16 == 0 and max(w, h) <= 3 * min(w, h) and w * h <= 3840 * 2160


# a portrait slide from a family with fixed sizes: its tallest size (media crops it to the slide)
PORTRAIT: dict[ImageFamily, str] = {
    "gpt-image": "1024x1536",
    "dall-e-3": "1024x1792",
    "dall-e-2": "1024x1024",  # squares only: media crops the middle of it
}


def size_for(family: ImageFamily, slide_format: SlideFormat, configured: str) -> str:
    """The size to ask the model for, for slides of this format: the configured size for square
    slides; for portrait ones the slide rounded up to sides divisible by 16 where the model takes
    any such size (gpt-image-2: 1088x1920 for 1080x1920), else the model's portrait size."""
    width, height = dimensions(slide_format)
    if width == height:
        return configured
    if family == "gpt-image-2":
        return f"{-(-width // 16) * 16}x{-(-height // 16) * 16}"
    return PORTRAIT[family]


def parameters(
    model: str, family: ImageFamily, prompt: str, size: str, quality: str | None
) -> dict[str, Any]:
    """The keyword arguments of `images.generate` for one image."""
    params: dict[str, Any] = {"model": model, "prompt": prompt, "size": size, "n": 1}
    if quality is not None:
        params["quality"] = quality
    if family.startswith("dall-e"):
        params["response_format"] = "b64_json"
    return params
