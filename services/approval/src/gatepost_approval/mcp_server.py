"""The MCP server (the official `mcp` SDK's MCPServer, Streamable HTTP, stateless, JSON answers)
at /v1/mcp, behind the gateway at /api/v1/mcp; a personal API token is its bearer credential.

Agents propose, people approve: there is no tool that approves, publishes again, rejects or
touches an account, and every tool calls only the /v1/ routes with the agent's own token, which
no route that leads to TikTok accepts. Every answer says so and links the post's page."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Annotated, Any

import httpx
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import Field
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from gatepost_approval.agent_api import AgentApi, ApiRefused
from gatepost_common.api_tokens import TOKEN_PREFIX

APPROVAL_NOTE = (
    "Nothing is published by an agent: a person must open each post in Gatepost and approve it "
    "there (there is no approve tool). Link the person to the post's page."
)
INSTRUCTIONS = (
    "Gatepost turns topics into TikTok photo carousels. You can add topics, follow their "
    "generation, read posts waiting in the queue and edit them (words on slides, a new picture, "
    "the order, the cover, title, caption and hashtags), and read an account's budget and "
    "numbers. " + APPROVAL_NOTE
)
Position = Annotated[int, Field(ge=0, le=6, description="the slide's position, 0 to 6")]
Revision = Annotated[
    int | None, Field(description="the post's revision you read; none: the current one")
]


class Links:
    """Where a person opens a post (the queue's page of that one post)."""

    def __init__(self, public_url: str) -> None:
        self.base = public_url.rstrip("/")

    def post(self, post_id: str) -> str:
        return f"{self.base}/#queue?post={post_id}"

    @property
    def queue(self) -> str:
        return f"{self.base}/#queue"


ApiFor = Callable[[str], AgentApi]


def answered(links: Links, body: Any) -> dict[str, Any]:
    """A tool's answer: what the API said, each post with its page, and the approval note."""
    posts = body if isinstance(body, list) else [body] if isinstance(body, dict) else []
    for post in posts:
        if isinstance(post, dict) and post.get("post_id"):
            post["post_url"] = links.post(str(post["post_id"]))
    return {"result": body, "approval": APPROVAL_NOTE, "queue_url": links.queue}


def token_of(ctx: Context) -> str:
    header = (ctx.headers or {}).get("authorization", "")
    return header[7:].strip() if header[:7].lower() == "bearer " else ""


def agent_tools(api_for: ApiFor, links: Links) -> MCPServer:
    server = MCPServer(name="Gatepost", instructions=INSTRUCTIONS)

    async def run(ctx: Context, work: Callable[[AgentApi], Awaitable[Any]]) -> dict[str, Any]:
        try:
            return answered(links, await work(api_for(token_of(ctx))))
        except ApiRefused as refused:
            return {
                "error": refused.reason,
                "status": refused.status,
                "approval": APPROVAL_NOTE,
                "queue_url": links.queue,
            }

    @server.tool()
    async def add_topic(account_id: str, text: str, ctx: Context) -> dict[str, Any]:
        """Add a topic for a connected TikTok account; its carousel is generated, then waits
        in the queue for a person's approval. Needs topics:write."""
        body = {"account_id": account_id, "text": text}
        return await run(ctx, lambda api: api.call("generator", "POST", "/topics", json=body))

    @server.tool()
    async def import_topics(
        topics: Annotated[
            list[dict[str, str]],
            Field(description='[{"text": …, "account_id": …}, …], each row judged on its own'),
        ],
        ctx: Context,
    ) -> dict[str, Any]:
        """Add many topics at once. Needs topics:write."""
        body = {"topics": topics}
        return await run(ctx, lambda api: api.call("generator", "POST", "/topics/bulk", json=body))

    @server.tool()
    async def follow_topic(topic_id: str, ctx: Context) -> dict[str, Any]:
        """A topic's generation: its status and step, and the post it became (post_id) once
        generated. Needs topics:write."""

        async def work(api: AgentApi) -> Any:
            topic = await api.call("generator", "GET", f"/topics/{topic_id}")
            if topic.get("post_id"):
                topic["post_url"] = links.post(topic["post_id"])
            return topic

        return await run(ctx, work)

    @server.tool()
    async def list_posts(
        ctx: Context,
        status: Annotated[str | None, Field(description="e.g. awaiting_approval")] = None,
        account_id: str | None = None,
        limit: Annotated[int, Field(ge=1, le=100)] = 20,
    ) -> dict[str, Any]:
        """The posts in the queue, newest first. Needs posts:read."""
        query = {"limit": limit, "status": status, "account_id": account_id}
        params = {k: v for k, v in query.items() if v is not None}
        return await run(ctx, lambda api: api.call("approval", "GET", "/posts", params=params))

    @server.tool()
    async def read_post(post_id: str, ctx: Context) -> dict[str, Any]:
        """One post: title, caption, hashtags, slides, status, revision. Needs posts:read."""
        return await run(ctx, lambda api: api.call("approval", "GET", f"/posts/{post_id}"))

    def edit(path: str, make: Callable[[int], dict[str, Any]], method: str = "PUT") -> Any:
        async def work(api: AgentApi, revision: int | None) -> Any:
            post_id = path.split("/")[2]
            body = make(await api.revision(post_id, revision))
            return await api.call("approval", method, path, json=body)

        return work

    @server.tool()
    async def edit_slide_words(
        post_id: str, position: Position, text: str, ctx: Context, revision: Revision = None
    ) -> dict[str, Any]:
        """New words on one slide (set again on its picture). Needs posts:edit."""
        work = edit(
            f"/posts/{post_id}/slides/{position}/text", lambda r: {"revision": r, "text": text}
        )
        return await run(ctx, lambda api: work(api, revision))

    @server.tool()
    async def redraw_slide(
        post_id: str, position: Position, ctx: Context, revision: Revision = None
    ) -> dict[str, Any]:
        """A new picture for one slide; the other six are kept. Needs posts:edit."""
        work = edit(f"/posts/{post_id}/slides/{position}/redraw", lambda r: {"revision": r}, "POST")
        return await run(ctx, lambda api: work(api, revision))

    @server.tool()
    async def reorder_slides(
        post_id: str,
        order: Annotated[list[int], Field(description="order[i]: the old position of slide i")],
        ctx: Context,
        revision: Revision = None,
    ) -> dict[str, Any]:
        """The slides in a new order. Needs posts:edit."""
        work = edit(f"/posts/{post_id}/order", lambda r: {"revision": r, "order": order})
        return await run(ctx, lambda api: work(api, revision))

    @server.tool()
    async def change_cover(
        post_id: str, position: Position, ctx: Context, revision: Revision = None
    ) -> dict[str, Any]:
        """Which slide is the cover (it carries the title). Needs posts:edit."""
        work = edit(f"/posts/{post_id}/cover", lambda r: {"revision": r, "position": position})
        return await run(ctx, lambda api: work(api, revision))

    @server.tool()
    async def edit_post(
        post_id: str,
        ctx: Context,
        title: str | None = None,
        caption: str | None = None,
        hashtags: Annotated[list[str] | None, Field(description="3 to 5, each #word")] = None,
        revision: Revision = None,
    ) -> dict[str, Any]:
        """A post's title, caption or hashtags, within TikTok's limits. Needs posts:edit."""
        changes = {"title": title, "caption": caption, "hashtags": hashtags}
        fields = {k: v for k, v in changes.items() if v is not None}
        work = edit(f"/posts/{post_id}", lambda r: {"revision": r, **fields}, "PATCH")
        return await run(ctx, lambda api: work(api, revision))

    @server.tool()
    async def account_budget(account_id: str, ctx: Context) -> dict[str, Any]:
        """How many posts the account can still publish within 24 hours. Needs insights:read."""
        path = f"/accounts/{account_id}/budget"
        return await run(ctx, lambda api: api.call("publisher", "GET", path))

    @server.tool()
    async def account_numbers(
        account_id: str,
        ctx: Context,
        tz: Annotated[str, Field(description="an IANA time zone")] = "UTC",
    ) -> dict[str, Any]:
        """An account's totals, its best times and the next suggested slots. Needs
        insights:read."""
        path = f"/insights/accounts/{account_id}"
        return await run(ctx, lambda api: api.call("publisher", "GET", path, params={"tz": tz}))

    @server.tool()
    async def post_numbers(ctx: Context, account_id: str | None = None) -> dict[str, Any]:
        """Each published post's link and numbers. Needs insights:read."""
        params = {"account_id": account_id} if account_id else {}
        return await run(
            ctx, lambda api: api.call("publisher", "GET", "/insights/posts", params=params)
        )

    return server


class BearerOnly:
    """In front of the MCP app: a call without a personal API token is refused before any MCP
    message is read (each tool's own call is then checked by the route it uses)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            header = headers.get(b"authorization", b"").decode("latin-1")
            if not (header[:7].lower() == "bearer " and header[7:].startswith(TOKEN_PREFIX)):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"www-authenticate", b'Bearer realm="gatepost"'),
                        ],
                    }
                )
                detail = b'{"detail": "a personal API token is required as the bearer"}'
                await send({"type": "http.response.body", "body": detail})
                return
        await self.app(scope, receive, send)


def mcp_route(server: MCPServer) -> tuple[Route, Callable[[], Coroutine[Any, Any, None]]]:
    """The Streamable HTTP endpoint at /v1/mcp, and the job that keeps its session manager
    running while the service runs. Stateless, so any replica answers any call; its Host check
    is off because it sits behind the gateway and takes only bearer tokens, which a page that
    rebinds DNS cannot add."""
    server.streamable_http_app(
        streamable_http_path="/v1/mcp",
        stateless_http=True,
        json_response=True,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    manager = server.session_manager

    async def serve_mcp() -> None:
        async with manager.run():
            await asyncio.Event().wait()  # until the service stops (the task is cancelled)

    endpoint = BearerOnly(StreamableHTTPASGIApp(manager))
    return Route("/v1/mcp", endpoint, methods=["GET", "POST", "DELETE"]), serve_mcp


def api_for(generator_url: str, publisher_url: str, approval: ASGIApp) -> Callable[[str], AgentApi]:
    """An AgentApi per call, with the caller's token; the clients are shared."""
    generator = httpx.AsyncClient(base_url=generator_url, timeout=200)
    publisher = httpx.AsyncClient(base_url=publisher_url, timeout=30)
    own = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=approval, raise_app_exceptions=False),
        base_url="http://approval",
        timeout=200,
    )
    return lambda token: AgentApi(generator, own, publisher, token)
