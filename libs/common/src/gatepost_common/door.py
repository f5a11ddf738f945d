"""Who asks, before what they send. FastAPI reads and parses a request's body before it resolves
the route's dependencies, so a caller without a session (or service token) had a 50 MB upload
spooled, or an 8 MB JSON body parsed, before the 401. The door is an ASGI layer in front of the
routes: before the first byte of a body is read, when the route takes a person
(`sessions.signed_in`) or a service (`access.internal_caller`), it runs that same check on the
headers alone; a refusal is answered without one byte of the body read. The routes' own
dependencies check again after it (the door decides nothing they do not).

Body limits are FastAPI's own (`max_body_size`: the Content-Length refused before reading, the
bytes counted while reading): every service's app has `DEFAULT_BODY_BYTES`, a route that takes
more says so (`@router.post(..., max_body_size=UPLOAD)`)."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gatepost_common.access import CallerKeys, internal_caller
from gatepost_common.sessions import SessionKey, signed_in

DEFAULT_BODY_BYTES = 1_000_000  # JSON bodies, unless a route says otherwise


class Guard(Enum):
    PUBLIC = "public"
    PERSON = "person"
    SERVICE = "service"


def guard_of(route: APIRoute) -> Guard:
    """What a route asks of its caller, read from its dependencies (at any depth)."""
    calls = _calls(route.dependant)
    if internal_caller in calls:
        return Guard.SERVICE
    if signed_in in calls:
        return Guard.PERSON
    return Guard.PUBLIC


def _calls(dependant: Dependant) -> set[Callable[..., Any]]:
    found: set[Callable[..., Any]] = set()
    for sub in dependant.dependencies:
        if sub.call is not None:
            found.add(sub.call)
        found |= _calls(sub)
    return found


class Door:
    """The ASGI layer (`app.add_middleware(Door, site=app)`): the request is routed as usual
    (routing reads no body), and the first time anything asks for the body, the caller of the
    route FastAPI chose (`scope["route"]`) is checked; a refusal is raised there, as an
    HTTPException that FastAPI answers, and nothing was read."""

    def __init__(self, app: ASGIApp, site: FastAPI) -> None:
        self.app, self.site = app, site
        self.guards: dict[int, Guard] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        checked = False

        async def receive_after_check() -> Message:
            nonlocal checked
            if not checked:
                self.check(scope)  # HTTPException: refused before the first byte
                checked = True
            return await receive()

        await self.app(scope, receive_after_check, send)

    def check(self, scope: Scope) -> None:
        route = scope.get("route")
        if not isinstance(route, APIRoute):
            return
        guard = self.guards.setdefault(id(route), guard_of(route))
        if guard is Guard.PUBLIC:
            return
        provided: dict[type[Any], Any] = getattr(self.site.state, "provided", {})
        key = provided.get(SessionKey if guard is Guard.PERSON else CallerKeys)
        if key is None:
            return  # the route's own dependency says what is missing
        request = Request(scope)
        if guard is Guard.PERSON:
            signed_in(request, key)
        else:
            internal_caller(request, key, request.headers.get("x-service-token", ""))


def guard_bodies(app: FastAPI) -> FastAPI:
    """Put the door in front of `app`'s routes."""
    app.add_middleware(Door, site=app)
    return app
