"""Who asks, before what they send. FastAPI reads and parses a request's body before it resolves
the route's dependencies, so a caller without a session (or service token) had a 50 MB upload
spooled, or an 8 MB JSON body parsed, before the 401. The door is an ASGI layer in front of the
routes: before the first byte of a body is read, when the route takes a person
(`sessions.signed_in`), a person or their personal API token (`api_tokens.person_or_token`: auth
checks the token, once a call) or a service (`access.internal_caller`), it runs that same check
on the headers alone; a refusal is answered without one byte of the body read. The routes' own
dependencies check again after it (the door decides nothing they do not).

It bounds bodies too: `DEFAULT_BODY_BYTES` (1 MB of JSON) unless the route says otherwise
(`dependencies=[takes(UPLOAD_BYTES)]`); a Content-Length over the limit is refused unread, and a
body without one is counted as it comes and cut off. (FastAPI's own `max_body_size` answers a
declared length over the limit with a plain-text 413 whatever the route answered.)"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from fastapi import Depends, FastAPI, HTTPException
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
    PERSON_OR_TOKEN = "person or token"
    SERVICE = "service"


@dataclass(frozen=True)
class BodyLimit:
    """A route's body limit, declared as a dependency that does nothing when called."""

    bytes: int

    def __call__(self) -> None:
        return None


def takes(most_bytes: int) -> Any:
    """`dependencies=[takes(n)]`: the route reads bodies of up to `most_bytes`."""
    return Depends(BodyLimit(most_bytes))


@dataclass(frozen=True)
class Rules:
    """What the door asks of a route's caller, and how much of a body it lets through."""

    guard: Guard
    most_bytes: int
    # PERSON_OR_TOKEN: the route's own dependency (request, SessionKey) -> User, awaited
    person_or_token: Callable[..., Any] | None = None


def rules_of(route: APIRoute) -> Rules:
    """Read from the route's dependencies (at any depth)."""
    calls = _calls(route.dependant)
    limits = [call.bytes for call in calls if isinstance(call, BodyLimit)]
    most = max(limits, default=DEFAULT_BODY_BYTES)
    if internal_caller in calls:
        return Rules(Guard.SERVICE, most)
    either = [call for call in calls if getattr(call, "takes_api_tokens", None) is not None]
    if either:
        return Rules(Guard.PERSON_OR_TOKEN, most, either[0])
    if signed_in in calls:
        return Rules(Guard.PERSON, most)
    return Rules(Guard.PUBLIC, most)


def _calls(dependant: Dependant) -> list[Callable[..., Any]]:
    found: list[Callable[..., Any]] = []
    for sub in dependant.dependencies:
        if sub.call is not None:
            found.append(sub.call)
        found += _calls(sub)
    return found


def too_large(most_bytes: int) -> HTTPException:
    return HTTPException(413, f"the request body is larger than {most_bytes} bytes")


class Door:
    """The ASGI layer (`guard_bodies(app)`): the request is routed as usual (routing reads no
    body), and the first time anything asks for the body, the caller of the route FastAPI chose
    (`scope["route"]`) is checked and the declared length weighed; a refusal is raised there,
    as an HTTPException that FastAPI answers, and nothing was read."""

    def __init__(self, app: ASGIApp, site: FastAPI) -> None:
        self.app, self.site = app, site
        self.rules: dict[int, Rules] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rules: Rules | None = None
        received = 0

        async def receive_within_rules() -> Message:
            nonlocal rules, received
            if rules is None:
                rules = await self.check(scope)  # HTTPException: refused before the first byte
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > rules.most_bytes:
                    raise too_large(rules.most_bytes)
            return message

        await self.app(scope, receive_within_rules, send)

    async def check(self, scope: Scope) -> Rules:
        route = scope.get("route")
        if not isinstance(route, APIRoute):
            return Rules(Guard.PUBLIC, DEFAULT_BODY_BYTES)
        rules = self.rules.setdefault(id(route), rules_of(route))
        request = Request(scope)
        declared = request.headers.get("content-length", "")
        if rules.guard is not Guard.PUBLIC:
            provided: dict[type[Any], Any] = getattr(self.site.state, "provided", {})
            key = provided.get(CallerKeys if rules.guard is Guard.SERVICE else SessionKey)
            if key is None:
                pass  # the route's own dependency says what is missing
            elif rules.person_or_token is not None:
                await rules.person_or_token(request, key)
            elif rules.guard is Guard.PERSON:
                signed_in(request, key)
            else:
                await internal_caller(request, key, request.headers.get("x-service-token", ""))
        if declared.isdigit() and int(declared) > rules.most_bytes:
            raise too_large(rules.most_bytes)
        return rules


def guard_bodies(app: FastAPI) -> FastAPI:
    """Put the door in front of `app`'s routes."""
    app.add_middleware(Door, site=app)
    return app
