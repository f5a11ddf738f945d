"""Use cases: approve one post (a signed event via the outbox), edit or reject it, publish a
failed one again. Queueing a generated post and recording what the publisher says:
post_events.py."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from gatepost_approval.adapters import CreatorInfoClient, MongoPostRepository
from gatepost_approval.domain import (
    ApprovalChoices,
    ApprovalRefused,
    PostEdit,
    check_against_creator,
)
from gatepost_approval.lifecycle import Post, approvable, editable
from gatepost_approval.outbox import ApprovalOutbox
from gatepost_approval.post_events import PostEvents
from gatepost_approval.settings import Settings
from gatepost_approval.slides import PostChanged, SlideEditor, cover_of
from gatepost_approval.webhook_outbox import WebhookOutbox
from gatepost_common import signing
from gatepost_common.cloud_event import envelope
from gatepost_common.errors import ConflictError, NotFoundError
from gatepost_common.events import (
    MediaType,
    PostApproved,
    Video,
    utf16_units,
)
from gatepost_common.metrics import POSTS_APPROVED
from gatepost_common.telemetry import linked, tracer

logger = logging.getLogger(__name__)
SOURCE = "gatepost/approval"


class NotFound(NotFoundError):
    """No such post for this user (the same answer whether it exists for someone else or not)."""

    detail = "no such post"


class AlreadyDecided(ConflictError):
    """The post was approved or rejected already."""

    detail = "this post was already approved or rejected"


class NotFailed(ConflictError):
    """Only a post whose publishing failed (or was withdrawn) may be published again."""

    detail = "only a post whose publishing failed or was withdrawn can be published again"


class MediaExpired(ConflictError):
    """A failed post's media expired (retention.py): its pictures are deleted."""

    detail = (
        "this post's media were deleted after its retention period; it cannot be published again"
    )


