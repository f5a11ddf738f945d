"""The control API (not part of TikTok's surface): tests and the local run use it to set up apps
and creators, move the clock, inject faults, and inspect everything the stand-in received."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from gatepost_standins.tiktok.config import Fault, TikTokStandinConfig
from gatepost_standins.tiktok.context import Context
from gatepost_standins.tiktok.oauth import revoke_user
from gatepost_standins.tiktok.processing import complete
from gatepost_standins.tiktok.state import App


class NewCreator(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str
    nickname: str
    private_account: bool = False
    comment_disabled: bool = False
    duet_disabled: bool = False
    stitch_disabled: bool = True
    max_video_post_duration_sec: int = 300
    banned: bool = False
    app_version: str = "35.0.0"
    forced_private: bool = False


class NewApp(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client_key: str
    client_secret: str
    redirect_uris: list[str]
    platform: str = "web"
    strict_pkce: bool = False
    audited: bool = True
    webhook_url: str | None = None


class AppChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    audited: bool | None = None
    webhook_url: str | None = None


class Timing(BaseModel):
    """How long TikTok takes, changed while the world stays as it is."""

    model_config = ConfigDict(extra="forbid")
    processing_delay_s: float | None = Field(default=None, ge=0, le=3600)
    moderation_delay_s: float | None = Field(default=None, ge=0, le=86400)


def control_routes(ctx: Context) -> APIRouter:
    router = APIRouter(prefix="/_control", tags=["control (not TikTok)"])

    @router.post("/reset")
    async def reset(config: dict[str, Any] | None = None) -> dict[str, str]:
        """Forget everything and start again with these settings (defaults when empty)."""
        ctx.reset(TikTokStandinConfig(**(config or {})))
        return {"default_creator": ctx.world.consenting}

    @router.patch("/timing")
    async def timing(changes: Timing) -> dict[str, float]:
        for name, value in changes.model_dump(exclude_none=True).items():
            setattr(ctx.config, name, value)
        return {
            "processing_delay_s": ctx.config.processing_delay_s,
            "moderation_delay_s": ctx.config.moderation_delay_s,
        }

    @router.post("/apps")
    async def add_app(app: NewApp) -> dict[str, str]:
        ctx.world.apps[app.client_key] = App(**app.model_dump())
        return {"client_key": app.client_key}

    @router.patch("/apps/{client_key}")
    async def change_app(client_key: str, changes: AppChange) -> dict[str, Any]:
        """E.g. `{"audited": false}`: TikTok has not audited the app (yet, or any more)."""
        app = ctx.world.apps.get(client_key)
        if app is None:
            raise HTTPException(404, "no such app")
        for name, value in changes.model_dump(exclude_none=True).items():
            setattr(app, name, value)
        return vars(app) | {"client_secret": "…"}

    @router.post("/creators")
    async def add_creator(creator: NewCreator) -> dict[str, str]:
        return {"open_id": ctx.world.add_creator(**creator.model_dump()).open_id}

    @router.patch("/creators/{open_id}")
    async def change_creator(open_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        creator = ctx.world.creators.get(open_id)
        if creator is None:
            raise HTTPException(404, "no such creator")
        current = {k: v for k, v in vars(creator).items() if k != "open_id"}
        for name, value in NewCreator(**{**current, **changes}).model_dump().items():
            setattr(creator, name, value)
        return vars(creator)

    @router.get("/creators")
    async def creators() -> list[dict[str, Any]]:
        return [vars(c) for c in ctx.world.creators.values()]

    @router.post("/consent-as/{open_id}")
    async def consent_as(open_id: str) -> dict[str, str]:
        if open_id not in ctx.world.creators:
            raise HTTPException(404, "no such creator")
        ctx.world.consenting = open_id
        return {"open_id": open_id}

    @router.post("/creators/{open_id}/deauthorize")
    async def deauthorize(
        open_id: str, reason: int = 1, client_key: str | None = None
    ) -> dict[str, str]:
        """The user disconnects an app (the default one unless named) in TikTok (reason 1)."""
        key = client_key or ctx.config.client_key
        if key not in ctx.world.apps:
            raise HTTPException(404, "no such app")
        revoke_user(ctx, key, open_id, reason=reason)
        return {"open_id": open_id, "client_key": key}

    @router.post("/clock/advance")
    async def advance(seconds: float) -> dict[str, float]:
        ctx.world.clock.advance(seconds)  # wakes what waits on the clock (moderation)
        return {"offset": ctx.world.clock.offset, "now": ctx.world.clock.now()}

    @router.put("/auto-consent")
    async def auto_consent(enabled: bool) -> dict[str, bool]:
        ctx.config.auto_consent = enabled
        return {"auto_consent": enabled}

    @router.put("/granted-scopes")
    async def granted_scopes(scopes: list[str] | None = None) -> dict[str, list[str] | None]:
        """What the person grants at the consent screen, of what is asked (null: all)."""
        ctx.config.granted_scopes = scopes
        return {"granted_scopes": scopes}

    @router.put("/faults")
    async def faults(faults: dict[str, Fault]) -> dict[str, Any]:
        ctx.config.faults = faults
        return {path: f.model_dump() for path, f in faults.items()}

    @router.get("/requests")
    async def requests() -> list[dict[str, Any]]:
        return ctx.world.requests

    @router.get("/publishes")
    async def publishes() -> list[dict[str, Any]]:
        return [
            {k: v for k, v in vars(p).items() if k not in ("upload", "access_token")}
            | {"upload": p.upload.described() if p.upload else None}
            for p in ctx.world.publishes.values()
        ]

    @router.post("/publishes/{publish_id}/user-posts")
    async def user_posts(publish_id: str) -> dict[str, str]:
        """The creator finishes an inbox draft in the TikTok app."""
        publish = ctx.world.publishes.get(publish_id)
        if publish is None or publish.status != "SEND_TO_USER_INBOX":
            raise HTTPException(409, "not waiting in the user's inbox")
        await complete(ctx, publish)
        return {"status": publish.status}

    @router.get("/init-calls")
    async def init_calls() -> dict[str, int]:
        """Init calls per idempotency key (a fingerprint of the creator and the init body): more
        than one for the same key means the same content was submitted twice for one creator."""
        return dict(ctx.world.init_calls)

    @router.get("/refreshes")
    async def refreshes() -> list[dict[str, Any]]:
        """Every successful refresh_token grant, in order."""
        return ctx.world.refreshes

    @router.get("/secrets")
    async def issued_secrets() -> dict[str, list[str]]:
        """Every code and token issued, so tests can prove none leaks into logs or storage."""
        tokens = ctx.world.tokens.values()
        return {
            "codes": list(ctx.world.grants),
            "access_tokens": [t.access_token for t in tokens],
            "refresh_tokens": [t.refresh_token for t in tokens],
        }

    @router.get("/webhooks")
    async def webhooks() -> list[dict[str, Any]]:
        return ctx.world.webhooks

    return router
