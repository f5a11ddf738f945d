"""Which failures of a consumer's handler are the infrastructure's (a database, broker or
dependent service away for a while: handling the same message again later succeeds) and which
are the message's own (the same message fails the same way every time). The first are retried
for as long as it takes; only the second may be dead-lettered."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
from aiokafka import errors as kafka_errors
from pymongo import errors as mongo_errors

# answers of a service that is restarting, overloaded or behind a gateway that lost it
UNAVAILABLE_STATUSES = frozenset({429, 502, 503, 504})

# Kafka refusing this message itself: sending it again meets the same refusal. Every other
# Kafka error is about the cluster (away, electing, rebalancing, an ACL being fixed).
MESSAGE_KAFKA_ERRORS: tuple[type[Exception], ...] = (
    kafka_errors.MessageSizeTooLargeError,
    kafka_errors.RecordTooLargeError,
    kafka_errors.RecordListTooLargeError,
    kafka_errors.InvalidMessageError,
    kafka_errors.CorruptRecordException,
    kafka_errors.UnsupportedCodecError,
    kafka_errors.InvalidTimestampError,
)

TRANSIENT_MONGO_LABELS = ("RetryableWriteError", "TransientTransactionError")


def is_infrastructure(error: BaseException) -> bool:
    """True when `error`, an error it was raised from (`raise … from`), or one it groups, says
    a dependency is away. An error merely raised while handling another is judged by itself."""
    return any(_infrastructure(one) for one in _causes(error))


def _infrastructure(error: BaseException) -> bool:
    if isinstance(error, TimeoutError | ConnectionError | socket.gaierror):
        return True
    if isinstance(error, mongo_errors.PyMongoError):
        return _mongo(error)
    if isinstance(error, kafka_errors.KafkaError):
        return not isinstance(error, MESSAGE_KAFKA_ERRORS)
    if isinstance(error, httpx.HTTPStatusError):
        return error.response.status_code in UNAVAILABLE_STATUSES
    return isinstance(
        error, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError
    )


def _mongo(error: mongo_errors.PyMongoError) -> bool:
    if isinstance(error, mongo_errors.ConnectionFailure):  # AutoReconnect, NetworkTimeout, …
        return True
    if any(error.has_error_label(label) for label in TRANSIENT_MONGO_LABELS):
        return True
    return error.timeout  # an operation that ran out of time (ExecutionTimeout, CSOT)


def _causes(error: BaseException) -> Iterator[BaseException]:
    """`error`, what it was raised from, and what it groups, each once."""
    seen: set[int] = set()
    waiting = [error]
    while waiting:
        one = waiting.pop()
        if id(one) in seen:
            continue
        seen.add(id(one))
        yield one
        if one.__cause__ is not None:
            waiting.append(one.__cause__)
        if isinstance(one, BaseExceptionGroup):
            waiting.extend(one.exceptions)
