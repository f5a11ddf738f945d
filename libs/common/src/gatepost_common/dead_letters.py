"""Writing a dead letter: the message as received (body, key and headers, so it can be replayed
in either CloudEvents content mode) on `<topic>.dlq`, with why, what kind of failure, where it
came from and when in `x-dlq-*` headers; each one counted (`gatepost.dead_letters`)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage

from gatepost_common.metrics import DEAD_LETTERS
from gatepost_common.topics import dlq

logger = logging.getLogger(__name__)

DLQ_REASON_HEADER = "x-dlq-reason"
DLQ_KIND_HEADER = "x-dlq-kind"  # poison (refused at once) or unexpected (failed max_attempts)
DLQ_TOPIC_HEADER = "x-dlq-topic"  # where it came from, and where a replay sends it
DLQ_OFFSET_HEADER = "x-dlq-source-offset"
DLQ_GROUP_HEADER = "x-dlq-group"
DLQ_AT_HEADER = "x-dlq-at"


async def dead_letter(
    broker: KafkaBroker, message: StreamMessage[Any], reason: str, kind: str, group: str = ""
) -> None:
    """Write `message` to its topic's DLQ as received (body and headers, so it can be replayed
    in either content mode), with why, where from and when in `x-dlq-*` headers."""
    raw = message.raw_message
    topic = getattr(raw, "topic", "unknown")
    logger.warning(
        "dead-lettering a message",
        extra={"fields": {"topic": topic, "reason": reason, "kind": kind, "group": group}},
    )
    kept = {k: v for k, v in headers_of(message).items() if not k.startswith("x-dlq-")}
    await broker.publish(
        message.body,
        topic=dlq(topic),
        key=getattr(raw, "key", None),
        headers={
            **kept,
            DLQ_REASON_HEADER: reason[:1000],
            DLQ_KIND_HEADER: kind,
            DLQ_TOPIC_HEADER: topic,
            DLQ_OFFSET_HEADER: f"{getattr(raw, 'partition', -1)}:{getattr(raw, 'offset', -1)}",
            DLQ_GROUP_HEADER: group,
            DLQ_AT_HEADER: datetime.now(UTC).isoformat(),
        },
    )
    DEAD_LETTERS.add(1, {"topic": topic, "kind": kind})


def headers_of(message: Any) -> dict[str, str]:
    """The message's Kafka headers as text (FastStream decodes them; raw bytes are decoded)."""
    found = getattr(message, "headers", None) or {}
    return {
        str(k).lower(): v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
        for k, v in dict(found).items()
    }
