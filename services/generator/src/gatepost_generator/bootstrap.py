"""Composition root of the generator service."""

import asyncio

import httpx
from fastapi import FastAPI
from openai import AsyncOpenAI

from gatepost_common.service import create_service_app, infrastructure
from gatepost_generator.adapters import MediaClient, MongoTopicRepository
from gatepost_generator.entrypoints import routes, subscribers
from gatepost_generator.generation import Generator
from gatepost_generator.language import LinguaDetector, LLMLanguage, TopicLanguage
from gatepost_generator.library import TopicLibrary
from gatepost_generator.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    infra = infrastructure(settings)
    topics = MongoTopicRepository(infra.db)
    ai = AsyncOpenAI(
        base_url=settings.openai_base_url,
        api_key=settings.openai_api_key,
        timeout=settings.openai_timeout_s,
        max_retries=settings.openai_max_retries,
    )
    media = MediaClient(
        httpx.AsyncClient(base_url=settings.media_url, timeout=20), settings.internal_token
    )
    detector = LinguaDetector(
        languages=settings.languages or None, low_accuracy=settings.language_low_accuracy
    )
    language = TopicLanguage(
        detector, LLMLanguage(ai, settings.text_model), settings.default_language
    )
    generator = Generator(settings, topics, infra.kafka(), ai, media, language, detector)
    library = TopicLibrary(topics, infra.kafka())
    subscribers(infra.kafka(), generator)

    async def on_start() -> None:
        await topics.ensure_indexes()
        # load the language models off the event loop, without holding up readiness
        infra.background.append(lambda: asyncio.to_thread(detector.warm_up))

    return create_service_app(
        infra,
        title="Gatepost generator",
        routers=[routes(library, topics, settings.session_public_key)],
        on_start=on_start,
    )
