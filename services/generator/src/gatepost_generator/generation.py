"""Use case: turn one claimed topic into one carousel post — language, text, seven images.

Every step's result is stored on the topic as it completes (language, the written text, each
slide's image), so a topic taken over after a crash resumes where it stopped: no text is written
twice and no finished slide is drawn again. Every write is conditional on the worker still
holding the topic; when it does not (deleted, or taken over), the work stops."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from openai.types.chat import ChatCompletionMessageParam
from openai.types.shared_params import ResponseFormatJSONSchema
from pydantic import ValidationError

from gatepost_common.clock import Clock
from gatepost_common.events import PostGenerated, Slide, StyleExample
from gatepost_common.metrics import GENERATION_STAGE_DURATION
from gatepost_common.mongo import Document
from gatepost_common.slide_style import FORMATS, SlideFormat, Style
from gatepost_common.slides import SlideRefused, StyleSource
from gatepost_common.telemetry import tracer
from gatepost_generator.adapters import MediaClient, MongoTopicRepository
from gatepost_generator.domain import (
    SLIDES,
    CarouselText,
    GenerationFailed,
    StoredImage,
    Topic,
    post_id_for,
)
from gatepost_generator.language import LinguaDetector, TopicLanguage
from gatepost_generator.provider import ModelCalls, Usage, is_permanent
from gatepost_generator.provider_errors import plain_reason
from gatepost_generator.settings import Settings
from gatepost_generator.strict_schema import strict_schema
from gatepost_generator.style_examples import StyleExampleSource, prompt_lines

logger = logging.getLogger(__name__)
COVER = 0  # the slide that carries the hook title

SYSTEM_PROMPT = (
    "You write TikTok photo carousels. Write every text (title, caption, hashtags, slide texts) in "
    "the language given with the topic. The title is a hook of at most 90 characters. The caption "
    "is airy, with emojis. Give 3 to 5 hashtags starting with #. Give exactly "
    f"{SLIDES} slides, each with short on-image text and an image prompt (in English) for an "
    "illustration without any text. Answer with JSON only."
)


class LostTopic(Exception):
    """This worker no longer holds the topic (deleted, or taken over): stop quietly."""


@contextmanager
def stage(name: str) -> Iterator[None]:
    """One generation step: a span, and its duration in the stage histogram."""
    started = time.perf_counter()
    with tracer.start_as_current_span(f"generation {name}", attributes={"gatepost.stage": name}):
        try:
            yield
        finally:
            GENERATION_STAGE_DURATION.record(time.perf_counter() - started, {"stage": name})


@dataclass
class Generator:
    settings: Settings
    topics: MongoTopicRepository
    calls: ModelCalls
    media: MediaClient
    language: TopicLanguage
    checker: LinguaDetector
    clock: Clock
    styles: StyleSource
    examples: StyleExampleSource | None = None  # what worked, fed back (the account's opt-in)

    async def generate(self, topic: Topic, owner: str) -> PostGenerated:
        topic_id = topic["_id"]

        async def save(fields: Document, usage: Usage | None = None) -> None:
            fields = {**fields, "updated_at": self.clock.now()}
            increments = usage.as_increments() if usage else None
            if not await self.topics.save(topic_id, owner, fields, increments):
                raise LostTopic(topic_id)

        language = topic.get("language")
        if language is None:
            usage = Usage()
            with stage("language"):
                language = await self.language.of(topic["text"], usage)
            await save({"language": language, "stage": "writing"}, usage)
        if topic.get("draft") is None:
            usage = Usage()
            examples = await self.style_examples(topic, language)
            with stage("text"):
                text = await self.write_text(topic["text"], language, usage, examples)
            # the examples are kept with the text they shaped: the post's provenance
            used = [e.model_dump() for e in examples]
            await save(
                {"draft": text.model_dump(), "style_examples": used, "stage": "rendering"}, usage
            )
        else:
            text = CarouselText.model_validate(topic["draft"])
            examples = [StyleExample.model_validate(e) for e in topic.get("style_examples") or []]
        style = await self.styles.style_of(topic["account_id"])
        slide_format = topic.get("slide_format")
        if slide_format not in FORMATS:  # chosen once: a resumed topic keeps its shape
            slide_format = Style(**(style or {})).format
            await save({"slide_format": slide_format})
        with stage("images"):
            images = await self.render_slides(
                [s.image_prompt for s in text.slides],
                dict(topic.get("images") or {}),
                save,
                slide_format,
            )
        with stage("compose"):
            slides = await self.compose_slides(text, images, language, style)
        return PostGenerated(
            post_id=post_id_for(topic_id),
            topic_id=topic_id,
            user_id=topic["user_id"],
            account_id=topic["account_id"],
            language=language,
            title=text.title,
            caption=text.caption,
            hashtags=text.hashtags,
            slides=slides,
            model=f"{self.settings.text_model}+{self.settings.image_model}",
            style_examples=examples,
            slide_format=slide_format,
        )

    async def style_examples(self, topic: Topic, language: str) -> list[StyleExample]:
        if self.examples is None:
            return []
        return await self.examples.for_account(topic["user_id"], topic["account_id"], language)

    async def write_text(
        self, topic: str, language: str, usage: Usage, examples: list[StyleExample] | None = None
    ) -> CarouselText:
        response_format: ResponseFormatJSONSchema = {
            "type": "json_schema",
            "json_schema": {
                "name": "carousel",
                "schema": strict_schema(CarouselText),
                "strict": True,
            },
        }
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {
                "role": "user",
                "content": f"Language (ISO 639-1): {language}\nTopic: {topic}"
                + prompt_lines(examples or []),
            },
        ]
        problem = ""
        for _ in range(self.settings.text_attempts):
            try:
                answer = await self.calls.chat(messages, response_format, usage)
            except Exception as error:
                raise GenerationFailed(f"the text model failed: {plain_reason(error)}") from None
            try:
                text = CarouselText.model_validate(json.loads(answer))
            except (ValueError, ValidationError) as error:
                problem = str(error).splitlines()[0]
                continue
            words = " ".join([text.caption, *(s.text for s in text.slides)])
            written = await asyncio.to_thread(self.checker.detect, words)
            if written is None or written == language:
                return text
            problem = f"the text came back in {written}, not {language}"
        raise GenerationFailed(
            f"the text model gave unusable output {self.settings.text_attempts} times: {problem}"
        )

    async def compose_slides(
        self,
        text: CarouselText,
        images: dict[str, StoredImage],
        language: str,
        style: dict[str, Any] | None,
    ) -> list[Slide]:
        """Each slide's words set on its illustration by media (the cover also carries the
        title); composing is deterministic, so a resumed topic gets the same slides."""

        async def one(index: int) -> Slide:
            draft, picture = text.slides[index], images[str(index)]
            title = text.title if index == COVER else None
            try:
                made = await self.media.compose(
                    picture["sha256"], draft.text, title, language, style
                )
            except SlideRefused as refused:
                raise GenerationFailed(
                    f"slide {index + 1} cannot carry its words: {refused}"
                ) from None
            return Slide(
                index=index,
                prompt=draft.image_prompt,
                text=draft.text,
                image_url=made["url"],
                sha256=made["sha256"],
                illustration_url=picture["url"],
                illustration_sha256=picture["sha256"],
            )

        return list(await asyncio.gather(*(one(i) for i in range(len(text.slides)))))

    async def render_slides(
        self,
        prompts: list[str],
        done: dict[str, StoredImage],
        save: Any,
        slide_format: SlideFormat = "1080x1080",
    ) -> dict[str, StoredImage]:
        """Every slide not drawn yet, all at once (the wall time is about one image call), each
        stored as soon as it is ready, as a picture of the slide's shape; one slide failing for
        good fails the topic."""

        async def one(index: int, prompt: str) -> None:
            usage = Usage()
            image = await self.calls.image(prompt, usage, slide_format)
            stored = await self.media.store(image, slide_format)
            done[str(index)] = {"url": stored["url"], "sha256": stored["sha256"]}
            await save({f"images.{index}": done[str(index)]}, usage)

        missing = [(i, p) for i, p in enumerate(prompts) if str(i) not in done]
        results = await asyncio.gather(*(one(i, p) for i, p in missing), return_exceptions=True)
        for (index, _), result in zip(missing, results, strict=True):
            if isinstance(result, LostTopic):
                raise result
            if isinstance(result, BaseException):
                kind = "refused" if is_permanent(result) else "could not be rendered"
                raise GenerationFailed(f"slide {index + 1} {kind}: {plain_reason(result)}")
        return done
