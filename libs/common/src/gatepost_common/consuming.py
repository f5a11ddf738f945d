"""Consuming CloudEvents from Kafka: decode (structured or binary content mode), handle, then
acknowledge, only once the effect is stored. A dependency away is waited out, however long; a
message that can never be processed, or keeps failing otherwise, goes to `<topic>.dlq` with the
reason (`gatepost_devstack dead-letters` lists and replays them)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage
from pydantic import ValidationError, WithJsonSchema

from gatepost_common.cloud_event import CloudEvent, D, parse
from gatepost_common.dead_letters import DLQ_REASON_HEADER as DLQ_REASON_HEADER  # re-exported
from gatepost_common.dead_letters import dead_letter, headers_of
from gatepost_common.failures import is_infrastructure
from gatepost_common.kafka import event_schema
from gatepost_common.topics import dlq

logger = logging.getLogger(__name__)

REDELIVERY_PAUSE_S = 1.0
# An outage is waited out with pauses doubling up to this: well inside Kafka's
# max.poll.interval (300 s), since the consumer polls again between two deliveries.
MAX_OUTAGE_PAUSE_S = 30.0
MAX_DELIVERIES = 5  # a message whose handling failed unexpectedly this often goes to the DLQ


class PoisonMessage(Exception):
    """The message can never be processed (bad signature, impossible state): dead-letter it."""


async def _raw_body(message: StreamMessage[Any]) -> bytes:
    return message.body


@dataclass
class Deliveries:
    """How one consumer treats each delivery: decode, handle, then acknowledge.

    - A message that can never be processed (undecodable, `PoisonMessage`) goes to
      `<topic>.dlq` at once.
    - An infrastructure failure (`failures.is_infrastructure`: MongoDB, Kafka or a service
      away) is waited out for as long as it takes: the message is not acknowledged, its
      partition is rewound to it (nothing after it overtakes), and it comes again after a pause
      doubling from `pause_s` up to `max_pause_s`. It never counts toward the DLQ.
    - Any other failure is taken for a bug that the same message meets each time: after
      `max_attempts` deliveries it goes to the DLQ with the last error (counted per process).

    A message is acknowledged only once its effect, or its dead letter, is stored: if the dead
    letter cannot be written, it is delivered again."""

    broker: KafkaBroker
    max_attempts: int = MAX_DELIVERIES
    pause_s: float = REDELIVERY_PAUSE_S
    max_pause_s: float = MAX_OUTAGE_PAUSE_S
    group: str = ""
    attempts: dict[str, int] = field(default_factory=dict)
    outages: dict[str, int] = field(default_factory=dict)

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
            await self.give_up(message, f"invalid {model.TYPE} CloudEvent: {error}", "poison")
            return
        key = where(message)
        try:
            await handler(event)
        except PoisonMessage as error:
            await self.give_up(message, str(error), "poison")
            return
        except Exception as error:
            if is_infrastructure(error):
                await self.wait_out(message, error)
                return
            self.attempts[key] = self.attempts.get(key, 0) + 1
            if self.attempts[key] >= self.max_attempts:
                logger.exception("handler failed for the last time; dead-lettering")
                reason = f"failed {self.attempts[key]} times, last: {error!r}"
                await self.give_up(message, reason[:1000], "unexpected")
                return
            logger.exception("handler failed; the message will be redelivered")
            await asyncio.sleep(self.pause_s)
            await message.nack()
            return
        self.forget(key)
        await message.ack()

    async def wait_out(self, message: Any, error: Exception) -> None:
        """A dependency is away: deliver this message again after a pause, never dead-letter."""
        key = where(message)
        self.outages[key] = self.outages.get(key, 0) + 1
        pause = min(self.pause_s * 2.0 ** (self.outages[key] - 1), self.max_pause_s)
        logger.warning(
            "a dependency is away; the message waits and comes again",
            extra={"fields": {"at": key, "error": repr(error)[:300], "pause_s": pause}},
        )
        await asyncio.sleep(pause)
        await message.nack()

    async def give_up(self, message: Any, reason: str, kind: str) -> None:
        try:
            await dead_letter(self.broker, message, reason, kind, self.group)
        except Exception:
            logger.exception("the dead letter could not be written; the message comes again")
            await asyncio.sleep(self.pause_s)
            await message.nack()
            return
        self.forget(where(message))
        await message.ack()

    def forget(self, key: str) -> None:
        self.attempts.pop(key, None)
        self.outages.pop(key, None)


def where(message: Any) -> str:
    raw = message.raw_message
    return (
        f"{getattr(raw, 'topic', '?')}:{getattr(raw, 'partition', -1)}:{getattr(raw, 'offset', -1)}"
    )


# A consumer hands out what one fetch brought a partition at a time, in full, before the next
# partition's (aiokafka's fetcher): with the default 1 MiB a backlog of one partition (a burst of
# one account's approvals) was handled entirely before any other partition's first message. A
# few dozen events per partition per fetch keep the partitions of one consumer side by side.
PARTITION_FETCH_BYTES = 32 * 1024


def subscribe(
    broker: KafkaBroker,
    model: type[D],
    handler: Callable[[CloudEvent[D]], Awaitable[None]],
    *,
    group_id: str,
    consumers: int = 1,
    max_attempts: int = MAX_DELIVERIES,
    pause_s: float = REDELIVERY_PAUSE_S,
) -> None:
    """Consume `model`'s topic: decode, handle, then commit; poison → DLQ, a dependency away →
    wait and retry for as long as it takes, other errors → retry (`max_attempts` deliveries,
    `pause_s` apart, then the DLQ). `consumers`: members of the group
    in this process, each with partitions of its own, so partitions are handled side by side
    (each one still in order, committed after handling)."""
    deliveries = Deliveries(broker, max_attempts=max_attempts, pause_s=pause_s, group=group_id)

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
        max_partition_fetch_bytes=PARTITION_FETCH_BYTES,
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
