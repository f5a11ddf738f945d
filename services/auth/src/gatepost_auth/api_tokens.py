"""Personal API tokens: made for one person with a name, a few scopes and an expiry, kept only as
their SHA-256 (the token is shown once), revoked by the person. Every use is checked here (live,
unexpired, unrevoked, in scope, within its rate limit) and audited with the token's name."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import HTTPException, status
from pymongo.asynchronous.database import AsyncDatabase

from gatepost_common.api_tokens import TOKEN_PREFIX, Scope, TokenHolder
from gatepost_common.audit import AuditLog
from gatepost_common.clock import Clock
from gatepost_common.errors import NotFoundError, RefusedInput
from gatepost_common.mongo import Document
from gatepost_common.ratelimit import RateLimiter
from gatepost_common.sessions import User

MAX_LIVE_TOKENS = 50
REFUSED = "unknown, expired or revoked API token"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_id_of(token: str) -> str | None:
    """The id inside `gpt_<id>_<secret>`, or None for anything else."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    token_id, _, secret = token[len(TOKEN_PREFIX) :].partition("_")
    return token_id if token_id and secret else None


def audit_stream(token_id: str) -> str:
    """The audit log's stream of one token's uses."""
    return f"api-token:{token_id}"


@dataclass(frozen=True)
class MadeToken:
    document: Document
    token: str  # the only time it is seen: auth keeps its hash


class ApiTokens:
    """The tokens in auth's `api_tokens` collection, their uses in the audit log."""

    def __init__(
        self,
        db: AsyncDatabase[Document],
        audit: AuditLog,
        clock: Clock,
        per_minute: int,
    ) -> None:
        self.tokens = db["api_tokens"]
        self.audit, self.clock, self.per_minute = audit, clock, per_minute
        self.limiter = RateLimiter(db, clock)

    async def ensure_indexes(self) -> None:
        await self.tokens.create_index("user_id")

    async def make(
        self, user: User, name: str, scopes: list[Scope], lifetime: timedelta
    ) -> MadeToken:
        now = self.clock.now()
        token_id = secrets.token_hex(8)
        token = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        document = {
            "_id": token_id,
            "user_id": user.id,
            "email": user.email,
            "name": name,
            "scopes": sorted(set(scopes)),
            "sha256": token_hash(token),
            "created_at": now,
            "expires_at": now + lifetime,
            "revoked_at": None,
            "last_used_at": None,
        }
        # stored first, then counted with itself: of two made at once for the last place, at
        # least the later sees both and takes its own back, so a replica set never holds more
        # than the cap (a count before the insert let both in)
        await self.tokens.insert_one(document)
        live = {"user_id": user.id, "revoked_at": None, "expires_at": {"$gt": now}}
        if await self.tokens.count_documents(live) > MAX_LIVE_TOKENS:
            await self.tokens.delete_one({"_id": token_id})
            raise RefusedInput(f"at most {MAX_LIVE_TOKENS} live tokens: revoke one first")
        await self.audit.append(audit_stream(token_id), "api_token.created", name=name)
        return MadeToken(document, token)

    async def of(self, user: User) -> list[Document]:
        cursor = self.tokens.find({"user_id": user.id}, {"sha256": 0}).sort("created_at", -1)
        return [doc async for doc in cursor]

    async def revoke(self, user: User, token_id: str) -> None:
        """Revoked from now on: the next use is refused (a second revoke changes nothing)."""
        found = await self.tokens.find_one_and_update(
            {"_id": token_id, "user_id": user.id, "revoked_at": None},
            {"$set": {"revoked_at": self.clock.now()}},
        )
        if found is None:
            if await self.tokens.find_one({"_id": token_id, "user_id": user.id}) is None:
                raise NotFoundError("no such token")
            return
        await self.audit.append(audit_stream(token_id), "api_token.revoked", name=found["name"])

    async def check(self, token: str, scope: Scope | None, use: dict[str, Any]) -> TokenHolder:
        """The holder of a live token with `scope` (None: any), this use audited; else an
        HTTPException."""
        token_id = token_id_of(token)
        found = await self.tokens.find_one({"_id": token_id}) if token_id else None
        now = self.clock.now()
        if (
            found is None
            or not hmac.compare_digest(found["sha256"], token_hash(token))
            or found["revoked_at"] is not None
            or found["expires_at"] <= now
        ):
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, REFUSED)
        stream = audit_stream(found["_id"])
        if scope is not None and scope.value not in found["scopes"]:
            await self.audit.append(stream, "api_token.refused", name=found["name"], **use)
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"this token lacks the {scope.value} scope"
            )
        wait = await self.limiter.try_acquire(stream, self.per_minute)
        if wait > timedelta(0):
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                f"this token's limit is {self.per_minute} calls a minute",
                headers={"Retry-After": str(max(1, round(wait.total_seconds())))},
            )
        await self.audit.append(stream, "api_token.used", name=found["name"], **use)
        await self.tokens.update_one({"_id": found["_id"]}, {"$set": {"last_used_at": now}})
        return TokenHolder(
            user=User(id=found["user_id"], email=found.get("email", "")),
            token_id=found["_id"],
            name=found["name"],
            scopes=frozenset(Scope(s) for s in found["scopes"]),
        )

    async def uses(self, user: User, token_id: str, limit: int = 50) -> list[Document]:
        """The token's latest audit entries, newest first."""
        if await self.tokens.find_one({"_id": token_id, "user_id": user.id}) is None:
            raise NotFoundError("no such token")
        return await self.audit.for_account(audit_stream(token_id), limit=limit)
