"""Who asks is checked before what they send (gatepost_common.door): an unauthenticated or
oversized request is refused without its body being read. The services' real routes, served in
process as create_service_app serves them; the body is a generator that counts what the service
pulled from it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, HTTPException
from fastapi.routing import APIRoute

from gatepost_approval.upload_routes import UPLOAD_BODY_BYTES
from gatepost_approval.upload_routes import router as uploads
from gatepost_common.access import CallerKeys
from gatepost_common.api_tokens import AuthTokenChecks, Scope, TokenChecks, TokenHolder
from gatepost_common.clock import Clock
from gatepost_common.door import DEFAULT_BODY_BYTES, rules_of
from gatepost_common.sessions import SESSION_COOKIE, User
from gatepost_generator.bulk_rows import BULK_BODY_BYTES
from gatepost_generator.entrypoints import router as topics
from gatepost_generator.library import TopicLibrary
from gatepost_media.entrypoints import IMAGE_BODY_BYTES
from gatepost_media.entrypoints import router as images
from gatepost_publisher.entrypoints import WEBHOOK_BODY_BYTES, WebhookReceiver
from gatepost_publisher.entrypoints import router as webhooks
from tests.unit.asgi import bearer, served

CHUNK = 64 * 1024
MB = 1_000_000


class Counted:
    """A request body of `size` bytes, made as the service pulls it, and how much it pulled."""

    def __init__(self, size: int) -> None:
        self.size, self.pulled = size, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.pulled < self.size:
            part = b"x" * min(CHUNK, self.size - self.pulled)
            self.pulled += len(part)
            yield part


async def nothing_emitted(_: Any) -> None:
    raise AssertionError("a refused webhook is not forwarded")


THINGS: dict[type[Any], object] = {
    CallerKeys: CallerKeys("media", {}),
    WebhookReceiver: WebhookReceiver("secret", 300, nothing_emitted, Clock()),
}


async def sent(
    routers: list[APIRouter], path: str, body: Counted, headers: dict[str, str]
) -> httpx.Response:
    async with served(routers, THINGS) as client:
        return await client.post(path, content=body, headers=headers)


MULTIPART = {"Content-Type": "multipart/form-data; boundary=x"}
JSON = {"Content-Type": "application/json"}


async def test_a_50_mb_upload_without_a_session_is_refused_unread() -> None:
    """It used to be spooled to approval's disk before the 401."""
    body = Counted(50 * MB)
    answer = await sent([uploads], "/uploads", body, MULTIPART)
    assert answer.status_code == 401 and answer.json() == {"detail": "sign in first"}
    assert body.pulled == 0


async def test_an_8_mb_json_body_without_a_session_is_refused_unread() -> None:
    """It used to be parsed (169 MB of memory at its peak) before the 401."""
    body = Counted(8 * MB)
    answer = await sent([topics], "/topics", body, JSON)
    assert answer.status_code == 401 and body.pulled == 0


async def test_a_session_cookie_without_its_csrf_echo_is_refused_unread() -> None:
    body = Counted(8 * MB)
    cookie = {"Cookie": f"{SESSION_COOKIE}={bearer('u1')['Authorization'][7:]}"}
    answer = await sent([topics], "/topics", body, JSON | cookie)
    assert answer.status_code == 403 and "X-CSRF-Token" in answer.json()["detail"]
    assert body.pulled == 0


async def test_an_internal_route_without_a_service_token_is_refused_unread() -> None:
    body = Counted(15 * MB)
    answer = await sent([images], "/internal/images", body, {})
    assert answer.status_code == 401 and "service" in answer.json()["detail"]
    assert body.pulled == 0


async def test_a_signed_in_persons_json_body_over_the_limit_is_refused_without_reading_it() -> None:
    """The declared length is enough: not one byte is read."""
    body = Counted(8 * MB)
    headers = JSON | bearer("u1") | {"Content-Length": str(8 * MB)}
    answer = await sent([topics], "/topics", body, headers)
    assert answer.status_code == 413 and body.pulled == 0
    assert answer.json() == {
        "detail": f"the request body is larger than {DEFAULT_BODY_BYTES} bytes"
    }


async def test_a_body_that_hides_its_length_is_cut_off_at_the_limit() -> None:
    """Sent in chunks with no Content-Length, it is counted as it comes: read up to the
    limit and one chunk, then refused."""
    body = Counted(8 * MB)
    answer = await sent([topics], "/topics", body, JSON | bearer("u1"))
    assert answer.status_code == 413
    assert body.pulled <= DEFAULT_BODY_BYTES + CHUNK


