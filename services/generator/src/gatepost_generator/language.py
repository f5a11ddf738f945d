"""The topic's language: lingua, locally, first; the LLM only when lingua is not sure."""

from __future__ import annotations

import logging
from typing import Protocol

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder
from openai import OpenAIError
from pydantic import BaseModel, Field, ValidationError

from gatepost_generator.provider import ModelCalls, Usage

logger = logging.getLogger(__name__)


# Widely used languages on TikTok; fewer candidates means fewer look-alike mistakes (af, cy, tl).
DEFAULT_LANGUAGES = (
    "en",
    "es",
    "pt",
    "fr",
    "de",
    "it",
    "nl",
    "pl",
    "tr",
    "ru",
    "uk",
    "ar",
    "he",
    "fa",
    "hi",
    "bn",
    "ur",
    "id",
    "ms",
    "vi",
    "th",
    "ja",
    "ko",
    "zh",
    "sv",
    "da",
    "nb",
    "fi",
    "el",
    "cs",
    "ro",
    "hu",
    "tl",
    "sw",
)


class LinguaDetector:
    """ISO 639-1 code of a text, or None when the best guess is not confident enough."""

    def __init__(
        self,
        *,
        languages: list[str] | None = None,
        low_accuracy: bool = False,
        min_confidence: float = 0.3,
    ) -> None:
        codes = [getattr(IsoCode639_1, c.upper()) for c in (languages or DEFAULT_LANGUAGES)]
        builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
        if low_accuracy:
            builder = builder.with_low_accuracy_mode()
        self.detector: LanguageDetector = builder.build()
        self.min_confidence = min_confidence

    def warm_up(self) -> None:
        """Load the language models now rather than on the first topic."""
        self.detector.compute_language_confidence_values("warm up the models")

    def detect(self, text: str) -> str | None:
        values = self.detector.compute_language_confidence_values(text)
        if not values or values[0].value < self.min_confidence:
            return None
        return values[0].language.iso_code_639_1.name.lower()


class LanguageAnswer(BaseModel):
    language: str = Field(pattern=r"^[a-z]{2}$")


class Fallback(Protocol):
    async def __call__(self, text: str, usage: Usage) -> str | None: ...


class LLMLanguage:
    """The cheap LLM call of the reference design, used as the fallback."""

    def __init__(self, calls: ModelCalls) -> None:
        self.calls = calls

    async def __call__(self, text: str, usage: Usage) -> str | None:
        try:
            answer = await self.calls.chat(
                [
                    {
                        "role": "system",
                        "content": "Answer with JSON "
                        '{"language": "<ISO 639-1 code of the text\'s language>"}.',
                    },
                    {"role": "user", "content": f"Detect language: {text}"},
                ],
                {"type": "json_object"},
                usage,
            )
            return LanguageAnswer.model_validate_json(answer).language
        except (OpenAIError, ValidationError, ValueError):
            logger.warning("language fallback failed")
            return None


class TopicLanguage:
    def __init__(self, local: LinguaDetector, fallback: Fallback, default: str = "en") -> None:
        self.local = local
        self.fallback = fallback
        self.default = default

    async def of(self, text: str, usage: Usage) -> str:
        return self.local.detect(text) or await self.fallback(text, usage) or self.default
