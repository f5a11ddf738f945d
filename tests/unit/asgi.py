"""A service's module-level routes served in process, over what a test provides (the composition
root's objects or fakes), with a signed session for a person: route tests without a server."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI

from gatepost_common import signing
from gatepost_common.door import guard_bodies
from gatepost_common.errors import answer_domain_errors
from gatepost_common.provided import provide
from gatepost_common.sessions import SessionKey, User, issue_session

SESSION_PRIVATE, SESSION_PUBLIC = signing.generate_keypair()


def served(routers: Sequence[APIRouter], things: Mapping[type[Any], object]) -> httpx.AsyncClient:
    """A client of an app made of `routers`, given `things` and the test session key."""
    app = FastAPI()
    answer_domain_errors(app)
    for router in routers:
        app.include_router(router)
    provide(app, {SessionKey: SessionKey(SESSION_PUBLIC), **things})
    guard_bodies(app)  # as create_service_app does
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service")


def bearer(user_id: str) -> dict[str, str]:
    """The Authorization header of a session of `user_id` (a bearer token needs no CSRF echo)."""
    session = issue_session(SESSION_PRIVATE, User(user_id, f"{user_id}@example.com"), timedelta(1))
    return {"Authorization": f"Bearer {session.token}"}
