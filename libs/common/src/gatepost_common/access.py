"""Who may do what between Gatepost's parts: the one table the services enforce on their internal
routes, the local Kafka's ACLs are made from, and docs/architecture.md shows (generated from it by
gatepost_devstack.contract; a test keeps them equal).

A service proves who it is with a token it signs with its own Ed25519 key (`SERVICE_KEY`) for one
request: the service it calls, the method and the path, valid for TOKEN_LIFETIME_S and taken once
(the called service records its id: gatepost_common.token_replays). Every service knows the
others' public keys (`SERVICE_PUBLIC_KEYS`). A leaked key of one service opens only the routes
that table gives that service, a route the table does not name is refused to everyone, and a
token seen on the way opens nothing else and nothing again."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Annotated

import httpx
import jwt
from fastapi import Depends, Header, HTTPException, Request, status

from gatepost_common.provided import given
from gatepost_common.token_replays import SeenInMemory, SeenTokens
from gatepost_common.topics import (
    POST_APPROVED,
    POST_GENERATED,
    POST_MEASURED,
    POST_PROGRESSED,
    POST_PUBLISHED,
    TIKTOK_WEBHOOK,
    TOPIC_CREATED,
    dlq,
)

SERVICE_TOKEN_HEADER = "X-Service-Token"
TOKEN_LIFETIME_S = 30
TOKEN_CLAIMS = ["iss", "aud", "exp", "iat", "jti", "htm", "htp"]
_TAKEN = "gatepost.service_token"  # the request scope's note: this token id was taken already

# service → "METHOD /path" of its internal routes → the services that may call it
INTERNAL_ROUTES: dict[str, dict[str, frozenset[str]]] = {
    "auth": {
        # a plaintext TikTok access token: the publisher only, for an account of the named user
        "POST /internal/accounts/{account_id}/token": frozenset({"publisher"}),
        "GET /internal/users/{user_id}/accounts/{account_id}": frozenset(
            {"generator", "publisher"}
        ),
        "GET /internal/accounts/{account_id}/style": frozenset({"generator", "approval"}),
        # a personal API token on a route open to tokens: the services that serve such routes
        "POST /internal/api-tokens/check": frozenset({"generator", "approval", "publisher"}),
    },
    "media": {
        # media lands under the prefix TikTok pulls from: what the generator drew, and what a
        # person brought to the queue (approval takes it in, to be approved like any post)
        "POST /internal/images": frozenset({"generator", "approval"}),
        "POST /internal/slides": frozenset({"generator", "approval"}),
        "POST /internal/videos": frozenset({"approval"}),
        "POST /internal/videos/fetch": frozenset({"approval"}),
        # the files of posts whose media expired (approval keeps the posts: retention.py)
        "POST /internal/media/expire": frozenset({"approval"}),
    },
    "generator": {
        "POST /internal/illustrations": frozenset({"approval"}),
    },
    "publisher": {
        # an opted-in account's best titles, the generator's style examples
        "GET /internal/users/{user_id}/accounts/{account_id}/style-examples": frozenset(
            {"generator"}
        ),
    },
}


@dataclass(frozen=True)
class TopicAccess:
    writers: frozenset[str]
    readers: frozenset[str]


# Kafka principals: the five services, and `ingest` for other systems that hand in topics.
# A service that consumes a topic may also write its dead-letter topic.
TOPICS: dict[str, TopicAccess] = {
    TOPIC_CREATED: TopicAccess(frozenset({"generator", "ingest"}), frozenset({"generator"})),
    # approval queues it; auth tells the person's reviewers by mail
    POST_GENERATED: TopicAccess(frozenset({"generator"}), frozenset({"approval", "auth"})),
    # the approval gate: no other principal can write it, whatever it holds
    POST_APPROVED: TopicAccess(frozenset({"approval"}), frozenset({"publisher"})),
    POST_PUBLISHED: TopicAccess(frozenset({"publisher"}), frozenset({"approval"})),
    POST_PROGRESSED: TopicAccess(frozenset({"publisher"}), frozenset({"approval"})),
    # a live post's numbers: approval announces them to the person's webhooks
    POST_MEASURED: TopicAccess(frozenset({"publisher"}), frozenset({"approval"})),
    # TikTok's webhooks, verified once by the publisher's receiver: auth applies
    # authorization.removed, the publisher the post.publish.* events
    TIKTOK_WEBHOOK: TopicAccess(frozenset({"publisher"}), frozenset({"auth", "publisher"})),
}
KAFKA_PRINCIPALS = ("generator", "approval", "publisher", "auth", "ingest")  # media: no Kafka


@dataclass(frozen=True)
class AclEntry:
    """One ALLOW entry: `principal` may `operation` the `resource` (topic or group) `name`."""

    principal: str
    operation: str
    resource: str
    name: str


def kafka_acls() -> list[AclEntry]:
    """The ACLs that make TOPICS true: writers write, readers read the topic (in a consumer group
    named after the service) and write its dead-letter topic."""
    entries: list[AclEntry] = []
    for topic, access in TOPICS.items():
        entries += [AclEntry(p, "WRITE", "TOPIC", topic) for p in sorted(access.writers)]
        for reader in sorted(access.readers):
            entries += [
                AclEntry(reader, "READ", "TOPIC", topic),
                AclEntry(reader, "WRITE", "TOPIC", dlq(topic)),
            ]
    consumers = sorted({r for access in TOPICS.values() for r in access.readers})
    entries += [AclEntry(c, "READ", "GROUP", c) for c in consumers]
    return entries


def acl_table() -> str:
    """kafka_acls() as text, a line each: PRINCIPAL OPERATION RESOURCE NAME (deploy/kafka/acls.txt
    holds it for docker-compose.yml's kafka-init)."""
    return "".join(f"{a.principal} {a.operation} {a.resource} {a.name}\n" for a in kafka_acls())


def service_token(
    private_key_pem: str, issuer: str, audience: str, now: float, *, method: str, path: str
) -> str:
    """A token saying `issuer` calls `method` `path` of `audience`, once, within
    TOKEN_LIFETIME_S."""
    claims = {
        "iss": issuer,
        "aud": audience,
        "iat": int(now),
        "exp": int(now) + TOKEN_LIFETIME_S,
        "jti": uuid.uuid4().hex,
        "htm": method.upper(),
        "htp": path,
    }
    return jwt.encode(claims, private_key_pem, algorithm="EdDSA")


class ServiceAuth(httpx.Auth):
    """httpx authentication for calls to another Gatepost service: a fresh token for each
    request, bound to its method and path (a retried request is signed again)."""

    def __init__(self, issuer: str, private_key_pem: str, audience: str) -> None:
        self.issuer, self.key, self.audience = issuer, private_key_pem, audience

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[SERVICE_TOKEN_HEADER] = service_token(
            self.key,
            self.issuer,
            self.audience,
            time.time(),
            method=request.method,
            path=request.url.path,
        )
        yield request


def public_keys(text: str) -> dict[str, str]:
    """SERVICE_PUBLIC_KEYS: a JSON object of service name → Ed25519 public key (PEM)."""
    keys = json.loads(text or "{}")
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise ValueError("SERVICE_PUBLIC_KEYS must be a JSON object of name → PEM public key")
    return keys


@dataclass(frozen=True)
class CallerKeys:
    """Which service this is, every service's public key (SERVICE_PUBLIC_KEYS), and the ids of
    the tokens it has taken."""

    service: str
    keys: Mapping[str, str]
    seen: SeenTokens = field(default_factory=SeenInMemory)


def _refused(reason: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, f"internal route: {reason}")


async def internal_caller(
    request: Request,
    callers: Annotated[CallerKeys, given(CallerKeys)],
    x_service_token: Annotated[str, Header()] = "",
) -> str:
    """The calling service of an internal route: its signed token must be valid, addressed to
    this service, for this method and path, not used before, and from a service INTERNAL_ROUTES
    allows on this route. (The door checks first, before the body; the route's own check then
    finds the token taken by this same request, not replayed.)"""
    route = getattr(request.scope.get("route"), "path", "")
    allowed = INTERNAL_ROUTES.get(callers.service, {}).get(f"{request.method} {route}", frozenset())
    try:
        issuer = str(jwt.decode(x_service_token, options={"verify_signature": False})["iss"])
        claims = jwt.decode(
            x_service_token,
            callers.keys[issuer],
            algorithms=["EdDSA"],
            audience=callers.service,
            options={"require": TOKEN_CLAIMS},
        )
    except (jwt.InvalidTokenError, KeyError):
        raise _refused("a service's signed token required") from None
    if claims["htm"] != request.method or claims["htp"] != request.scope["path"]:
        raise _refused("the service token was signed for another request")
    if issuer not in allowed:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"internal route: not open to the {issuer} service"
        )
    token_id = str(claims["jti"])
    if request.scope.get(_TAKEN) != token_id:
        if not await callers.seen.first_use(token_id, float(claims["exp"])):
            raise _refused("the service token was used before")
        request.scope[_TAKEN] = token_id
    return issuer


# the dependency of every internal route (`APIRouter(dependencies=[INTERNAL])`)
INTERNAL = Depends(internal_caller)
