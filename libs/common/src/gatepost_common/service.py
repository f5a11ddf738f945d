"""The skeleton every service shares: lifespan (Mongo, Kafka), health routes, AsyncAPI, tracing
and metrics."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Response
from faststream.kafka import KafkaBroker
from faststream.specification.asyncapi import AsyncAPI
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from gatepost_common.access import CallerKeys, ServiceAuth, public_keys
from gatepost_common.door import guard_bodies
from gatepost_common.errors import answer_domain_errors
from gatepost_common.health import Probe, health_router
from gatepost_common.kafka import create_broker
from gatepost_common.logs import configure_logging
from gatepost_common.metrics import setup_metrics
from gatepost_common.mongo import Document, create_mongo_client
from gatepost_common.provided import provide
from gatepost_common.settings import ServiceSettings
from gatepost_common.telemetry import instrument_app, setup_tracing
from gatepost_common.token_replays import SEEN_TOKENS, MongoSeenTokens

logger = logging.getLogger(__name__)
MAX_RESTART_PAUSE_S = 60.0
UNHEALTHY_S = 30.0  # how long a crash keeps /readyz red


@dataclass
class Worker:
    """One background job, supervised: restarted with growing pauses when it crashes, and
    reported unready for a while after each crash."""

    name: str
    job: Callable[[], Coroutine[Any, Any, None]]
    first_pause_s: float = 1.0
    crashes: int = 0
    last_crash: float | None = None

    async def run(self) -> None:
        while True:
            try:
                await self.job()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                self.crashes += 1
                self.last_crash = time.monotonic()
                pause = min(self.first_pause_s * 2.0 ** (self.crashes - 1), MAX_RESTART_PAUSE_S)
                logger.exception(
                    "background job crashed; restarting",
                    extra={"fields": {"job": self.name, "crashes": self.crashes, "pause": pause}},
                )
                await asyncio.sleep(pause)

    @property
    def healthy(self) -> bool:
        recent = self.last_crash is not None and time.monotonic() - self.last_crash < UNHEALTHY_S
        return not recent


@dataclass
class Infrastructure:
    """The connections one service process holds; built by its composition root."""

    settings: ServiceSettings
    broker: KafkaBroker | None
    mongo: AsyncMongoClient[Document]
    background: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)

    @property
    def db(self) -> AsyncDatabase[Document]:
        return self.mongo[self.settings.database]

    def kafka(self) -> KafkaBroker:
        if self.broker is None:
            raise RuntimeError(f"{self.settings.service_name} has no Kafka broker")
        return self.broker

    def calls(self, service: str, base_url: str, timeout: float) -> httpx.AsyncClient:
        """An HTTP client for `service`'s internal routes, its calls signed as this service."""
        me = self.settings
        return httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout,
            auth=ServiceAuth(me.service_name, me.service_key, service),
        )


def infrastructure(settings: ServiceSettings, *, kafka: bool = True) -> Infrastructure:
    configure_logging(settings.service_name, settings.log_level)
    provider = setup_tracing(settings.service_name, settings.otel_exporter_otlp_endpoint)
    setup_metrics(settings.service_name, settings.otel_exporter_otlp_endpoint)
    broker = create_broker(settings, provider) if kafka else None
    return Infrastructure(settings, broker, create_mongo_client(settings))


def create_service_app(
    infra: Infrastructure,
    *,
    title: str,
    routers: Sequence[APIRouter] = (),
    provided: Mapping[type[Any], object] | None = None,
    on_start: Callable[[], Awaitable[None]] | None = None,
) -> FastAPI:
    """A FastAPI app that opens Mongo, then Kafka, in its lifespan and closes them after. Its
    routes are given `provided` (gatepost_common.provided), who may call its internal routes and
    what its health routes report."""

    tasks: list[asyncio.Task[None]] = []
    workers: list[Worker] = []
    seen = MongoSeenTokens(infra.db[SEEN_TOKENS])  # the service tokens this service took

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await infra.mongo.aconnect()
        await seen.ensure_indexes()
        if on_start is not None:
            await on_start()
        if infra.broker is not None:
            await infra.broker.start()
        workers.extend(
            Worker(getattr(job, "__name__", f"job-{i}"), job)
            for i, job in enumerate(infra.background)
        )
        tasks.extend(asyncio.create_task(worker.run()) for worker in workers)
        logger.info("service started", extra={"fields": {"service": infra.settings.service_name}})
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if infra.broker is not None:
                await infra.broker.stop()
            await infra.mongo.close()

    app = FastAPI(title=title, lifespan=lifespan)
    me = infra.settings
    callers = CallerKeys(me.service_name, public_keys(me.service_public_keys), seen)
    probe = Probe(infra.mongo, infra.broker, workers)
    provide(app, {**(provided or {}), CallerKeys: callers, Probe: probe})
    answer_domain_errors(app)
    app.include_router(health_router)
    if infra.broker is not None:
        asyncapi = AsyncAPI(infra.broker, title=title, schema_version="3.0.0")

        @app.get("/asyncapi.json", include_in_schema=False)
        async def asyncapi_document() -> Response:
            return Response(asyncapi.to_specification().to_json(), media_type="application/json")

    for router in routers:
        app.include_router(router)
    guard_bodies(app)  # who asks is checked before the body is read
    instrument_app(app)
    return app


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Run one service process (the `python -m gatepost_<service>` entry point)."""
    import uvicorn

    # Keep idle connections longer than clients do (httpx: 5 s): a server closing a keep-alive
    # connection just as a client reuses it loses that request.
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_keep_alive=30,
    )
