"""Domain errors and the one way every service answers them over HTTP. A use case raises a
`DomainError` subclass that says what its refusal means (`status`: not found, a conflict, input
refused) and why, for the person: the class's `detail` when it has one (the exception's
arguments are then context, e.g. an id, for logs), else the exception's message. The service's
HTTP layer answers it as `{"detail": reason}` with that status, without a try/except per route."""

from __future__ import annotations

from typing import ClassVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class DomainError(Exception):
    status: ClassVar[int] = 400
    detail: ClassVar[str] = ""  # the reason given; empty: the exception's message is

    @property
    def reason(self) -> str:
        return self.detail or str(self) or type(self).__name__


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
    return JSONResponse({"detail": error.reason}, status_code=error.status)


def answer_domain_errors(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, answer)
