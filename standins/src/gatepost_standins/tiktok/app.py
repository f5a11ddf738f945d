"""The TikTok stand-in as an ASGI app."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from gatepost_standins.tiktok.config import TikTokStandinConfig
from gatepost_standins.tiktok.context import Context, envelope
from gatepost_standins.tiktok.control import control_routes
from gatepost_standins.tiktok.display import display_routes
from gatepost_standins.tiktok.display_control import display_control_routes
from gatepost_standins.tiktok.faults import FaultInjection
from gatepost_standins.tiktok.oauth import oauth_routes
from gatepost_standins.tiktok.posting import posting_routes
from gatepost_standins.tiktok.uploads import upload_routes


def create_app(config: TikTokStandinConfig | None = None) -> FastAPI:
    ctx = Context(config or TikTokStandinConfig())
    # TikTok answers a path without its trailing slash 404, not with a redirect
    app = FastAPI(
        title="TikTok API stand-in",
        description="Not TikTok: a local stand-in.",
        redirect_slashes=False,
    )
    app.state.ctx = ctx

    @app.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code != 404 or request.url.path.startswith("/_control"):
            return JSONResponse({"detail": error.detail}, status_code=error.status_code)
        return envelope({}, "not_found", "Unsupported path(Janus)", 404)

    @app.middleware("http")
    async def record(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        if not request.url.path.startswith("/_control"):
            # whose token it was (None: no known token), so a test can count a creator's calls
            bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
            token = ctx.world.tokens.get(bearer)
            ctx.world.requests.append(
                {
                    "method": request.method,
                    "path": request.url.path,
                    "status": response.status_code,
                    "at": ctx.world.clock.now(),
                    "open_id": token.open_id if token else None,
                }
            )
        return response

    for routes in (oauth_routes, posting_routes, upload_routes, control_routes):
        app.include_router(routes(ctx))
    for routes in (display_routes, display_control_routes):
        app.include_router(routes(ctx))
    app.add_middleware(FaultInjection, ctx=ctx)
    return app
