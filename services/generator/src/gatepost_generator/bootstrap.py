"""Composition root of the generator service: `build` wires the use cases to what they are given
(a database, the model provider's client, an emitter, HTTP clients, a clock), `create_app` gives
them the real ones. Unit tests call `build` with an in-memory database, the OpenAI stand-in in
process and media answered by a mock transport."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from openai import AsyncOpenAI

from gatepost_common.api_tokens import AuthTokenChecks, TokenChecks
from gatepost_common.clock import Clock, clock_for
from gatepost_common.kafka import Emit, emitter
from gatepost_common.quotas import DailyQuotas
from gatepost_common.ratelimit import RateLimiter
from gatepost_common.service import create_service_app, infrastructure
from gatepost_common.sessions import SessionKey
from gatepost_common.slides import StyleSource
from gatepost_generator.adapters import MediaClient, MongoTopicRepository
from gatepost_generator.allowance import Allowance, DailyLimits
from gatepost_generator.entrypoints import router as topic_routes
from gatepost_generator.entrypoints import subscribers
from gatepost_generator.generation import Generator
from gatepost_generator.internal_routes import router as internal_routes
from gatepost_generator.language import LinguaDetector, LLMLanguage, TopicLanguage
from gatepost_generator.library import TopicLibrary
from gatepost_generator.provider import ModelCalls, SharedBudget
from gatepost_generator.settings import Settings
from gatepost_generator.style_examples import StyleExampleSource
from gatepost_generator.worker import GenerationWorker

# an HTTP client for another service's internal routes, its calls signed as the generator
Calls = Callable[[str, str, float], httpx.AsyncClient]


@dataclass
class Parts:
    topics: MongoTopicRepository
    limiter: RateLimiter
    calls: ModelCalls
    media: MediaClient
    detector: LinguaDetector
    library: TopicLibrary
    worker: GenerationWorker
    allowance: Allowance


def build(
    settings: Settings, db: Any, ai: AsyncOpenAI, emit: Emit, calls: Calls, clock: Clock
) -> Parts:
    """The topic library and the generation worker over `db` (a MongoDB database)."""
    topics = MongoTopicRepository(db)
    limiter = RateLimiter(db, clock)
    budget = SharedBudget(
        limiter,
        {
            "requests": settings.request_budget_per_minute,
            "images": settings.image_budget_per_minute,
        },
    )
    model = ModelCalls(ai, budget, settings)
    media = MediaClient(calls("media", settings.media_url, 20))
    detector = LinguaDetector(
        languages=settings.languages or None, accuracy=settings.language_accuracy
    )
    language = TopicLanguage(detector, LLMLanguage(model), settings.default_language)
    styles = StyleSource(calls("auth", settings.auth_url, 20))
    examples = StyleExampleSource(
        calls("auth", settings.auth_url, 20), calls("publisher", settings.publisher_url, 20)
    )
    generator = Generator(
        settings, topics, model, media, language, detector, clock, styles, examples
    )
    worker = GenerationWorker(settings, topics, generator, emit, clock)
    allowance = Allowance(DailyQuotas(db, clock), DailyLimits.of(settings))
    library = TopicLibrary(topics, emit, clock, styles, allowance)
    return Parts(topics, limiter, model, media, detector, library, worker, allowance)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    clock = clock or clock_for(settings.environment, settings.clock_offset_file)
    infra = infrastructure(settings)
    # retries are Gatepost's own (ModelCalls): each try takes its place in the shared budget
    ai = AsyncOpenAI(
        base_url=settings.openai_base_url,
        api_key=settings.openai_api_key,
        timeout=settings.openai_timeout_s,
        max_retries=0,
    )
    broker = infra.kafka()
    parts = build(
        settings,
        infra.db,
        ai,
        emitter(broker),
        lambda service, url, timeout: infra.calls(service, url, timeout),
        clock,
    )
    subscribers(broker, parts.library)

    async def on_start() -> None:
        await parts.topics.ensure_indexes()

        # load the language models off the event loop, then start generating
        async def warm_then_work() -> None:
            await asyncio.to_thread(parts.detector.warm_up)
            await parts.worker.run()

        infra.background.append(warm_then_work)

    return create_service_app(
        infra,
        title="Gatepost generator",
        routers=[topic_routes, internal_routes],
        provided={
            SessionKey: SessionKey(settings.session_public_key),
            TokenChecks: AuthTokenChecks(
                infra.calls("auth", settings.auth_url, 10), settings.service_name
            ),
            TopicLibrary: parts.library,
            MongoTopicRepository: parts.topics,
            ModelCalls: parts.calls,
            MediaClient: parts.media,
            Allowance: parts.allowance,
        },
        on_start=on_start,
    )
