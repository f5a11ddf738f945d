"""Domain errors and the one way every service answers them over HTTP. A use case raises a
`DomainError` subclass that says what its refusal means (`status`: not found, a conflict, input
refused) and why, for the person: the class's `detail` when it has one (the exception's
arguments are then context, e.g. an id, for logs), else the exception's message. The service's
HTTP layer answers it as `{"detail": reason}` with that status, without a try/except per route."""

from __future__ import annotations

from typing import Any, ClassVar

from aiokafka.errors import KafkaError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pymongo.errors import PyMongoError

from gatepost_common.failures import is_infrastructure


class DomainError(Exception):
    status: ClassVar[int] = 400
    detail: ClassVar[str] = ""  # the reason given; empty: the exception's message is

    @property
    def reason(self) -> str:
        return self.detail or str(self) or type(self).__name__

    def answer_fields(self) -> dict[str, Any]:
        """More of the answer's body than `detail` (a quota's limit and reset time)."""
        return {}

    def answer_headers(self) -> dict[str, str]:
        return {}


class NotFoundError(DomainError):
    """No such thing for this person (the same answer whether it exists for another or not)."""

    status = 404


class ConflictError(DomainError):
    """Not in a state that allows this (decided already, changed meanwhile, busy)."""

    status = 409


class RefusedInput(DomainError):
    """Well-formed, but not acceptable: the message says why, for the person."""

    status = 422


async def answer(_: Request, error: Exception) -> JSONResponse:
    if not isinstance(error, DomainError):  # registered for DomainError only
        raise error
    return JSONResponse(
        {"detail": error.reason, **error.answer_fields()},
        status_code=error.status,
        headers=error.answer_headers() or None,
    )


async def answer_unavailable(_: Request, error: Exception) -> JSONResponse:
    """A dependency away (MongoDB, Kafka) answers 503, not 500: the caller, a consumer among
    them, knows to ask again later rather than take the request for a broken one."""
    if not is_infrastructure(error):
        raise error
    return JSONResponse(
        {"detail": "a dependency is unavailable; try again shortly"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


def answer_domain_errors(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, answer)
    for infrastructure in (PyMongoError, KafkaError, TimeoutError, ConnectionError):
        app.add_exception_handler(infrastructure, answer_unavailable)
