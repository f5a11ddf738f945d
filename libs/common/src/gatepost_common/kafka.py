"""Kafka wiring on FastStream: the broker factory, CloudEvent publishing, and consumers that
acknowledge only after their effect is stored and send poison messages to `<topic>.dlq`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.message import StreamMessage
from opentelemetry.sdk.trace import TracerProvider
from pydantic import ValidationError

from gatepost_common.events import CloudEvent, D, parse
from gatepost_common.settings import ServiceSettings
from gatepost_common.topics import dlq

logger = logging.getLogger(__name__)

DLQ_REASON_HEADER = "x-dlq-reason"
REDELIVERY_PAUSE_S = 1.0


class PoisonMessage(Exception):
    """The message can never be processed (bad signature, impossible state): dead-letter it."""


def create_broker(settings: ServiceSettings, tracer_provider: TracerProvider | None) -> KafkaBroker:
    """A broker whose publishes and consumes carry W3C trace context in Kafka headers."""
    middlewares = [KafkaTelemetryMiddleware(tracer_provider=tracer_provider)]
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=f"gatepost-{settings.service_name}",
        middlewares=middlewares,
        acks="all",
        enable_idempotence=True,
        graceful_timeout=10.0,
    )


async def publish_event(
    broker: KafkaBroker, event: CloudEvent[Any], *, key: str, ack_within_s: float = 10.0
) -> None:
    """Publish one CloudEvent (structured mode) and wait for the broker's acknowledgement;
    raises TimeoutError when Kafka does not acknowledge in time (callers keep an outbox)."""
    async with asyncio.timeout(ack_within_s):
        await broker.publish(
            event.model_dump_json().encode(),
            topic=event.type,
            key=key.encode(),
            headers={"content-type": "application/cloudevents+json", "ce_type": event.type},
        )


async def dead_letter(broker: KafkaBroker, message: StreamMessage[Any], reason: str) -> None:
    raw = message.raw_message
    topic = getattr(raw, "topic", "unknown")
    logger.warning("dead-lettering a message", extra={"fields": {"topic": topic, "reason": reason}})
    await broker.publish(
        message.body,
        topic=dlq(topic),
        key=getattr(raw, "key", None),
        headers={
            DLQ_REASON_HEADER: reason[:1000],
            "x-dlq-source-offset": f"{getattr(raw, 'partition', -1)}:{getattr(raw, 'offset', -1)}",
        },
    )


async def _raw_body(message: StreamMessage[Any]) -> bytes:
    return message.body


def subscribe(
    broker: KafkaBroker,
    model: type[D],
    handler: Callable[[CloudEvent[D]], Awaitable[None]],
    *,
    group_id: str,
) -> None:
    """Consume `model`'s topic: decode, handle, then commit; poison → DLQ, errors → retry."""

    @broker.subscriber(
        model.TYPE,
        group_id=group_id,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        decoder=_raw_body,
        title=f"{group_id}:{model.TYPE}",
        description=f"Consumes {model.SCHEMA} CloudEvents.",
    )
    async def consume(body: bytes, message: KafkaMessage) -> None:
        try:
            event = parse(model, body)
        except (ValidationError, ValueError) as error:
            await dead_letter(broker, message, f"invalid {model.TYPE} CloudEvent: {error}")
            await message.ack()
            return
        try:
            await handler(event)
        except PoisonMessage as error:
            await dead_letter(broker, message, str(error))
            await message.ack()
            return
        except Exception:
            logger.exception("handler failed; the message will be redelivered")
            await asyncio.sleep(REDELIVERY_PAUSE_S)
            await message.nack()
            return
        await message.ack()
