"""The topic's language: lingua, locally, first; the LLM only when lingua is not sure."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Literal, Protocol

from lingua import (
    ConfidenceValue,
    IsoCode639_1,
    Language,
    LanguageDetector,
    LanguageDetectorBuilder,
)
from openai import OpenAIError
from pydantic import BaseModel, Field, ValidationError

from gatepost_generator.provider import ModelCalls, Usage

logger = logging.getLogger(__name__)

Accuracy = Literal["low", "low_then_high", "high"]


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


def without_codes(text: str) -> str:
    """`text` without its words that hold a digit ("2026", "x10", "3fa9c2e1"): they carry no
    language, yet their letters can tip a short topic's guess (all of `text` if none is left)."""
    words = [word for word in text.split() if not any(ch.isdigit() for ch in word)]
    return " ".join(words) or text


class LinguaDetector:
    """ISO 639-1 code of a text, or None when the best guess is not confident enough.

    "low_then_high" (the default) decides with lingua's low accuracy models (trigrams, ~130 MB for
    every language) and, when their best guess is below `recheck_below`, compares the two leading
    candidates again in high accuracy mode (when those two hold at least `two_leaders_share` of
    the confidence; with more languages in play the LLM fallback decides); high accuracy models
    (~20 MB a language) are then loaded on first use, only for languages ever in question. "high"
    loads them all (~570 MB) and "low" never loads them (59/64 on the labelled topics; see
    docs/benchmarks.md).
    """

    def __init__(
        self,
        *,
        languages: list[str] | None = None,
        accuracy: Accuracy = "low_then_high",
        min_confidence: float = 0.3,
        recheck_below: float = 0.99,
        candidate_floor: float = 0.01,
        second_look_min: float = 0.6,
        two_leaders_share: float = 0.6,
    ) -> None:
        codes = [getattr(IsoCode639_1, c.upper()) for c in (languages or DEFAULT_LANGUAGES)]
        builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
        if accuracy != "high":
            builder = builder.with_low_accuracy_mode()
        self.detector: LanguageDetector = builder.build()
        self.recheck = accuracy == "low_then_high"
        self.min_confidence = min_confidence
        self.recheck_below = recheck_below
        self.candidate_floor = candidate_floor
        self.second_look_min = second_look_min
        self.two_leaders_share = two_leaders_share
        self.precise: dict[frozenset[Language], LanguageDetector] = {}
        self.building = threading.Lock()

    def warm_up(self) -> None:
        """Load the first pass's language models now rather than on the first topic."""
        self.detector.compute_language_confidence_values("warm up the models")

    def detect(self, text: str) -> str | None:
        """Blocking (it may load models for a second or two): call it off the event loop."""
        values = self.detector.compute_language_confidence_values(without_codes(text))
        least = self.min_confidence
        if values and self.recheck and values[0].value < self.recheck_below:
            if sum(v.value for v in values[:2]) < self.two_leaders_share:
                return None  # more than two languages in play: a look at two would be a guess
            closer = self.second_look(text, values)
            if closer:  # between two, a near tie is left to the LLM fallback
                values, least = closer, self.second_look_min
        if not values or values[0].value < least:
            return None
        return values[0].language.iso_code_639_1.name.lower()

    def second_look(self, text: str, values: list[ConfidenceValue]) -> list[ConfidenceValue]:
        """The two leading candidates compared in high accuracy mode ([] if only one is left)."""
        candidates = frozenset(v.language for v in values[:2] if v.value >= self.candidate_floor)
        if len(candidates) < 2:
            return []
        with self.building:
            precise = self.precise.get(candidates)
            if precise is None:
                precise = LanguageDetectorBuilder.from_languages(*candidates).build()
                self.precise[candidates] = precise
        return precise.compute_language_confidence_values(text)

    def loaded(self) -> set[str]:
        """ISO 639-1 codes whose high accuracy models a second look has asked for."""
        return {lang.iso_code_639_1.name.lower() for pair in self.precise for lang in pair}


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
        local = await asyncio.to_thread(self.local.detect, text)
        return local or await self.fallback(text, usage) or self.default
