"""Composition root of the generator service."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from openai import AsyncOpenAI

from gatepost_common.clock import Clock, clock_for
from gatepost_common.ratelimit import RateLimiter
from gatepost_common.service import create_service_app, infrastructure
from gatepost_common.slides import StyleSource
from gatepost_generator.adapters import MediaClient, MongoTopicRepository
from gatepost_generator.entrypoints import internal_routes, routes, subscribers
from gatepost_generator.generation import Generator
from gatepost_generator.language import LinguaDetector, LLMLanguage, TopicLanguage
from gatepost_generator.library import TopicLibrary
from gatepost_generator.provider import ModelCalls, SharedBudget
from gatepost_generator.settings import Settings
from gatepost_generator.worker import GenerationWorker


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    clock = clock or clock_for(settings.environment, settings.clock_offset_file)
    infra = infrastructure(settings)
    topics = MongoTopicRepository(infra.db)
    # retries are Gatepost's own (ModelCalls): each try takes its place in the shared budget
    ai = AsyncOpenAI(
        base_url=settings.openai_base_url,
        api_key=settings.openai_api_key,
        timeout=settings.openai_timeout_s,
        max_retries=0,
    )
    limiter = RateLimiter(infra.db, clock)
    budget = SharedBudget(
        limiter,
        {
            "requests": settings.request_budget_per_minute,
            "images": settings.image_budget_per_minute,
        },
    )
    calls = ModelCalls(ai, budget, settings)
    media = MediaClient(infra.calls("media", settings.media_url, timeout=20))
    detector = LinguaDetector(
        languages=settings.languages or None, low_accuracy=settings.language_low_accuracy
    )
    language = TopicLanguage(detector, LLMLanguage(calls), settings.default_language)
    styles = StyleSource(infra.calls("auth", settings.auth_url, timeout=20))
    generator = Generator(settings, topics, calls, media, language, detector, clock, styles)
    worker = GenerationWorker(settings, topics, generator, infra.kafka(), clock)
    library = TopicLibrary(topics, infra.kafka(), clock, styles)
    subscribers(infra.kafka(), library)

    async def on_start() -> None:
        await topics.ensure_indexes()
        await limiter.ensure_indexes()

        # load the language models off the event loop, then start generating
        async def warm_then_work() -> None:
            await asyncio.to_thread(detector.warm_up)
            await worker.run()

        infra.background.append(warm_then_work)

    return create_service_app(
        infra,
        title="Gatepost generator",
        routers=[
            routes(library, topics, settings.session_public_key),
            internal_routes(calls, media, infra.internal_callers()),
        ],
        on_start=on_start,
    )