async def test_an_unsigned_webhook_is_refused_unread_and_a_signed_one_is_bounded() -> None:
    unsigned = Counted(1 * MB)
    answer = await sent([webhooks], "/webhooks/tiktok", unsigned, JSON)
    assert answer.status_code == 401 and unsigned.pulled == 0
    signed = Counted(1 * MB)
    headers = JSON | {"Tiktok-Signature": "t=1,s=00"}
    answer = await sent([webhooks], "/webhooks/tiktok", signed, headers)
    assert answer.status_code == 413 and signed.pulled <= WEBHOOK_BODY_BYTES + CHUNK


@pytest.mark.parametrize(
    ("router", "path", "limit"),
    [
        (uploads, "/uploads", UPLOAD_BODY_BYTES),
        (topics, "/topics/bulk", BULK_BODY_BYTES),
        (webhooks, "/webhooks/tiktok", WEBHOOK_BODY_BYTES),
        (topics, "/topics", DEFAULT_BODY_BYTES),
        (images, "/internal/images", IMAGE_BODY_BYTES),
    ],
)
def test_routes_that_take_more_or_less_than_a_json_body_say_so(
    router: APIRouter, path: str, limit: int
) -> None:
    route = next(r for r in router.routes if isinstance(r, APIRoute) and r.path == path)
    assert rules_of(route).most_bytes == limit


class Added:
    """The generator's library, as far as adding one topic goes."""

    async def add(self, user_id: str, account_id: str, text: str, source: str) -> str:
        return "t1"


class CountedChecks:
    """auth's token check, counted: each call is an audit entry and a place in the token's
    per-minute limit, so the door and the route must share one."""

    def __init__(self, live: str) -> None:
        self.live, self.calls = live, 0

    async def check(self, token: str, scope: Scope | None, method: str, path: str) -> TokenHolder:
        self.calls += 1
        if token != self.live:
            raise HTTPException(401, "this API token is unknown, expired or revoked")
        return TokenHolder(User("u1", "u1@x.org"), "t1", "agent", frozenset(Scope))


async def test_a_v1_route_checks_an_api_token_before_the_body_and_once_a_call() -> None:
    """A revoked token is refused with nothing read; a live one is asked about once (the route's
    own dependency takes the door's answer: one audit entry, one place in its limit a call)."""
    live = "gpt_t1_" + "s" * 20
    topic = b'{"text": "Tides", "account_id": "a1"}'
    for token, status, read in [("gpt_t9_" + "r" * 20, 401, False), (live, 201, True)]:
        checks = CountedChecks(live)
        body = Counted(0)

        async def sending(body: Counted = body) -> AsyncIterator[bytes]:
            body.pulled = len(topic)
            yield topic

        things = THINGS | {TokenChecks: checks, TopicLibrary: Added()}
        async with served([topics], things) as client:
            answer = await client.post(
                "/v1/topics", content=sending(), headers=JSON | {"Authorization": f"Bearer {token}"}
            )
        assert answer.status_code == status, answer.text
        assert (body.pulled > 0) == read
        assert checks.calls == 1


async def test_an_overlong_token_or_auth_failing_answers_plainly_not_500() -> None:
    """A token no one could have been given is unknown (401); auth answering anything but its
    verdicts (5xx, or refusing the question) is a 503 to try again, never a 500 or a parse
    error on the body."""

    class Failing(CountedChecks):
        async def check(
            self, token: str, scope: Scope | None, method: str, path: str
        ) -> TokenHolder:
            transport = httpx.MockTransport(lambda _: httpx.Response(500, text="boom"))
            auth = httpx.AsyncClient(transport=transport, base_url="http://auth")
            return await AuthTokenChecks(auth, "generator").check(token, scope, method, path)

    for token, checks, status in [
        ("gpt_" + "x" * 300, CountedChecks("gpt_t1"), 401),
        ("gpt_t1_" + "s" * 20, Failing("gpt_t1"), 503),
    ]:
        async with served([topics], THINGS | {TokenChecks: checks}) as client:
            headers = {"Authorization": f"Bearer {token}"}
            listed = await client.get("/v1/topics", headers=headers)
            added = await client.post("/v1/topics", json={"text": "x"}, headers=headers)
        assert (listed.status_code, added.status_code) == (status, status), added.text
