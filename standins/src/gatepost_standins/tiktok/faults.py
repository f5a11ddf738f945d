"""Fault injection per endpoint path, as pure ASGI middleware: latency, 5xx answers, time-outs,
connections dropped in the middle of a response, and answers lost after the request was handled
(a lossy edge: the chunk was accepted, the uploader never hears so)."""

from __future__ import annotations

import asyncio
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gatepost_standins.tiktok.config import Fault
from gatepost_standins.tiktok.context import Context, log_id


class DroppedConnection(Exception):
    """Raised after the response started: the server closes the connection mid-response."""


class FaultInjection:
    def __init__(self, app: ASGIApp, ctx: Context) -> None:
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fault = (
            self.ctx.config.faults.get(scope.get("path", "")) if scope["type"] == "http" else None
        )
        if fault is None:
            await self.app(scope, receive, send)
            return
        await asyncio.sleep(fault.latency_ms / 1000)
        if self.hit(fault, "drops", fault.drop_rate):
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", b"1000"),
                    ],
                }
            )
            raise DroppedConnection(scope["path"])
        if self.hit(fault, "timeouts", fault.timeout_rate):
            await asyncio.sleep(fault.timeout_s)  # the client gives up long before this
        elif self.hit(fault, "errors_after_acting", fault.error_after_acting_rate):
            # TikTok did the work (e.g. created the post), then answered with a server error
            await self.app(scope, receive, self.discard)
            await self.error(send, fault)
            return
        elif self.hit(fault, "errors", fault.error_rate):
            await self.error(send, fault)
            return
        if fault.response_delay_ms:
            await self.late_answer(scope, receive, send, fault.response_delay_ms / 1000)
            return
        if fault.answer_lost_rate or fault.next_answers_lost:
            await self.lossy_answer(scope, receive, send, fault)
            return
        await self.app(scope, receive, send)

    async def lossy_answer(self, scope: Scope, receive: Receive, send: Send, fault: Fault) -> None:
        """Handle the request fully (e.g. accept the chunk); then its answer may be lost."""
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        status = held[0].get("status") if held else None
        if fault.lose_only_status in (None, status) and self.hit(
            fault, "answers_lost", fault.answer_lost_rate
        ):
            await self.lose(scope, send, fault)
            return
        for message in held:
            await send(message)

    @staticmethod
    async def lose(scope: Scope, send: Send, fault: Fault) -> None:
        if fault.lost_as == "timeout":
            await asyncio.sleep(fault.timeout_s)  # the client gives up long before this
            return
        if fault.lost_as == "502":  # the edge's own answer, not TikTok's envelope
            headers = [(b"content-type", b"text/plain")]
            await send({"type": "http.response.start", "status": 502, "headers": headers})
            await send({"type": "http.response.body", "body": b"Bad Gateway"})
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", b"1000")],
            }
        )
        raise DroppedConnection(scope["path"])

    @staticmethod
    async def discard(_: Message) -> None:
        return None

    @staticmethod
    async def error(send: Send, fault: Fault) -> None:
        body = json.dumps(
            {
                "data": {},
                "error": {
                    "code": fault.error_code,
                    "message": "injected fault",
                    "log_id": log_id(),
                },
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": fault.error_status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def late_answer(self, scope: Scope, receive: Receive, send: Send, delay: float) -> None:
        """Handle the request fully (e.g. create the post), then hold the answer back."""
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        await asyncio.sleep(delay)
        for message in held:
            await send(message)

    def hit(self, fault: Fault, kind: str, rate: float) -> bool:
        counter = f"next_{kind}"
        remaining: int = getattr(fault, counter)
        if remaining > 0:
            setattr(fault, counter, remaining - 1)
            return True
        return rate > 0 and self.ctx.rng.random() < rate
