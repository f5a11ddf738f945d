"""The Display API as TikTok answers it: `POST /v2/video/query/` and `POST /v2/video/list/`
(scope video.list, public posts only, 600 requests a minute in a sliding window, which
`/v2/user/info/` shares). docs/tiktok-standin-display.md gives each rule's source."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from gatepost_standins.tiktok.context import Context, envelope
from gatepost_standins.tiktok.state import Token
from gatepost_standins.tiktok.videos import readable, render

QUERY, LIST = "/v2/video/query/", "/v2/video/list/"
VIDEO_FIELDS = (
    "id",
    "create_time",
    "cover_image_url",
    "share_url",
    "video_description",
    "duration",
    "height",
    "width",
    "title",
    "embed_html",
    "embed_link",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
)
MAX_IDS = 20
MAX_COUNT, DEFAULT_COUNT = 20, 10


def display_routes(ctx: Context) -> APIRouter:
    router = APIRouter()

    @router.post(QUERY)
    async def query(request: Request) -> JSONResponse:
        checked = await admitted(ctx, request)
        if isinstance(checked, JSONResponse):
            return checked
        token, fields, body = checked
        ids = video_ids(body)
        if isinstance(ids, str):
            return invalid(ids)
        found = (ctx.world.videos.get(i) for i in dict.fromkeys(ids))
        videos = [render(ctx, v, fields) for v in found if v and readable(ctx, token, v)]
        return envelope({"videos": videos})

    @router.post(LIST)
    async def listing(request: Request) -> JSONResponse:
        checked = await admitted(ctx, request)
        if isinstance(checked, JSONResponse):
            return checked
        token, fields, body = checked
        count, cursor = body.get("max_count", DEFAULT_COUNT), body.get("cursor") or None
        if not is_int(count) or not 1 <= count <= MAX_COUNT:
            return invalid(f"max_count must be 1 to {MAX_COUNT}")
        if cursor is not None and (not is_int(cursor) or cursor < 0):
            return invalid("cursor must be a timestamp in milliseconds")
        before = cursor if cursor is not None else int(ctx.world.clock.now() * 1000)
        older = sorted(
            (
                v
                for v in ctx.world.videos.values()
                if v.open_id == token.open_id
                and v.create_time * 1000 < before
                and readable(ctx, token, v)
            ),
            key=lambda v: (v.create_time, int(v.id)),
            reverse=True,
        )
        page = older[:count]
        return envelope(
            {
                "videos": [render(ctx, v, fields) for v in page],
                "cursor": page[-1].create_time * 1000 if page else before,
                "has_more": len(older) > count,
            }
        )

    return router


async def admitted(
    ctx: Context, request: Request
) -> tuple[Token, list[str], dict[str, Any]] | JSONResponse:
    """The caller's token (with video.list, within the rate limit), its fields and its body, or
    TikTok's refusal, in TikTok's order: token, scope, rate, parameters."""
    token = ctx.bearer(request, ("video.list",))
    if isinstance(token, JSONResponse):
        return token
    refused = rate_limited(ctx, token, request.url.path)
    if refused:
        return refused
    fields = requested_fields(ctx, request.query_params.get("fields", ""))
    if isinstance(fields, str):
        return invalid(fields)
    try:
        body = await request.json() if await request.body() else {}
    except ValueError:
        return invalid("The request body is not valid JSON")
    if not isinstance(body, dict):
        return invalid("The request body must be a JSON object")
    return token, fields, body


def rate_limited(ctx: Context, token: Token, path: str) -> JSONResponse | None:
    """The Display endpoints' own one-minute sliding window, per app (or per token)."""
    settings = ctx.config.display
    key = token.client_key if settings.rate_limit_per == "app" else token.access_token
    if ctx.world.over_rate_limit(
        f"{settings.rate_limit_per}:{key}", path, settings.rate_limit_per_minute
    ):
        return envelope(
            {}, "rate_limit_exceeded", "API rate limit exceeded, please retry later.", 429
        )
    return None


def invalid(message: str) -> JSONResponse:
    return envelope({}, "invalid_params", message, 400)


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def requested_fields(ctx: Context, text: str) -> list[str] | str:
    """The `fields` query parameter, or why it is refused."""
    fields = [f for f in text.split(",") if f]
    unknown = [f for f in fields if f not in VIDEO_FIELDS]
    if unknown and ctx.config.display.unknown_fields_refused:
        return f"Invalid fields: {','.join(unknown)}"
    fields = [f for f in fields if f in VIDEO_FIELDS]
    return fields or "fields is required"


def video_ids(body: dict[str, Any]) -> list[str] | str:
    """`filters.video_ids` (1 to 20 strings), or why it is refused."""
    filters = body.get("filters")
    ids = filters.get("video_ids") if isinstance(filters, dict) else None
    if not isinstance(ids, list) or not ids:
        return "filters.video_ids is required"
    if len(ids) > MAX_IDS:
        return f"At most {MAX_IDS} video_ids are allowed"
    if not all(isinstance(i, str) for i in ids):
        return "video_ids must be strings"
    return ids
