"""OAuth v2 (Login Kit): the authorize page with its consent screen, token, revoke, user info."""

from __future__ import annotations

import hashlib
import secrets
from html import escape
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from gatepost_standins.tiktok.context import (
    KNOWN_SCOPES,
    SCOPE_OF_FIELD,
    Context,
    envelope,
    oauth_error,
)
from gatepost_standins.tiktok.display import rate_limited
from gatepost_standins.tiktok.state import App, Grant, Token
from gatepost_standins.tiktok.videos import creator_stats
from gatepost_standins.tiktok.webhooks import deliver

FORM_TYPE = "application/x-www-form-urlencoded"


def redirect(uri: str, **params: str) -> RedirectResponse:
    return RedirectResponse(f"{uri}?{urlencode(params)}", status_code=302)


def error_page(text: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><title>TikTok</title><h1>Something went wrong</h1><p>{escape(text)}</p>",
        status_code=400,
    )


def oauth_routes(ctx: Context) -> APIRouter:
    router = APIRouter()

    def check_authorize(q: dict[str, str]) -> Response | App:
        app = ctx.world.apps.get(q.get("client_key", ""))
        if app is None:
            return error_page("client_key is invalid")
        uri = q.get("redirect_uri", "")
        if uri not in app.redirect_uris:  # exact match, as registered
            return error_page("redirect_uri is not registered for this app")
        state = q.get("state", "")

        def malformed(error: str, description: str) -> Response:
            if ctx.config.authorize_errors_redirect:
                return redirect(uri, error=error, error_description=description, state=state)
            return error_page(f"{error}: {description}")

        if q.get("response_type") != "code":
            return malformed("unsupported_response_type", "response_type must be code")
        scopes = [s for s in q.get("scope", "").split(",") if s]
        if not scopes or not set(scopes) <= KNOWN_SCOPES:
            return malformed("invalid_scope", "scope is invalid")
        if not state:
            return malformed("invalid_request", "state is required")
        if app.platform == "desktop" and (
            len(q.get("code_challenge", "")) != 64 or q.get("code_challenge_method") != "S256"
        ):
            return malformed("invalid_request", "code_challenge (hex SHA-256, S256) is required")
        return app

    @router.get("/v2/auth/authorize/", response_model=None)
    async def authorize(request: Request) -> Response:
        q = dict(request.query_params)
        checked = check_authorize(q)
        if not isinstance(checked, App):
            return checked
        if ctx.config.auto_consent:
            return grant(checked, ctx.world.consenting, q)  # the configured scopes
        return HTMLResponse(consent_page(str(request.url.query), checked, ctx))

    @router.post("/v2/auth/authorize/decision", response_model=None)
    async def decision(request: Request) -> Response:
        form = await request.form()
        q = {k: v[0] for k, v in parse_qs(str(form.get("query", ""))).items()}
        checked = check_authorize(q)
        if not isinstance(checked, App):
            return checked
        if form.get("decision") != "allow":
            return redirect(
                q["redirect_uri"],
                error="access_denied",
                error_description="The user denied the request",
                state=q["state"],
            )
        open_id = str(form.get("open_id") or ctx.world.consenting)
        if open_id not in ctx.world.creators:
            return error_page("unknown account")
        requested = q["scope"].split(",")
        ticked = [str(s) for s in form.getlist("scope")]
        return grant(checked, open_id, q, [s for s in requested if s in ticked])

    def grant(
        app: App, open_id: str, q: dict[str, str], scopes: list[str] | None = None
    ) -> Response:
        if app.sandbox and ctx.world.creators[open_id].username not in app.target_users:
            # a sandbox answers only its target users; others meet TikTok's own error page
            return error_page(
                "We couldn't log in with TikTok. This may be due to specific app settings."
            )
        # real codes carry characters that must be URL-decoded: keep clients honest about it
        code = f"{secrets.token_urlsafe(24)}*!{secrets.token_hex(4)}"
        if scopes is None:
            chosen = ctx.config.granted_scopes
            scopes = [s for s in q["scope"].split(",") if chosen is None or s in chosen]
        ctx.world.grants[code] = Grant(
            code,
            app.client_key,
            open_id,
            scopes,
            q["redirect_uri"],
            ctx.world.clock.now() + ctx.config.code_ttl_s,
            q.get("code_challenge"),
        )
        return redirect(q["redirect_uri"], code=code, scopes=",".join(scopes), state=q["state"])

    async def client_form(request: Request) -> tuple[App, dict[str, str]] | JSONResponse:
        """The form of an OAuth call, with its app authenticated by client key and secret."""
        if request.headers.get("content-type", "") != FORM_TYPE:
            return ctx.oauth_error("invalid_request", "The request parameters are malformed.")
        form = {k: str(v) for k, v in (await request.form()).items()}
        app = ctx.world.apps.get(form.get("client_key", ""))
        if app is None or not secrets.compare_digest(
            form.get("client_secret", ""), app.client_secret
        ):
            return ctx.oauth_error("invalid_client", "Client key or secret is invalid.", 401)
        return app, form

    @router.post("/v2/oauth/token/")
    async def token(request: Request) -> JSONResponse:
        checked = await client_form(request)
        if isinstance(checked, JSONResponse):
            return checked
        app, form = checked
        kind = form.get("grant_type")
        if kind == "authorization_code":
            return exchange(app, form)
        if kind == "refresh_token":
            return refresh(app, form)
        if not kind:
            return ctx.oauth_error(
                "invalid_request", "The request is missing a required parameter."
            )
        return ctx.oauth_error("unsupported_grant_type", "The grant type is not supported.")

    def exchange(app: App, form: dict[str, str]) -> JSONResponse:
        found = ctx.world.grants.get(form.get("code", ""))
        if found is None or found.used or found.expires_at <= ctx.world.clock.now():
            return ctx.oauth_error("invalid_grant", "Authorization code is expired or invalid.")
        if found.client_key != app.client_key or form.get("redirect_uri") != found.redirect_uri:
            return ctx.oauth_error(
                "invalid_grant", "redirect_uri does not match the authorization."
            )
        if app.platform == "desktop" or (app.strict_pkce and found.code_challenge):
            verifier = form.get("code_verifier", "")
            if hashlib.sha256(verifier.encode()).hexdigest() != found.code_challenge:
                return ctx.oauth_error(
                    "invalid_request", "Code verifier or code challenge is invalid."
                )
        found.used = True
        return token_body(issue(app, found.open_id, found.scopes))

    def refresh(app: App, form: dict[str, str]) -> JSONResponse:
        old = ctx.world.refresh_tokens.get(form.get("refresh_token", ""))
        now = ctx.world.clock.now()
        if (
            old is None
            or old.refresh_used
            or old.revoked
            or old.refresh_expires_at <= now
            or old.client_key != app.client_key
        ):
            return ctx.oauth_error("invalid_grant", "Refresh token is invalid or expired.")
        old.refresh_used = True  # rotation: the previous refresh token stops working
        ctx.world.refreshes.append({"open_id": old.open_id, "at": now})
        if ctx.config.refresh_revokes_access_token:
            old.revoked = True
        issued = issue(app, old.open_id, old.scopes)
        if not ctx.config.refresh_expiry_slides:
            issued.refresh_expires_at = old.refresh_expires_at  # the chain ends where it began
        return token_body(issued)

    def issue(app: App, open_id: str, scopes: list[str]) -> Token:
        return ctx.world.issue_token(
            app,
            open_id,
            scopes,
            access_ttl=ctx.config.access_token_ttl_s,
            refresh_ttl=ctx.config.refresh_token_ttl_s,
        )

    def token_body(issued: Token) -> JSONResponse:
        now = ctx.world.clock.now()
        return JSONResponse(
            {
                "access_token": issued.access_token,
                "expires_in": round(issued.expires_at - now),
                "open_id": issued.open_id,
                "refresh_expires_in": round(issued.refresh_expires_at - now),
                "refresh_token": issued.refresh_token,
                "scope": ",".join(issued.scopes),
                "token_type": "Bearer",
            }
        )

    @router.post("/v2/oauth/revoke/")
    async def revoke(request: Request) -> JSONResponse:
        checked = await client_form(request)
        if isinstance(checked, JSONResponse):
            return checked
        app, form = checked
        found = ctx.world.tokens.get(form.get("token", ""))
        if found is None or found.client_key != app.client_key:
            status = 200 if ctx.config.revoke_errors_http_200 else 400
            return oauth_error("invalid_request", "The token is invalid.", status)
        revoke_user(ctx, app.client_key, found.open_id, reason=5)
        return JSONResponse({})

    @router.get("/v2/user/info/")
    async def user_info(request: Request) -> JSONResponse:
        token = ctx.bearer(request, ())
        if isinstance(token, JSONResponse):
            return token
        if refused := rate_limited(ctx, token, request.url.path):  # the Display API's window
            return refused
        fields = [f for f in request.query_params.get("fields", "").split(",") if f]
        if not fields:
            return envelope({}, "invalid_params", "fields is required", 400)
        unknown = [f for f in fields if f not in SCOPE_OF_FIELD]
        if unknown:
            return envelope({}, "invalid_params", f"unknown fields: {','.join(unknown)}", 400)
        missing = sorted({SCOPE_OF_FIELD[f] for f in fields} - set(token.scopes))
        if missing and ctx.config.user_info_scope_error == "scope_not_authorized":
            return envelope(
                {},
                "scope_not_authorized",
                f"The user did not authorize the scope required: {missing[0]}",
                401,
            )
        if missing:
            return envelope(
                {},
                "scope_permission_missed",
                f"The user did not grant the scope: {missing[0]}",
                400,
            )
        who = ctx.world.creators[token.open_id]
        known: dict[str, Any] = {
            "open_id": who.open_id,
            "union_id": f"union-{who.open_id}",
            "avatar_url": f"https://p16.tiktokcdn.example/{who.username}.jpeg",
            "avatar_url_100": f"https://p16.tiktokcdn.example/{who.username}-100.jpeg",
            "avatar_large_url": f"https://p16.tiktokcdn.example/{who.username}-l.jpeg",
            "display_name": who.nickname,
            "bio_description": "",
            "is_verified": False,
            "profile_deep_link": f"https://vm.tiktok.example/@{who.username}",
            "username": who.username,
        }
        if any(SCOPE_OF_FIELD[f] == "user.info.stats" for f in fields):
            known |= creator_stats(ctx, who.open_id)
        return envelope({"user": {f: known[f] for f in fields}})

    return router


