"""Kafka wiring on FastStream: the broker factory and CloudEvent publishing (declared, so each
service's AsyncAPI document lists what it emits). Consuming: gatepost_common.consuming."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from weakref import WeakKeyDictionary

from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.kafka.publisher import DefaultPublisher
from faststream.security import BaseSecurity, SASLScram256
from opentelemetry.sdk.trace import TracerProvider
from pydantic import WithJsonSchema

from gatepost_common.cloud_event import CloudEvent, D
from gatepost_common.events import EventData
from gatepost_common.settings import ServiceSettings

logger = logging.getLogger(__name__)


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
