"""Every service's health routes: alive, and ready (MongoDB, Kafka, each background job)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Protocol

from fastapi import APIRouter, Response
from faststream.kafka import KafkaBroker
from pydantic import BaseModel
from pymongo import AsyncMongoClient

from gatepost_common.mongo import mongo_ready
from gatepost_common.provided import given


class Supervised(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def healthy(self) -> bool: ...


@dataclass(frozen=True)
class Probe:
    """What a service's readiness is asked of."""

    mongo: AsyncMongoClient[Any]
    broker: KafkaBroker | None
    workers: Sequence[Supervised]


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, bool]  # mongodb, kafka, and each background job


health_router = APIRouter(tags=["health"])


@health_router.get("/healthz")
async def healthz() -> Health:
    return Health(status="ok")


@health_router.get("/readyz", responses={503: {"model": Readiness, "description": "Not ready"}})
async def readyz(response: Response, probe: Annotated[Probe, given(Probe)]) -> Readiness:
    checks = {"mongodb": await mongo_ready(probe.mongo)}
    if probe.broker is not None:
        checks["kafka"] = await probe.broker.ping(timeout=2.0)
    # a background job that crashed lately (it is being restarted) is not ready work
    checks |= {f"worker:{w.name}": w.healthy for w in probe.workers}
    ready = all(checks.values())
    response.status_code = 200 if ready else 503
    return Readiness(ready=ready, checks=checks)
