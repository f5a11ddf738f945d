"""Which handler failures are a dependency away (retried for as long as it takes) and which are
the message's own (dead-lettered): MongoDB, Kafka and HTTP errors of an outage on one side;
validation, signatures, refusals and bugs on the other."""

from __future__ import annotations

import socket

import httpx
import pytest
from aiokafka import errors as kafka_errors
from pydantic import BaseModel, ValidationError
from pymongo import errors as mongo_errors

from gatepost_common.consuming import PoisonMessage
from gatepost_common.errors import ConflictError, RefusedInput
from gatepost_common.failures import is_infrastructure

REQUEST = httpx.Request("GET", "http://auth:8000/internal/users/u/accounts/a")


def answered(status: int) -> httpx.HTTPStatusError:
    response = httpx.Response(status, request=REQUEST)
    return httpx.HTTPStatusError(f"{status}", request=REQUEST, response=response)


def invalid() -> ValidationError:
    class Thing(BaseModel):
        n: int

    try:
        Thing.model_validate({"n": "many"})
    except ValidationError as error:
        return error
    raise AssertionError("validated")


INFRASTRUCTURE = [
    mongo_errors.AutoReconnect("connection closed"),
    mongo_errors.ServerSelectionTimeoutError("No servers found yet"),
    mongo_errors.NetworkTimeout("timed out"),
    mongo_errors.ConnectionFailure("refused"),
    mongo_errors.NotPrimaryError("not primary"),
    mongo_errors.WaitQueueTimeoutError("pool full"),
    mongo_errors.ExecutionTimeout("operation exceeded time limit", 50),
    mongo_errors.OperationFailure(
        "write conflict", 112, {"errorLabels": ["TransientTransactionError"]}
    ),
    kafka_errors.KafkaConnectionError("no broker"),
    kafka_errors.KafkaTimeoutError(),
    kafka_errors.NotLeaderForPartitionError(),
    kafka_errors.RequestTimedOutError(),
    kafka_errors.TopicAuthorizationFailedError(),  # an ACL being fixed, not this message
    TimeoutError(),
    ConnectionRefusedError(111, "Connection refused"),
    socket.gaierror(-2, "Name or service not known"),
    httpx.ConnectError("connection refused", request=REQUEST),
    httpx.ReadTimeout("read timed out", request=REQUEST),
    httpx.RemoteProtocolError("server disconnected", request=REQUEST),
    answered(502),
    answered(503),
    answered(504),
    answered(429),
]

POISON = [
    PoisonMessage("post.approved signature does not verify"),
    invalid(),
    ValueError("not a CloudEvent"),
    UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
    ConflictError("already decided"),
    RefusedInput("caption too long"),
    mongo_errors.DuplicateKeyError("E11000 duplicate key"),
    mongo_errors.WriteError("document failed validation", 121),
    mongo_errors.OperationFailure("unknown operator $sett", 2),
    kafka_errors.MessageSizeTooLargeError(),
    kafka_errors.RecordTooLargeError(),
    answered(400),
    answered(404),
    answered(409),
    answered(422),
    answered(500),  # an answer, deterministic until a fix: counted, then dead-lettered
    KeyError("slides"),
    RuntimeError("a bug"),
]


@pytest.mark.parametrize("error", INFRASTRUCTURE, ids=repr)
def test_a_dependency_away_is_infrastructure(error: BaseException) -> None:
    assert is_infrastructure(error)


@pytest.mark.parametrize("error", POISON, ids=repr)
def test_the_messages_own_failure_is_not_infrastructure(error: BaseException) -> None:
    assert not is_infrastructure(error)


def test_an_error_raised_from_an_outage_is_infrastructure() -> None:
    try:
        try:
            raise mongo_errors.AutoReconnect("primary stepped down")
        except mongo_errors.AutoReconnect as away:
            raise RuntimeError("could not store the job") from away
    except RuntimeError as wrapped:
        assert is_infrastructure(wrapped)


def test_an_error_merely_raised_during_an_outage_is_judged_by_itself() -> None:
    try:
        try:
            raise httpx.ConnectError("auth away", request=REQUEST)
        except httpx.ConnectError:
            raise PoisonMessage("no such account") from None
    except PoisonMessage as refused:
        assert not is_infrastructure(refused)


def test_a_group_with_an_outage_in_it_is_infrastructure() -> None:
    group = ExceptionGroup("slides", [KeyError("x"), httpx.ConnectError("media away")])
    assert is_infrastructure(group)
    assert not is_infrastructure(ExceptionGroup("slides", [KeyError("x"), ValueError("y")]))
