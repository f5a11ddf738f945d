"""Kafka wiring on FastStream: the broker factory, CloudEvent publishing, and consumers that
acknowledge only after their effect is stored and send poison messages to `<topic>.dlq`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any
from weakref import WeakKeyDictionary

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.kafka.publisher import DefaultPublisher
from faststream.message import StreamMessage
from faststream.security import BaseSecurity, SASLScram256
from opentelemetry.sdk.trace import TracerProvider
from pydantic import ValidationError, WithJsonSchema

from gatepost_common.events import CloudEvent, D, EventData, parse
from gatepost_common.settings import ServiceSettings
from gatepost_common.topics import dlq

logger = logging.getLogger(__name__)

DLQ_REASON_HEADER = "x-dlq-reason"
REDELIVERY_PAUSE_S = 1.0
MAX_DELIVERIES = 5  # a message whose handling failed this often goes to the DLQ


class PoisonMessage(Exception):
    """The message can never be processed (bad signature, impossible state): dead-letter it."""


def bootstrap_servers(text: str) -> list[str]:
    """ "host:port,host:port" (a cluster) as a list: FastStream hands a string on to its Kafka
    clients as one host name."""
    return [server.strip() for server in text.split(",") if server.strip()]


def client_options(
    username: str, password: str, protocol: str = "SASL_PLAINTEXT"
) -> dict[str, str]:
    """aiokafka client arguments for a SASL/SCRAM-SHA-256 principal (none for an empty name)."""
    if not username:
        return {}
    return {
        "security_protocol": protocol,
        "sasl_mechanism": "SCRAM-SHA-256",
        "sasl_plain_username": username,
        "sasl_plain_password": password,
    }


def create_broker(settings: ServiceSettings, tracer_provider: TracerProvider | None) -> KafkaBroker:
    """A broker whose publishes and consumes carry W3C trace context in Kafka headers."""
    middlewares = [KafkaTelemetryMiddleware(tracer_provider=tracer_provider)]
    security: BaseSecurity | None = None
    if settings.kafka_username:  # this service's own principal: the broker's ACLs apply to it
        security = SASLScram256(
            settings.kafka_username,
            settings.kafka_password,
            use_ssl=settings.kafka_security_protocol == "SASL_SSL",
        )
    return KafkaBroker(
        bootstrap_servers(settings.kafka_bootstrap_servers),
        security=security,
        client_id=f"gatepost-{settings.service_name}",
        middlewares=middlewares,
        # FastStream's own logger writes coloured text lines; this one goes through the service's
        # JSON log handler like every other line
        logger=logging.getLogger("gatepost.kafka"),
        acks="all",
        enable_idempotence=True,
        graceful_timeout=10.0,
    )


# what a use case is given to publish an event (key: the partition key); bound to Kafka at the
# composition root, a list in unit tests
Emit = Callable[[CloudEvent[Any], str], Awaitable[None]]


def emitter(broker: KafkaBroker) -> Emit:
    async def emit(event: CloudEvent[Any], key: str) -> None:
        await publish_event(broker, event, key=key)

    return emit


# the topics each broker was declared to emit (`emits`), so its AsyncAPI document lists them
_declared: WeakKeyDictionary[KafkaBroker, dict[str, DefaultPublisher]] = WeakKeyDictionary()


def inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema with its `$defs` written in place (event models are not recursive), so it
    can stand inside another document's schema."""
    definitions = schema.get("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {k: resolve(v) for k, v in node.items() if k != "$defs"}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


def event_schema(model: type[D]) -> dict[str, Any]:
    """The JSON schema of `model`'s CloudEvent (structured mode)."""
    return inlined(CloudEvent[model].model_json_schema())  # type: ignore[valid-type]


def emits(broker: KafkaBroker, model: type[EventData]) -> None:
    """Declare that this service publishes `model`'s events: its AsyncAPI document lists the
    topic with the event's schema, and `publish_event` refuses a topic not declared."""
    publisher = broker.publisher(
        model.TYPE,
        title=f"{model.TYPE}:publish",
        description=f"Emits {model.SCHEMA} CloudEvents (structured mode), keyed as the "
        "architecture says.",
        schema=Annotated[bytes, WithJsonSchema(event_schema(model))],
    )
    _declared.setdefault(broker, {})[model.TYPE] = publisher


async def publish_event(
    broker: KafkaBroker, event: CloudEvent[Any], *, key: str, ack_within_s: float = 10.0
) -> None:
    """Publish one CloudEvent (structured mode) and wait for the broker's acknowledgement;
    raises TimeoutError when Kafka does not acknowledge in time (callers keep an outbox)."""
    publisher = _declared.get(broker, {}).get(event.type)
    if publisher is None:
        raise RuntimeError(f"{event.type} is not declared: call emits() at the composition root")
    async with asyncio.timeout(ack_within_s):
        await publisher.publish(
            event.model_dump_json().encode(),
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


@dataclass
class Deliveries:
    """How one consumer treats each delivery: decode, handle, then acknowledge. A message that
    can never be processed goes to `<topic>.dlq` at once; one whose handling keeps failing goes
    there after `max_attempts` deliveries, with the last error (counted per process: a restart
    counts again). A message is acknowledged only once its effect, or its dead letter, is
    stored: if the dead letter cannot be written, it is delivered again."""

    broker: KafkaBroker
    max_attempts: int = MAX_DELIVERIES
    pause_s: float = REDELIVERY_PAUSE_S
    attempts: dict[str, int] = field(default_factory=dict)

    async def consume(
        self,
        model: type[D],
        handler: Callable[[CloudEvent[D]], Awaitable[None]],
        body: bytes,
        message: Any,
    ) -> None:
        try:
            event = parse(model, body, headers_of(message))
        except (ValidationError, ValueError) as error:
            await self.give_up(message, f"invalid {model.TYPE} CloudEvent: {error}")
            return
        key = where(message)
        try:
            await handler(event)
        except PoisonMessage as error:
            await self.give_up(message, str(error))
            return
        except Exception as error:
            self.attempts[key] = self.attempts.get(key, 0) + 1
            if self.attempts[key] >= self.max_attempts:
                logger.exception("handler failed for the last time; dead-lettering")
                await self.give_up(
                    message, f"failed {self.attempts[key]} times, last: {error!r}"[:1000]
                )
                return
            logger.exception("handler failed; the message will be redelivered")
            await asyncio.sleep(self.pause_s)
            await message.nack()
            return
        self.attempts.pop(key, None)
        await message.ack()

    async def give_up(self, message: Any, reason: str) -> None:
        try:
            await dead_letter(self.broker, message, reason)
        except Exception:
            logger.exception("the dead letter could not be written; the message comes again")
            await asyncio.sleep(self.pause_s)
            await message.nack()
            return
        self.attempts.pop(where(message), None)
        await message.ack()


def headers_of(message: Any) -> dict[str, str]:
    """The message's Kafka headers as text (FastStream decodes them; raw bytes are decoded)."""
    found = getattr(message, "headers", None) or {}
    return {
        str(k).lower(): v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
        for k, v in dict(found).items()
    }


def where(message: Any) -> str:
    raw = message.raw_message
    return (
        f"{getattr(raw, 'topic', '?')}:{getattr(raw, 'partition', -1)}:{getattr(raw, 'offset', -1)}"
    )


def subscribe(
    broker: KafkaBroker,
    model: type[D],
    handler: Callable[[CloudEvent[D]], Awaitable[None]],
    *,
    group_id: str,
    consumers: int = 1,
) -> None:
    """Consume `model`'s topic: decode, handle, then commit; poison → DLQ, errors → retry.
    `consumers`: members of the group in this process, each with partitions of its own, so
    partitions are handled side by side (each one still in order, committed after handling)."""
    deliveries = Deliveries(broker)

    # The body stays bytes for FastStream (Deliveries decodes it, so a bad event goes to the DLQ
    # and binary content mode is read from headers); the schema tells AsyncAPI what it is.
    async def consume(body: bytes, message: KafkaMessage) -> None:
        await deliveries.consume(model, handler, body, message)

    consume.__annotations__["body"] = Annotated[bytes, WithJsonSchema(event_schema(model))]
    broker.subscriber(
        model.TYPE,
        group_id=group_id,
        max_workers=consumers,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        decoder=_raw_body,
        title=f"{group_id}:{model.TYPE}",
        description=f"Consumes {model.SCHEMA} CloudEvents, in structured or binary content "
        "mode; one that is invalid, or keeps failing, goes to the dead-letter topic.",
    )(consume)
    broker.publisher(
        dlq(model.TYPE),
        title=f"{dlq(model.TYPE)}:publish",
        description=f"{model.TYPE} messages this consumer gave up on, as received, with the "
        f"reason in the `{DLQ_REASON_HEADER}` header.",
        schema=Annotated[bytes, WithJsonSchema({"type": "string", "format": "binary"})],
    )
