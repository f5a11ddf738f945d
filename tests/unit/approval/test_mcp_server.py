"""The MCP server's shape, without a stack: its tools are the issue's list and none approves,
publishes, rejects or touches an account; a call without a personal API token is refused before
any MCP message is read; every answer links each post's page and says a person approves."""

from __future__ import annotations

from collections.abc import Awaitable

import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from gatepost_approval.agent_api import AgentApi, ApiRefused
from gatepost_approval.mcp_server import APPROVAL_NOTE, BearerOnly, Links, agent_tools, answered

LINKS = Links("https://gatepost.example/")


def unused(token: str) -> AgentApi:
    raise AssertionError("no tool is called here")


async def test_the_tools_are_the_agents_and_none_approves() -> None:
    names = {tool.name for tool in await agent_tools(unused, LINKS).list_tools()}
    assert names == {
        "add_topic",
        "import_topics",
        "follow_topic",
        "list_posts",
        "read_post",
        "edit_slide_words",
        "redraw_slide",
        "reorder_slides",
        "change_cover",
        "edit_post",
        "account_budget",
        "account_numbers",
        "post_numbers",
    }
    forbidden = ("approve", "publish", "reject", "withdraw", "connect", "account_delete")
    assert not [n for n in names if any(word in n for word in forbidden)]


def test_every_answer_links_each_post_and_says_a_person_approves() -> None:
    posts = answered(LINKS, [{"post_id": "p1"}, {"post_id": "p2"}])
    assert [p["post_url"] for p in posts["result"]] == [
        "https://gatepost.example/#queue?post=p1",
        "https://gatepost.example/#queue?post=p2",
    ]
    assert posts["approval"] == APPROVAL_NOTE and "approve" in APPROVAL_NOTE
    assert answered(LINKS, {"posts_left": 3})["queue_url"] == "https://gatepost.example/#queue"


async def test_a_call_without_a_personal_token_is_refused_before_mcp() -> None:
    async def reached(_: object) -> PlainTextResponse:
        return PlainTextResponse("mcp")

    app = BearerOnly(Starlette(routes=[Route("/v1/mcp", reached, methods=["POST"])]))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://approval") as client:
        for headers in (
            {},
            {"Authorization": "Bearer eyJ.session.jwt"},
            {"Authorization": "gpt_x"},
        ):
            refused = await client.post("/v1/mcp", headers=headers)
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"].startswith("Bearer")
        taken = await client.post("/v1/mcp", headers={"Authorization": "Bearer gpt_a_b"})
        assert taken.text == "mcp"


async def test_an_id_that_is_no_id_or_a_silent_service_is_a_plain_refusal() -> None:
    """An agent's id with `..` would step out of the tool's route (httpx resolves it): refused
    before any call. A service that fails or does not answer is a plain 503, not its text."""
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path.startswith("/v1/topics"):
            raise httpx.ConnectError("connection refused to 10.0.0.7:8002")
        return httpx.Response(200, text="<html>not json</html>")

    def client() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(answer), base_url="http://x")

    api = AgentApi(client(), client(), client(), "gpt_a_b")
    for path in ("/posts/../../posts/p1/approve", "/posts/p1%2F..%2Fx", "/posts/p1?x=1"):
        refused = await refusal(api.call("approval", "POST", path))
        assert (refused.status, seen) == (422, []), path
    for service, path in (("generator", "/topics/t1"), ("approval", "/posts/p1")):
        refused = await refusal(api.call(service, "GET", path))
        assert refused.status == 503 and "10.0.0.7" not in refused.reason
        assert refused.reason == f"Gatepost's {service} did not answer: try again shortly"


async def refusal(call: Awaitable[object]) -> ApiRefused:
    try:
        await call
    except ApiRefused as refused:
        return refused
    raise AssertionError("not refused")
