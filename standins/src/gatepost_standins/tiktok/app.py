"""The TikTok stand-in as an ASGI app: the endpoints Gatepost calls, with TikTok's shapes."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from gatepost_standins.tiktok.config import TikTokStandinConfig
from gatepost_standins.tiktok.photos import pull_photos
from gatepost_standins.tiktok.state import App, Creator, Grant, Publish, World

FORM_TYPE = "application/x-www-form-urlencoded"


def log_id() -> str:
    return uuid.uuid4().hex.upper()[:34]


def envelope(
    data: dict[str, Any], code: str = "ok", message: str = "", status: int = 200
) -> JSONResponse:
    body = {"data": data, "error": {"code": code, "message": message, "log_id": log_id()}}
    return JSONResponse(body, status_code=status)


def oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description, "log_id": log_id()}, status_code=status
    )


def create_app(config: TikTokStandinConfig | None = None) -> FastAPI:
    config = config or TikTokStandinConfig()
    world = World()
    background: set[asyncio.Task[None]] = set()
    world.apps[config.client_key] = App(
        config.client_key, config.client_secret, config.redirect_uris, config.platform
    )
    creator = Creator(
        open_id=f"open-{uuid.uuid4()}",
        username="local.creator",
        nickname=config.creator_nickname,
        private_account=config.creator_private_account,
    )
    world.creators[creator.open_id] = creator
    app = FastAPI(title="TikTok API stand-in")
    app.state.world = world
    app.state.config = config

    @app.middleware("http")
    async def record(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        world.requests.append(
            {
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "at": world.clock.now(),
            }
        )
        return response

    @app.get("/v2/auth/authorize/", response_model=None)
    async def authorize(request: Request) -> Response:
        q = request.query_params
        client = world.apps.get(q.get("client_key", ""))
        if client is None:
            return HTMLResponse("<h1>Something went wrong</h1><p>client_key is invalid</p>", 400)
        redirect_uri = q.get("redirect_uri", "")
        if redirect_uri not in client.redirect_uris:
            return HTMLResponse("<h1>Something went wrong</h1><p>redirect_uri mismatch</p>", 400)
        if q.get("response_type") != "code" or not q.get("scope") or not q.get("state"):
            return _redirect(
                redirect_uri,
                error="invalid_request",
                error_description="response_type, scope and state are required",
                state=q.get("state", ""),
            )
        if client.platform == "desktop" and (
            not q.get("code_challenge") or q.get("code_challenge_method") != "S256"
        ):
            return _redirect(
                redirect_uri,
                error="invalid_request",
                error_description="code_challenge is required",
                state=q["state"],
            )
        if not config.auto_consent:
            return HTMLResponse(_consent_page(str(request.url.query), client.client_key))
        return _grant(client, creator, q)

    @app.post("/v2/auth/authorize/decision", response_model=None)
    async def decision(request: Request) -> Response:
        form = await request.form()
        from urllib.parse import parse_qs

        q = {k: v[0] for k, v in parse_qs(str(form.get("query", ""))).items()}
        client = world.apps[q["client_key"]]
        if form.get("decision") != "allow":
            return _redirect(
                q["redirect_uri"],
                error="access_denied",
                error_description="The user denied the request",
                state=q["state"],
            )
        return _grant(client, creator, q)

    def _grant(client: App, who: Creator, q: Any) -> Response:
        code = secrets.token_urlsafe(24) + "*!"  # real codes need URL-decoding: keep that honest
        scopes = q["scope"].split(",")
        world.grants[code] = Grant(
            code,
            client.client_key,
            who.open_id,
            scopes,
            q["redirect_uri"],
            world.clock.now() + config.code_ttl_s,
            q.get("code_challenge"),
        )
        return _redirect(q["redirect_uri"], code=code, scopes=",".join(scopes), state=q["state"])

    @app.post("/v2/oauth/token/")
    async def token(request: Request) -> JSONResponse:
        if request.headers.get("content-type", "") != FORM_TYPE:
            return oauth_error("invalid_request", "The request parameters are malformed.")
        form = dict((await request.form()).items())
        client = world.apps.get(str(form.get("client_key", "")))
        if client is None or not secrets.compare_digest(
            str(form.get("client_secret", "")), client.client_secret
        ):
            return oauth_error("invalid_client", "Client key or secret is invalid.", 401)
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return _exchange(client, form)
        if grant_type == "refresh_token":
            return _refresh(client, form)
        return oauth_error("unsupported_grant_type", "The grant type is not supported.")

    def _exchange(client: App, form: dict[str, Any]) -> JSONResponse:
        grant = world.grants.get(str(form.get("code", "")))
        if grant is None or grant.used or grant.expires_at <= world.clock.now():
            return oauth_error("invalid_grant", "Authorization code is expired or invalid.")
        if grant.client_key != client.client_key or form.get("redirect_uri") != grant.redirect_uri:
            return oauth_error("invalid_grant", "redirect_uri does not match.")
        if client.platform == "desktop" or client.strict_pkce:
            import hashlib

            verifier = str(form.get("code_verifier", ""))
            if hashlib.sha256(verifier.encode()).hexdigest() != grant.code_challenge:
                return oauth_error("invalid_request", "Code verifier or code challenge is invalid.")
        grant.used = True
        issued = world.issue_token(
            client,
            grant.open_id,
            grant.scopes,
            access_ttl=config.access_token_ttl_s,
            refresh_ttl=config.refresh_token_ttl_s,
        )
        return JSONResponse(_token_body(issued))

    def _refresh(client: App, form: dict[str, Any]) -> JSONResponse:
        old = world.refresh_tokens.get(str(form.get("refresh_token", "")))
        if old is None or old.revoked or old.refresh_expires_at <= world.clock.now():
            return oauth_error("invalid_grant", "Refresh token is invalid or expired.")
        old.revoked = True  # rotation: the previous refresh token stops working
        issued = world.issue_token(
            client,
            old.open_id,
            old.scopes,
            access_ttl=config.access_token_ttl_s,
            refresh_ttl=config.refresh_token_ttl_s,
        )
        return JSONResponse(_token_body(issued))

    def _token_body(issued: Any) -> dict[str, Any]:
        now = world.clock.now()
        return {
            "access_token": issued.access_token,
            "expires_in": round(issued.expires_at - now),
            "open_id": issued.open_id,
            "refresh_expires_in": round(issued.refresh_expires_at - now),
            "refresh_token": issued.refresh_token,
            "scope": ",".join(issued.scopes),
            "token_type": "Bearer",
        }

    @app.post("/v2/oauth/revoke/")
    async def revoke(request: Request) -> JSONResponse:
        form = dict((await request.form()).items())
        client = world.apps.get(str(form.get("client_key", "")))
        if client is None or form.get("client_secret") != client.client_secret:
            return oauth_error("invalid_client", "Client key or secret is invalid.", 401)
        found = world.tokens.get(str(form.get("token", "")))
        if found is not None:
            found.revoked = True
        return JSONResponse({})

    def bearer(request: Request, scope: str | None) -> tuple[Any, JSONResponse | None]:
        header = request.headers.get("authorization", "")
        found = world.live_token(header[7:]) if header.startswith("Bearer ") else None
        if found is None:
            return None, envelope(
                {},
                "access_token_invalid",
                "The access token is invalid or not found in the request.",
                401,
            )
        if scope and scope not in found.scopes:
            return None, envelope(
                {},
                "scope_not_authorized",
                f"The user did not authorize the scope required: {scope}",
                401,
            )
        return found, None

    @app.get("/v2/user/info/")
    async def user_info(request: Request) -> JSONResponse:
        found, error = bearer(request, "user.info.basic")
        if error:
            return error
        fields = [f for f in request.query_params.get("fields", "").split(",") if f]
        if not fields:
            return envelope({}, "invalid_params", "fields is required", 400)
        who = world.creators[found.open_id]
        known = {
            "open_id": who.open_id,
            "union_id": f"union-{who.open_id}",
            "display_name": who.nickname,
            "avatar_url": "https://example.invalid/avatar.jpg",
            "username": who.username,
        }
        return envelope({"user": {f: known[f] for f in fields if f in known}})

    @app.post("/v2/post/publish/creator_info/query/")
    async def creator_info(request: Request) -> JSONResponse:
        found, error = bearer(request, "video.publish")
        if error:
            return error
        who = world.creators[found.open_id]
        return envelope(
            {
                "creator_avatar_url": "https://example.invalid/avatar.jpg",
                "creator_username": who.username,
                "creator_nickname": who.nickname,
                "privacy_level_options": who.privacy_level_options(),
                "comment_disabled": who.comment_disabled,
                "duet_disabled": who.duet_disabled,
                "stitch_disabled": who.stitch_disabled,
                "max_video_post_duration_sec": who.max_video_post_duration_sec,
            }
        )

    @app.post("/v2/post/publish/content/init/")
    async def content_init(request: Request) -> JSONResponse:
        body = await request.json()
        mode = body.get("post_mode")
        found, error = bearer(request, "video.publish" if mode == "DIRECT_POST" else "video.upload")
        if error:
            return error
        who = world.creators[found.open_id]
        post_info, source = body.get("post_info") or {}, body.get("source_info") or {}
        images = source.get("photo_images") or []
        problem = _photo_problem(body, post_info, source, images)
        if problem:
            return envelope({}, "invalid_param", problem, 400)
        privacy = post_info.get("privacy_level")
        if mode == "DIRECT_POST" and privacy not in who.privacy_level_options():
            return envelope(
                {},
                "privacy_level_option_mismatch",
                "privacy_level is not among the creator's options",
                403,
            )
        if any(not _verified(url) for url in images):
            return envelope(
                {},
                "url_ownership_unverified",
                "Please review our URL ownership verification rules",
                403,
            )
        publish = Publish(
            f"p_pub_url~v2.{secrets.randbelow(10**12)}",
            who.open_id,
            found.client_key,
            mode,
            privacy,
            images,
        )
        world.publishes[publish.publish_id] = publish
        pulling = asyncio.create_task(pull_photos(publish, config))
        background.add(pulling)  # keep a reference, or the task may be collected mid-pull
        pulling.add_done_callback(background.discard)
        return envelope({"publish_id": publish.publish_id})

    def _photo_problem(
        body: dict[str, Any], post_info: dict[str, Any], source: dict[str, Any], images: list[str]
    ) -> str | None:
        if body.get("media_type") != "PHOTO":
            return "media_type must be PHOTO"
        if body.get("post_mode") not in ("DIRECT_POST", "MEDIA_UPLOAD"):
            return "post_mode must be DIRECT_POST or MEDIA_UPLOAD"
        if source.get("source") != "PULL_FROM_URL":
            return "source must be PULL_FROM_URL for photos"
        if not 1 <= len(images) <= 35:
            return "photo_images must hold 1 to 35 URLs"
        cover = source.get("photo_cover_index")
        if not isinstance(cover, int) or not 0 <= cover < len(images):
            return "photo_cover_index is out of range"
        if len(str(post_info.get("title", "")).encode("utf-16-le")) // 2 > 90:
            return "title is longer than 90 UTF-16 runes"
        if len(str(post_info.get("description", "")).encode("utf-16-le")) // 2 > 4000:
            return "description is longer than 4000 UTF-16 runes"
        return None

    def _verified(url: str) -> bool:
        if config.require_https and not url.startswith("https://"):
            return False
        return any(url.startswith(prefix) for prefix in config.verified_url_prefixes)

    @app.post("/v2/post/publish/status/fetch/")
    async def status_fetch(request: Request) -> JSONResponse:
        found, error = bearer(request, None)
        if error:
            return error
        publish = world.publishes.get(str((await request.json()).get("publish_id", "")))
        if publish is None:
            return envelope({}, "invalid_publish_id", "publish_id is invalid", 400)
        if publish.open_id != found.open_id:
            return envelope({}, "token_not_authorized_for_specified_publish_id", "", 400)
        return envelope(
            {
                "status": publish.status,
                "fail_reason": publish.fail_reason,
                "publicaly_available_post_id": publish.post_ids,
                "downloaded_bytes": publish.downloaded_bytes,
            }
        )

    @app.get("/_control/requests")
    async def control_requests() -> list[dict[str, Any]]:
        return world.requests

    @app.get("/_control/publishes")
    async def control_publishes() -> list[dict[str, Any]]:
        return [vars(p) for p in world.publishes.values()]

    @app.post("/_control/clock/advance")
    async def control_clock(seconds: float) -> dict[str, float]:
        world.clock.offset += seconds
        return {"offset": world.clock.offset}

    return app


def _redirect(uri: str, **params: str) -> RedirectResponse:
    return RedirectResponse(f"{uri}?{urlencode(params)}", status_code=302)


def _consent_page(query: str, client_key: str) -> str:
    from html import escape

    return f"""<!doctype html><html><head><title>Authorize {escape(client_key)}</title></head>
<body><h1>{escape(client_key)} would like to access your TikTok account</h1>
<form method="post" action="/v2/auth/authorize/decision">
<input type="hidden" name="query" value="{escape(query)}">
<button name="decision" value="allow">Authorize</button>
<button name="decision" value="deny">Cancel</button></form></body></html>"""
