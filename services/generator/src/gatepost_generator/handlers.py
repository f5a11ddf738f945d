"""Use cases: create a topic, and generate a carousel post from one."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass

from faststream.kafka import KafkaBroker
from openai import AsyncOpenAI, OpenAIError
from openai.types.chat import ChatCompletionMessageParam
from openai.types.shared_params import ResponseFormatJSONSchema
from pydantic import ValidationError

from gatepost_common.events import (
    CloudEvent,
    PostGenerated,
    Slide,
    TopicCreated,
    TopicSource,
    envelope,
)
from gatepost_common.kafka import publish_event
from gatepost_generator.adapters import MediaClient, MongoTopicRepository, generate_image
from gatepost_generator.domain import SLIDES, CarouselText, GenerationFailed, post_id_for
from gatepost_generator.settings import Settings

logger = logging.getLogger(__name__)
SOURCE = "gatepost/generator"

SYSTEM_PROMPT = (
    "You write TikTok photo carousels. Detect the natural language of the topic and write every "
    "text (title, caption, hashtags, slide texts) in that language. The title is a hook of at most "
    "90 characters. The caption is airy, with emojis. Give 3 to 5 hashtags starting with #. Give "
    f"exactly {SLIDES} slides, each with short on-image text and an image prompt (in English) for "
    "an illustration without any text. Answer with JSON only."
)


@dataclass
class Generator:
    settings: Settings
    topics: MongoTopicRepository
    broker: KafkaBroker
    ai: AsyncOpenAI
    media: MediaClient

    async def create_topic(
        self, *, user_id: str, account_id: str, text: str, source: TopicSource
    ) -> str:
        topic_id = str(uuid.uuid4())
        data = TopicCreated(
            topic_id=topic_id, user_id=user_id, account_id=account_id, text=text, source=source
        )
        await self.topics.add(
            {
                "_id": topic_id,
                "user_id": user_id,
                "account_id": account_id,
                "text": text,
                "source": source,
            }
        )
        await publish_event(
            self.broker, envelope(data, source=SOURCE, subject=topic_id), key=topic_id
        )
        return topic_id

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
        if not claimed:
            logger.info("topic already handled", extra={"fields": {"topic_id": topic.topic_id}})
            return
        try:
            post = await self.generate(topic)
        except GenerationFailed as failure:
            await self.topics.finish(topic.topic_id, "failed", reason=str(failure))
            return
        await publish_event(
            self.broker, envelope(post, source=SOURCE, subject=post.post_id), key=post.post_id
        )
        await self.topics.finish(topic.topic_id, "generated", post_id=post.post_id)

    async def generate(self, topic: TopicCreated) -> PostGenerated:
        text, language = await self.write_text(topic.text)
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

    async def write_text(self, topic: str) -> tuple[CarouselText, str]:
        response_format: ResponseFormatJSONSchema = {
            "type": "json_schema",
            "json_schema": {"name": "carousel", "schema": LLMAnswer.model_json_schema()},
        }
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"Topic: {topic}"},
        ]
        last_error = ""
        for _ in range(self.settings.text_attempts):
            try:
                completion = await self.ai.chat.completions.create(
                    model=self.settings.text_model,
                    messages=messages,
                    response_format=response_format,
                )
            except OpenAIError as error:
                raise GenerationFailed(f"the text model failed: {error}") from None
            content = completion.choices[0].message.content or ""
            try:
                answer = LLMAnswer.model_validate(json.loads(content))
                return answer.carousel(), answer.language
            except (ValueError, ValidationError) as error:
                last_error = str(error).splitlines()[0]
        raise GenerationFailed(
            f"the text model gave invalid output {self.settings.text_attempts} times: {last_error}"
        )

    async def render_slides(self, prompts: list[str]) -> list[dict[str, str]]:
        async def one(prompt: str) -> dict[str, str]:
            image = await generate_image(
                self.ai, self.settings.image_model, prompt, self.settings.image_size
            )
            return await self.media.store(image)

        try:
            return list(await asyncio.gather(*(one(p) for p in prompts)))
        except Exception as error:  # any failed slide fails the topic, with its reason
            raise GenerationFailed(f"a slide image failed: {error}") from None


class LLMAnswer(CarouselText):
    language: str

    def carousel(self) -> CarouselText:
        return CarouselText.model_validate(self.model_dump(exclude={"language"}))
