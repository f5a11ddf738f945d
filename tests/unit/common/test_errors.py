"""Domain errors answered the same way by every service: the status their kind says, the reason
as `detail`, no try/except per route."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pymongo.errors import DuplicateKeyError, ServerSelectionTimeoutError

from gatepost_common.errors import ConflictError, NotFoundError, RefusedInput, answer_domain_errors


class NoSuchPost(NotFoundError):
    detail = "no such post"


class Decided(ConflictError):
    detail = "this post was already approved or rejected"


def test_each_kind_is_answered_with_its_status_and_reason() -> None:
    app = FastAPI()
    answer_domain_errors(app)

    @app.get("/missing")
    async def missing() -> None:
        raise NoSuchPost("p1")  # the id is context; the class says the reason

    @app.get("/decided")
    async def decided() -> None:
        raise Decided

    @app.get("/refused")
    async def refused() -> None:
        raise RefusedInput("the caption is longer than TikTok's 4000 characters")

    @app.get("/bug")
    async def bug() -> None:
        raise KeyError("not a refusal")

    client = TestClient(app, raise_server_exceptions=False)
    assert (client.get("/missing").status_code, client.get("/missing").json()) == (
        404,
        {"detail": "no such post"},
    )
    assert client.get("/decided").json() == {"detail": Decided.detail}
    assert client.get("/decided").status_code == 409
    answer = client.get("/refused")  # no detail of its own: the message is the reason
    assert (answer.status_code, answer.json()) == (
        422,
        {"detail": "the caption is longer than TikTok's 4000 characters"},
    )
    assert client.get("/bug").status_code == 500, "a bug is not a refusal"


def test_a_database_away_is_answered_503_so_callers_wait_instead_of_giving_up() -> None:
    app = FastAPI()
    answer_domain_errors(app)

    @app.get("/away")
    async def away() -> None:
        raise ServerSelectionTimeoutError("No servers found yet")

    @app.get("/duplicate")
    async def duplicate() -> None:
        raise DuplicateKeyError("E11000")

    client = TestClient(app, raise_server_exceptions=False)
    answer = client.get("/away")
    assert (answer.status_code, answer.headers.get("retry-after")) == (503, "5")
    assert client.get("/duplicate").status_code == 500, "a refused write is no outage"
