"""Webhook delivery as TikTok does it: POST JSON with `content` as a JSON string, signed
`TikTok-Signature: t=<unix>,s=<hex HMAC-SHA256 of "t.body" with the client secret>`, retried on
anything but 200, and (configurably) delivered more than once."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from typing import Any

import httpx

from gatepost_standins.tiktok.context import Context


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},s={mac.hexdigest()}"


async def deliver(
    ctx: Context, event: str, content: dict[str, Any], open_id: str, client_key: str | None = None
) -> None:
    """Send one event to the configured callback URL (none configured: only recorded)."""
    key = client_key or ctx.config.client_key
    app = ctx.world.apps[key]
    body = json.dumps(
        {
            "client_key": key,
            "event": event,
            "create_time": int(ctx.world.clock.now()),
            "user_openid": open_id,
            "content": json.dumps(content),
        }
    ).encode()
    record: dict[str, Any] = {
        "event": event,
        "content": content,
        "open_id": open_id,
        "attempts": [],
        "delivered": False,
    }
    record["client_key"] = key
    ctx.world.webhooks.append(record)
    url = app.webhook_url or ctx.config.webhook_url
    if not url:
        return
    copies = 1 + ctx.config.webhook_duplicates
    for _ in range(copies):
        await _attempts(ctx, ctx.http, url, app.client_secret, body, record)


async def _attempts(
    ctx: Context,
    http: httpx.AsyncClient,
    url: str,
    secret: str,
    body: bytes,
    record: dict[str, Any],
) -> None:
    delays = [0.0, *ctx.config.webhook_retry_delays_s]
    for delay in delays:
        await asyncio.sleep(delay)
        timestamp = int(ctx.world.clock.now())
        headers = {
            "Content-Type": "application/json",
            "TikTok-Signature": signature(secret, timestamp, body),
        }
        try:
            async with ctx.outgoing:
                answer = await http.post(url, content=body, headers=headers, timeout=10)
            status: int | str = answer.status_code
        except httpx.HTTPError as error:
            status = type(error).__name__
        record["attempts"].append(status)
        if status == 200:
            record["delivered"] = True
            return