def revoke_user(ctx: Context, client_key: str, open_id: str, *, reason: int) -> None:
    """End every token of this app for this user and tell the app by webhook."""
    for token in ctx.world.tokens.values():
        if token.client_key == client_key and token.open_id == open_id:
            token.revoked = True
    ctx.spawn(deliver(ctx, "authorization.removed", {"reason": reason}, open_id, client_key))


def consent_page(query: str, app: App, ctx: Context) -> str:
    accounts = "".join(
        f'<label><input type="radio" name="open_id" value="{escape(c.open_id)}"'
        f"{' checked' if c.open_id == ctx.world.consenting else ''}> {escape(c.nickname)} "
        f"(@{escape(c.username)})</label><br>"
        for c in ctx.world.creators.values()
    )
    requested = parse_qs(query).get("scope", [""])[0].split(",")
    scopes = "".join(
        f'<label><input type="checkbox" name="scope" value="{escape(s)}" checked> {escape(s)}'
        "</label><br>"
        for s in requested
        if s
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Authorize {escape(app.client_key)} | TikTok stand-in</title></head>
<body><main><h1>{escape(app.client_key)} would like to access your TikTok account</h1>
<form method="post" action="/v2/auth/authorize/decision">
<fieldset><legend>Continue as</legend>{accounts}</fieldset>
<fieldset><legend>Allow</legend>{scopes}</fieldset>
<input type="hidden" name="query" value="{escape(query)}">
<button name="decision" value="allow">Authorize</button>
<button name="decision" value="deny">Cancel</button></form></main></body></html>"""