@dataclass
class Approvals(PostEvents):
    """A person's decisions on one post (approve, edit, reject, publish again); what the other
    services say of it: PostEvents."""

    settings: Settings
    posts: MongoPostRepository
    outbox: ApprovalOutbox  # post.approved leaves through it
    creators: CreatorInfoClient
    editor: SlideEditor
    webhooks: WebhookOutbox

    async def editable(self, post_id: str, user_id: str) -> Post:
        """A post of this person's, awaiting approval."""
        post = await self.posts.get(post_id, user_id)
        if post is None:
            raise NotFound(post_id)
        if not editable(post):
            raise AlreadyDecided(post_id)
        return post

    async def approve(
        self,
        post_id: str,
        user_id: str,
        choices: ApprovalChoices,
        session: str,
        *,
        again: bool = False,
    ) -> None:
        """Approve a post awaiting approval; `again`: approve a failed post's next attempt, a
        new signed approval checked as the first was."""
        post = await self.posts.get(post_id, user_id)
        if post is None:
            raise NotFound(post_id)
        # a person's approval starts a new trace, linked to the one that generated the post
        with tracer.start_as_current_span(
            "approve post",
            links=linked(post.get("trace")),
            attributes={"gatepost.post_id": post_id},
        ):
            await self.approve_post(post, user_id, choices, session, again)

    async def approve_post(
        self,
        post: Post,
        user_id: str,
        choices: ApprovalChoices,
        session: str,
        again: bool,
    ) -> None:
        post_id = post["_id"]
        if again and post.get("media_expired_at"):
            raise MediaExpired(post_id)
        if not approvable(post, again):
            raise NotFailed(post_id) if again else AlreadyDecided(post_id)
        attempt = int(post.get("attempt") or 1) + again
        revision = int(post.get("revision") or 0)
        if choices.revision is not None and choices.revision != revision:
            raise PostChanged(post_id)
        media_type: MediaType = "VIDEO" if post.get("media_type") == "VIDEO" else "PHOTO"
        video = Video.model_validate(post["video"]) if media_type == "VIDEO" else None
        options = choices.options(media_type, ai_generated=bool(post.get("ai_generated")))
        description = caption_with_hashtags(post["caption"], post["hashtags"])
        longest = 2200 if video else 4000  # a video's caption is TikTok's title
        if utf16_units(description) > longest:
            raise ApprovalRefused(
                f"caption and hashtags together exceed TikTok's {longest} characters: "
                "shorten the caption first"
            )
        check_against_creator(
            choices,
            await self.creators.creator_info(post["account_id"], session),
            video.duration_s if video else None,
        )
        approved_at = datetime.now(UTC)
        unsigned = PostApproved(
            post_id=post_id,
            user_id=user_id,
            account_id=post["account_id"],
            approved_at=approved_at,
            approved_by=user_id,
            title=post["title"],
            description=description,
            photo_urls=[slide["image_url"] for slide in post.get("slides") or []],
            photo_sha256=pinned_photos(post) if video is None else None,
            cover_index=cover_of(post) if video is None else 0,
            options=options,
            publish_after=choices.publish_after,
            attempt=attempt,
            media_type=media_type,
            post_mode=choices.post_mode,
            video=video,
            language=post.get("language"),  # for "what worked, fed back"; none when uploaded
            signature="",
        )
        signature = signing.sign(self.settings.approval_signing_key, unsigned.signed_data())
        signed = unsigned.model_copy(update={"signature": signature})
        event = envelope(signed, source=SOURCE, subject=post_id)
        stored = await self.posts.approve(
            post_id,
            user_id,
            {
                "approved_at": approved_at,
                "approved_by": user_id,
                "options": options.model_dump(mode="json"),
                "post_mode": choices.post_mode,
                "publish_after": choices.publish_after,
            },
            event.model_dump_json(),
            revision,
            attempt,
        )
        if not stored and again:
            raise NotFailed(post_id)  # published again meanwhile (another tab)
        if not stored:
            await self.why_unchanged(post_id, user_id)
        POSTS_APPROVED.add(1)
        await self.outbox.flush(post_id)

    async def edit(self, post_id: str, user_id: str, changes: PostEdit) -> None:
        post = await self.editable(post_id, user_id)
        fields = changes.model_dump(exclude_none=True, exclude={"revision"})
        caption: str = changes.caption if changes.caption is not None else post["caption"]
        tags: list[str] = changes.hashtags if changes.hashtags is not None else post["hashtags"]
        if utf16_units(caption_with_hashtags(caption, tags)) > 4000:
            raise ApprovalRefused("caption and hashtags together exceed TikTok's 4000 characters")
        retitled = changes.title is not None and changes.title != post["title"]
        if retitled and post.get("origin") != "uploaded":  # a person's own media keeps its look
            fields["slides"] = await self.editor.retitled(post, str(changes.title))  # on the cover
        seen = changes.revision if changes.revision is not None else post.get("revision") or 0
        if not await self.posts.revise(post_id, user_id, seen, fields):
            await self.why_unchanged(post_id, user_id)

    async def why_unchanged(self, post_id: str, user_id: str) -> None:
        """A conditional write changed nothing: decided meanwhile, or changed by another edit."""
        post = await self.posts.get(post_id, user_id)
        if post is None or not editable(post):
            raise AlreadyDecided(post_id)
        raise PostChanged(post_id)

    async def reject(self, post_id: str, user_id: str) -> None:
        if await self.posts.get(post_id, user_id) is None:
            raise NotFound(post_id)
        if not await self.posts.reject(post_id, user_id):
            raise AlreadyDecided(post_id)


def pinned_photos(post: Post) -> list[str] | None:
    """Each slide's SHA-256 as media stored it (media names the file by it): the signature pins
    the bytes TikTok is served, not only their URLs. None for slides kept without one."""
    hashes = [slide.get("sha256") for slide in post.get("slides") or []]
    return [h for h in hashes if h] if hashes and all(hashes) else None


def caption_with_hashtags(caption: str, hashtags: list[str]) -> str:
    return f"{caption}\n\n{' '.join(hashtags)}" if hashtags else caption
