"""Content Posting API: creator_info, photo and video init (direct and inbox), status, cancel."""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from gatepost_standins.tiktok.context import Context, envelope
from gatepost_standins.tiktok.processing import fail, process
from gatepost_standins.tiktok.rules import photo_problem, url_verified, video_problem
from gatepost_standins.tiktok.state import Creator, Publish, Token, Upload

CAN_NOT_POST = "The creator can not make more posts at this moment."


def posting_routes(ctx: Context) -> APIRouter:
    router = APIRouter()

    async def body_of(request: Request) -> dict[str, Any] | None:
        try:
            body = await request.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def posting_block(
        token: Token, creator: Creator, *, direct: bool, inbox: bool
    ) -> JSONResponse | None:
        """Creator- and app-level refusals of an init call, in TikTok's words."""
        app = ctx.app_of(token)
        if creator.banned:
            return envelope(
                {}, "spam_risk_user_banned_from_posting", "The user is banned from posting.", 403
            )
        if direct and ctx.world.posts_today(creator.open_id) >= ctx.config.daily_post_cap:
            return envelope({}, "spam_risk_too_many_posts", CAN_NOT_POST, 403)
        if inbox and ctx.world.pending_shares(creator.open_id) >= ctx.config.pending_share_cap:
            return envelope(
                {},
                "spam_risk_too_many_pending_share",
                "At most 5 pending shares are allowed within any 24-hour period.",
                403,
            )
        active = ctx.world.active_users(app.client_key)
        if creator.open_id not in active and len(active) >= ctx.config.active_user_cap:
            return envelope(
                {},
                "reached_active_user_cap",
                "The client's daily quota of active publishing users is reached.",
                403,
            )
        if direct and not app.audited and not creator.private_account:
            return envelope(
                {},
                "unaudited_client_can_only_post_to_private_accounts",
                "Unaudited clients can only post to private accounts.",
                403,
            )
        return None

    def privacy_mismatch(token: Token, who: Creator, body: dict[str, Any]) -> JSONResponse | None:
        privacy = (body.get("post_info") or {}).get("privacy_level")
        if privacy in who.privacy_level_options(ctx.app_of(token).audited):
            return None
        return envelope(
            {},
            "privacy_level_option_mismatch",
            "privacy_level is unspecified or not among the creator's options",
            403,
        )

    def verified(urls: list[str]) -> bool:
        c = ctx.config
        return all(
            url_verified(
                u, c.verified_url_prefixes, c.verified_domains, c.require_https, c.ip_url_prefixes
            )
            for u in urls
        )

    def start(
        token: Token,
        body: dict[str, Any],
        media_type: str,
        post_mode: str,
        urls: list[str],
        publish_id: str,
    ) -> Publish:
        source = (body.get("source_info") or {}).get("source", "PULL_FROM_URL")
        publish = Publish(
            publish_id=publish_id,
            open_id=token.open_id,
            client_key=token.client_key,
            access_token=token.access_token,
            media_type=media_type,
            post_mode=post_mode,
            source=source,
            privacy_level=(body.get("post_info") or {}).get("privacy_level"),
            title=str((body.get("post_info") or {}).get("title", "")),
            description=str((body.get("post_info") or {}).get("description", "")),
            urls=urls,
            created_at=ctx.world.clock.now(),
            status="PROCESSING_DOWNLOAD" if source == "PULL_FROM_URL" else "PROCESSING_UPLOAD",
        )
        ctx.world.publishes[publish_id] = publish
        # the same content initiated twice for the same creator is a duplicate post
        fingerprint = hashlib.sha256(
            json.dumps([token.open_id, body], sort_keys=True).encode()
        ).hexdigest()
        ctx.world.init_calls[fingerprint] += 1
        return publish

    @router.post("/v2/post/publish/creator_info/query/")
    async def creator_info(request: Request) -> JSONResponse:
        token = ctx.bearer(request, ("video.publish",))
        if isinstance(token, JSONResponse):
            return token
        who = ctx.world.creators[token.open_id]
        data = {
            "creator_avatar_url": f"https://p16.tiktokcdn.example/{who.username}.jpeg",
            "creator_username": who.username,
            "creator_nickname": who.nickname,
            "privacy_level_options": who.privacy_level_options(ctx.app_of(token).audited),
            "comment_disabled": who.comment_disabled,
            "duet_disabled": who.duet_disabled,
            "stitch_disabled": who.stitch_disabled,
            "max_video_post_duration_sec": who.max_video_post_duration_sec,
        }
        # TikTok answers "can not post now" with HTTP 200 and the cap code (UX rule 1b)
        blocked = posting_block(token, who, direct=True, inbox=False)
        code = blocked_code(blocked)
        if code in (
            "spam_risk_too_many_posts",
            "spam_risk_user_banned_from_posting",
            "reached_active_user_cap",
        ):
            return envelope(data, code, CAN_NOT_POST, 200)
        return envelope(data)

    @router.post("/v2/post/publish/content/init/")
    async def content_init(request: Request) -> JSONResponse:
        body = await body_of(request) or {}
        inbox = body.get("post_mode") == "MEDIA_UPLOAD"
        token = ctx.bearer(request, ("video.upload",) if inbox else ("video.publish",))
        if isinstance(token, JSONResponse):
            return token
        problem = photo_problem(body, ctx.config.photo_is_aigc_accepted)
        if problem:
            return envelope({}, ctx.config.param_error_code, problem, 400)
        who = ctx.world.creators[token.open_id]
        if inbox and version(who.app_version) < (31, 8):
            return envelope(
                {}, "app_version_check_failed", "MEDIA_UPLOAD needs TikTok 31.8 or newer.", 400
            )
        blocked = posting_block(token, who, direct=not inbox, inbox=inbox)
        if blocked:
            return blocked
        if not inbox and (mismatch := privacy_mismatch(token, who, body)):
            return mismatch
        urls = body["source_info"]["photo_images"]
        if not verified(urls):
            return envelope({}, "url_ownership_unverified", OWNERSHIP, 403)
        publish = start(
            token,
            body,
            "PHOTO",
            body["post_mode"],
            urls,
            publish_id(f"p_{'inbox' if inbox else 'pub'}_url"),
        )
        ctx.spawn(process(ctx, publish))
        return envelope({"publish_id": publish.publish_id})

    async def video_init(request: Request, *, inbox: bool) -> JSONResponse:
        body = await body_of(request) or {}
        token = ctx.bearer(request, ("video.upload",) if inbox else ("video.publish",))
        if isinstance(token, JSONResponse):
            return token
        problem = video_problem(body, direct=not inbox, mb_base=ctx.config.mb_base)
        if problem:
            return envelope({}, ctx.config.param_error_code, problem, 400)
        who = ctx.world.creators[token.open_id]
        blocked = posting_block(token, who, direct=not inbox, inbox=inbox)
        if blocked:
            return blocked
        if not inbox and (mismatch := privacy_mismatch(token, who, body)):
            return mismatch
        source = body["source_info"]
        urls = [source["video_url"]] if source["source"] == "PULL_FROM_URL" else []
        if urls and not verified(urls):
            return envelope({}, "url_ownership_unverified", OWNERSHIP, 403)
        kind = "url" if urls else "file"
        prefix = "v_inbox" if inbox else "v_pub"
        publish = start(
            token,
            body,
            "VIDEO",
            "MEDIA_UPLOAD" if inbox else "DIRECT_POST",
            urls,
            publish_id(f"{prefix}_{kind}"),
        )
        data: dict[str, Any] = {"publish_id": publish.publish_id}
        if urls:
            ctx.spawn(process(ctx, publish))
        else:
            upload = Upload(
                secrets.token_hex(8),
                secrets.token_urlsafe(16),
                source["video_size"],
                source["chunk_size"],
                source["total_chunk_count"],
                ctx.world.clock.now() + ctx.config.upload_url_ttl_s,
            )
            publish.upload = upload
            ctx.world.uploads[upload.upload_id] = publish
            base = ctx.config.upload_base_url or str(request.base_url).rstrip("/")
            query = urlencode({"upload_id": upload.upload_id, "upload_token": upload.upload_token})
            data["upload_url"] = f"{base}/upload/?{query}"
        return envelope(data)

    @router.post("/v2/post/publish/video/init/")
    async def direct_video_init(request: Request) -> JSONResponse:
        return await video_init(request, inbox=False)

    @router.post("/v2/post/publish/inbox/video/init/")
    async def inbox_video_init(request: Request) -> JSONResponse:
        return await video_init(request, inbox=True)

    def own_publish(token: Token, body: dict[str, Any] | None) -> Publish | JSONResponse:
        publish = ctx.world.publishes.get(str((body or {}).get("publish_id", "")))
        if publish is None:
            return envelope({}, "invalid_publish_id", "publish_id is invalid", 400)
        if publish.open_id != token.open_id or publish.client_key != token.client_key:
            return envelope(
                {},
                "token_not_authorized_for_specified_publish_id",
                "The token is not authorized for this publish_id.",
                400,
            )
        return publish

    async def callers_publish(request: Request) -> Publish | JSONResponse:
        """The publish named in the body, if the caller's token may see it."""
        token = ctx.bearer(request, ("video.upload", "video.publish"))
        if isinstance(token, JSONResponse):
            return token
        return own_publish(token, await body_of(request))

    @router.post("/v2/post/publish/status/fetch/")
    async def status_fetch(request: Request) -> JSONResponse:
        found = await callers_publish(request)
        if isinstance(found, JSONResponse):
            return found
        data: dict[str, Any] = {
            "status": found.status,
            "fail_reason": found.fail_reason,
            "publicaly_available_post_id": found.post_ids,
        }
        if found.source == "FILE_UPLOAD" and found.upload:
            data["uploaded_bytes"] = found.upload.received
        else:
            data["downloaded_bytes"] = found.downloaded_bytes
        return envelope(data)

    @router.post("/v2/post/publish/cancel/")
    async def cancel(request: Request) -> JSONResponse:
        found = await callers_publish(request)
        if isinstance(found, JSONResponse):
            return found
        cancellable = ("PROCESSING_DOWNLOAD",) + (
            ("PROCESSING_UPLOAD",) if ctx.config.cancel_file_uploads else ()
        )
        if found.status not in cancellable:
            return envelope({}, "publish_not_cancellable", "The publish can not be cancelled.", 400)
        await fail(ctx, found, "publish_cancelled")
        return envelope({})

    return router


OWNERSHIP = (
    "Please review our URL ownership verification rules at https://developers.tiktok.com/"
    "doc/content-posting-api-media-transfer-guide/#pull_from_url"
)


def publish_id(kind: str) -> str:
    """As real ids look: `p_pub_url~v2-1.` and 19 digits (at most 64 characters)."""
    return f"{kind}~v2-1.{7 * 10**18 + secrets.randbelow(2 * 10**18)}"


def blocked_code(answer: JSONResponse | None) -> str | None:
    if answer is None:
        return None
    code: str = json.loads(bytes(answer.body))["error"]["code"]
    return code


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())
