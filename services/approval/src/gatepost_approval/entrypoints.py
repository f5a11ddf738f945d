"""HTTP routes of the queue (one post at a time: there is no bulk route) and the subscribers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from faststream.kafka import KafkaBroker

from gatepost_approval.adapters import MongoPostRepository
from gatepost_approval.domain import ApprovalChoices, ApprovalRefused, PostEdit
from gatepost_approval.handlers import AlreadyDecided, Approvals, NotFound
from gatepost_common.events import PostGenerated, PostPublished
from gatepost_common.kafka import subscribe
from gatepost_common.sessions import User, session_token, session_user


def post_view(doc: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "account_id",
        "topic_id",
        "language",
        "title",
        "caption",
        "hashtags",
        "slides",
        "status",
        "approved_at",
        "approved_by",
        "options",
        "publish_id",
        "fail_reason",
        "tiktok_post_ids",
        "created_at",
        "ai_generated",
        "model",
    )
    return {"post_id": doc["_id"], **{k: doc.get(k) for k in keep}}


def routes(approvals: Approvals, posts: MongoPostRepository, public_key: str) -> APIRouter:
    router = APIRouter(tags=["queue"])
    current_user = session_user(public_key)

    @router.get("/posts")
    async def list_posts(
        user: User = current_user,
        status: str | None = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> list[dict[str, Any]]:
        return [post_view(d) for d in await posts.for_user(user.id, status, limit, offset)]

    @router.get("/posts/{post_id}")
    async def get_post(post_id: str, user: User = current_user) -> dict[str, Any]:
        doc = await posts.get(post_id, user.id)
        if doc is None:
            raise HTTPException(404, "no such post")
        return post_view(doc)

    @router.post("/posts/{post_id}/approve", status_code=202)
    async def approve(
        post_id: str, choices: ApprovalChoices, request: Request, user: User = current_user
    ) -> dict[str, str]:
        """Approve this one post (there is no bulk approval): the choices are re-checked against
        the account's fresh creator_info, then post.approved is signed and emitted once."""
        try:
            await approvals.approve(post_id, user.id, choices, session_token(request))
        except NotFound:
            raise HTTPException(404, "no such post") from None
        except AlreadyDecided:
            raise HTTPException(409, "this post was already approved or rejected") from None
        except ApprovalRefused as refusal:
            raise HTTPException(422, str(refusal)) from None
        return {"post_id": post_id, "status": "approved"}

    @router.patch("/posts/{post_id}")
    async def edit(post_id: str, changes: PostEdit, user: User = current_user) -> dict[str, Any]:
        try:
            await approvals.edit(post_id, user.id, changes)
        except NotFound:
            raise HTTPException(404, "no such post") from None
        except AlreadyDecided:
            raise HTTPException(409, "only a post awaiting approval can be edited") from None
        except ApprovalRefused as refusal:
            raise HTTPException(422, str(refusal)) from None
        return await get_post(post_id, user)

    @router.post("/posts/{post_id}/reject")
    async def reject(post_id: str, user: User = current_user) -> dict[str, str]:
        try:
            await approvals.reject(post_id, user.id)
        except NotFound:
            raise HTTPException(404, "no such post") from None
        except AlreadyDecided:
            raise HTTPException(409, "this post was already approved or rejected") from None
        return {"post_id": post_id, "status": "rejected"}

    return router


def subscribers(broker: KafkaBroker, approvals: Approvals) -> None:
    subscribe(broker, PostGenerated, approvals.on_post_generated, group_id="approval")
    subscribe(broker, PostPublished, approvals.on_post_published, group_id="approval")
