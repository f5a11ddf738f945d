"""Composition root of the generator service."""

import httpx
from fastapi import FastAPI
from openai import AsyncOpenAI

from gatepost_common.service import create_service_app, infrastructure
from gatepost_generator.adapters import MediaClient, MongoTopicRepository
from gatepost_generator.entrypoints import routes, subscribers
from gatepost_generator.handlers import Generator
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
        httpx.AsyncClient(base_url=settings.media_url, timeout=60), settings.internal_token
    )
    generator = Generator(settings, topics, infra.kafka(), ai, media)
    subscribers(infra.kafka(), generator)
    return create_service_app(
        infra,
        title="Gatepost generator",
        routers=[routes(generator, topics, settings.session_public_key)],
        on_start=topics.ensure_indexes,
    )
