"""Use case: turn one `topic.created` into one carousel post — language, text, seven images."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from faststream.kafka import KafkaBroker
from openai import AsyncOpenAI, OpenAIError
from openai.types.chat import ChatCompletionMessageParam
from openai.types.shared_params import ResponseFormatJSONSchema
from pydantic import ValidationError

from gatepost_common.events import CloudEvent, PostGenerated, Slide, TopicCreated, envelope
from gatepost_common.kafka import publish_event
from gatepost_common.metrics import (
    GENERATION_DURATION,
    GENERATION_STAGE_DURATION,
    POSTS_FAILED,
    POSTS_GENERATED,
)
from gatepost_common.telemetry import tracer
from gatepost_generator.adapters import MediaClient, MongoTopicRepository, generate_image
from gatepost_generator.domain import SLIDES, CarouselText, GenerationFailed, post_id_for
from gatepost_generator.language import LinguaDetector, TopicLanguage
from gatepost_generator.settings import Settings

logger = logging.getLogger(__name__)
SOURCE = "gatepost/generator"

SYSTEM_PROMPT = (
    "You write TikTok photo carousels. Write every text (title, caption, hashtags, slide texts) in "
    "the language given with the topic. The title is a hook of at most 90 characters. The caption "
    "is airy, with emojis. Give 3 to 5 hashtags starting with #. Give exactly "
    f"{SLIDES} slides, each with short on-image text and an image prompt (in English) for an "
    "illustration without any text. Answer with JSON only."
)


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
    broker: KafkaBroker
    ai: AsyncOpenAI
    media: MediaClient
    language: TopicLanguage
    checker: LinguaDetector

    async def on_topic_created(self, event: CloudEvent[TopicCreated]) -> None:
        topic = event.data
        claimed = await self.topics.claim(
            {
                "_id": topic.topic_id,
                "user_id": topic.user_id,
                "account_id": topic.account_id,
                "text": topic.text,
                "source": topic.source,
            }
        )
        if not claimed:  # generated or failed already: a redelivery changes nothing
            logger.info("topic already handled", extra={"fields": {"topic_id": topic.topic_id}})
            return
        started = time.perf_counter()
        try:
            post = await self.generate(topic)
        except GenerationFailed as failure:
            await self.topics.finish(topic.topic_id, "failed", reason=str(failure))
            GENERATION_DURATION.record(time.perf_counter() - started, {"outcome": "failed"})
            POSTS_FAILED.add(1, {"stage": "generation"})
            return
        await publish_event(
            self.broker, envelope(post, source=SOURCE, subject=post.post_id), key=post.post_id
        )
        await self.topics.finish(
            topic.topic_id, "generated", post_id=post.post_id, language=post.language
        )
        GENERATION_DURATION.record(time.perf_counter() - started, {"outcome": "generated"})
        POSTS_GENERATED.add(1)

    async def generate(self, topic: TopicCreated) -> PostGenerated:
        with stage("language"):
            language = await self.language.of(topic.text)
        await self.topics.progress(topic.topic_id, "writing", language=language)
        with stage("text"):
            text = await self.write_text(topic.text, language)
        await self.topics.progress(topic.topic_id, "rendering")
        with stage("images"):
            images = await self.render_slides([s.image_prompt for s in text.slides])
        slides = [
            Slide(
                index=i,
                prompt=draft.image_prompt,
                text=draft.text,
                image_url=img["url"],
                sha256=img["sha256"],
            )
            for i, (draft, img) in enumerate(zip(text.slides, images, strict=True))
        ]
        return PostGenerated(
            post_id=post_id_for(topic.topic_id),
            topic_id=topic.topic_id,
            user_id=topic.user_id,
            account_id=topic.account_id,
            language=language,
            title=text.title,
            caption=text.caption,
            hashtags=text.hashtags,
            slides=slides,
            model=f"{self.settings.text_model}+{self.settings.image_model}",
        )

    async def write_text(self, topic: str, language: str) -> CarouselText:
        response_format: ResponseFormatJSONSchema = {
            "type": "json_schema",
            "json_schema": {
                "name": "carousel",
                "schema": CarouselText.model_json_schema(),
                "strict": False,
            },
        }
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"Language (ISO 639-1): {language}\nTopic: {topic}"},
        ]
        problem = ""
        for _ in range(self.settings.text_attempts):
            try:
                completion = await self.ai.chat.completions.create(
                    model=self.settings.text_model,
                    messages=messages,
                    response_format=response_format,
                )
            except OpenAIError as error:
                raise GenerationFailed(f"the text model failed: {error}") from None
            try:
                text = CarouselText.model_validate(
                    json.loads(completion.choices[0].message.content or "")
                )
            except (ValueError, ValidationError) as error:
                problem = str(error).splitlines()[0]
                continue
            written = self.checker.detect(" ".join([text.caption, *(s.text for s in text.slides)]))
            if written is None or written == language:
                return text
            problem = f"the text came back in {written}, not {language}"
        raise GenerationFailed(
            f"the text model gave unusable output {self.settings.text_attempts} times: {problem}"
        )

    async def render_slides(self, prompts: list[str]) -> list[dict[str, str]]:
        """All slides at once: the wall time is about one image call, not seven."""

        async def one(prompt: str) -> dict[str, str]:
            image = await generate_image(
                self.ai, self.settings.image_model, prompt, self.settings.image_size
            )
            return await self.media.store(image)

        results = await asyncio.gather(*(one(p) for p in prompts), return_exceptions=True)
        for index, result in enumerate(results):
            if isinstance(result, BaseException):
                raise GenerationFailed(f"slide {index + 1} could not be rendered: {result}")
        return [r for r in results if not isinstance(r, BaseException)]
