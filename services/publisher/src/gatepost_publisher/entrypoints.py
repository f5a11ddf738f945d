"""HTTP routes (publications and audit log of the signed-in user) and the subscriber."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from faststream.kafka import KafkaBroker

from gatepost_common.audit import AuditLog
from gatepost_common.events import PostApproved
from gatepost_common.kafka import subscribe
from gatepost_common.sessions import User, session_user
from gatepost_publisher.adapters import MongoJobRepository
from gatepost_publisher.handlers import Publisher


def routes(jobs: MongoJobRepository, audit: AuditLog, public_key: str) -> APIRouter:
    router = APIRouter(tags=["publications"])
    current_user = session_user(public_key)

    @router.get("/publications")
    async def publications(user: User = current_user) -> list[dict[str, Any]]:
        cursor = jobs.jobs.find({"approved.user_id": user.id}).sort("created_at", -1).limit(100)
        return [
            {
                "post_id": j["_id"],
                "account_id": j["account_id"],
                "status": j["status"],
                "result": j.get("result"),
                "fail_reason": j.get("fail_reason"),
                "publish_id": j.get("publish_id"),
            }
            async for j in cursor
        ]

    @router.get("/accounts/{account_id}/audit")
    async def audit_log(account_id: str, user: User = current_user) -> list[dict[str, Any]]:
        owned = await jobs.jobs.find_one({"account_id": account_id, "approved.user_id": user.id})
        if owned is None:
            raise HTTPException(404, "no such account")
        return await audit.for_account(account_id)

    return router


def subscribers(broker: KafkaBroker, publisher: Publisher) -> None:
    subscribe(broker, PostApproved, publisher.on_post_approved, group_id="publisher")
