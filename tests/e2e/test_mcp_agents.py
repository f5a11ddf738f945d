"""Agents propose, people approve: an MCP client (the official SDK's `ClientSession` over
Streamable HTTP, through the gateway, a personal API token as its bearer) adds a topic, follows
it to its post, edits the post with every tool and reads the account; TikTok's stand-in sees no
init until the person approves the post in the browser, then exactly one."""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import httpx2
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from playwright.sync_api import Page, expect

from gatepost_devstack.outside import signed_up_creator
from gatepost_devstack.stack import Stack
from tests.e2e.browser import browser, page, shot, signed_in_as

__all__ = ["browser", "page"]  # the fixtures

TOOLS = {
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
# the tools whose refusal the agent is meant to see here: a row for another's account; the
# numbers of an account that has published nothing yet
REFUSED = {"import_topics", "account_numbers"}
EVERY_SCOPE = ["topics:write", "posts:read", "posts:edit", "insights:read"]


def inits_of(stack: Stack, open_id: str) -> int:
    """Posts TikTok's stand-in accepted an init for, for this creator."""
    publishes = httpx.get(f"http://127.0.0.1:{stack.ports.tiktok}/_control/publishes").json()
    return sum(p["open_id"] == open_id for p in publishes)


async def agent(stack: Stack, token: str, account_id: str) -> dict[str, Any]:
    """What the agent did and saw, tool by tool."""
    seen: dict[str, Any] = {}
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=240)
    async with (
        http,
        streamable_http_client(f"{stack.gateway_url}/api/v1/mcp", http_client=http) as streams,
        ClientSession(*streams) as session,
    ):
        await session.initialize()
        seen["tools"] = {tool.name for tool in (await session.list_tools()).tools}

        async def use(tool: str, **arguments: Any) -> dict[str, Any]:
            result = await session.call_tool(tool, arguments)
            answer: dict[str, Any] = json.loads(result.content[0].text)  # type: ignore[union-attr]
            seen.setdefault("answers", []).append((tool, answer))
            return answer

        topic = await use("add_topic", account_id=account_id, text="Three tea rituals to try")
        topic_id = topic["result"]["topic_id"]
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            followed = await use("follow_topic", topic_id=topic_id)
            if followed["result"].get("post_id"):
                break
            await asyncio.sleep(2)
        post_id = followed["result"]["post_id"]
        seen["post_id"], seen["post_url"] = post_id, followed["result"]["post_url"]
        seen["listed"] = await use("list_posts", status="awaiting_approval")
        await use("read_post", post_id=post_id)
        seen["edited"] = await use(
            "edit_slide_words", post_id=post_id, position=1, text="Words an agent chose"
        )
        await use("redraw_slide", post_id=post_id, position=3)
        await use("reorder_slides", post_id=post_id, order=[0, 2, 1, 3, 4, 5, 6])
        await use("change_cover", post_id=post_id, position=0)
        await use("edit_post", post_id=post_id, caption="Tea, three ways.")
        seen["import"] = await use(
            "import_topics", topics=[{"text": "Not my account", "account_id": "someone-else"}]
        )
        seen["budget"] = await use("account_budget", account_id=account_id)
        seen["numbers"] = await use("account_numbers", account_id=account_id)
        await use("post_numbers", account_id=account_id)
        seen["final"] = await use("read_post", post_id=post_id)
    return seen


def test_an_agent_edits_with_every_tool_and_only_a_person_approves(
    stack: Stack, page: Page
) -> None:
    client, _, account_id, open_id = signed_up_creator(stack)
    made = client.post(
        "/api/auth/api-tokens", json={"name": "tea agent", "scopes": EVERY_SCOPE, "days": 7}
    )
    token = made.json()["token"]
    # its own thread: the browser's sync Playwright holds this thread's event loop
    with ThreadPoolExecutor(1) as thread:
        seen = thread.submit(asyncio.run, agent(stack, token, account_id)).result()

    assert seen["tools"] == TOOLS  # and no tool approves, publishes or touches accounts
    post_id = seen["post_id"]
    assert seen["post_url"] == f"{stack.gateway_url}/#queue?post={post_id}"
    for tool, answer in seen["answers"]:
        assert "a person must open each post in Gatepost and approve it" in answer["approval"]
        assert "error" not in answer or tool in REFUSED, (tool, answer)
    # the publisher knows an account's numbers once it has published there: none yet
    assert seen["numbers"]["error"] == "no such account"
    assert post_id in {p["post_id"] for p in seen["listed"]["result"]}
    assert seen["edited"]["result"]["post_url"] == seen["post_url"]
    final = seen["final"]["result"]
    assert final["slides"][2]["text"] == "Words an agent chose"  # moved by the reorder
    assert final["caption"] == "Tea, three ways." and final["status"] == "awaiting_approval"
    assert seen["import"]["result"]["rejected"] == 1  # another's account: refused per row
    assert "posts_left" in json.dumps(seen["budget"]["result"]) or seen["budget"]["result"]
    assert inits_of(stack, open_id) == 0  # everything an agent could call: no TikTok init

    # the person opens the link the agent gave and approves in the browser
    signed_in_as(page, client, stack)
    page.goto(seen["post_url"])
    card = page.locator(f'article[data-post="{post_id}"]')
    expect(card.locator(".banner")).to_have_text("Awaiting approval", timeout=20_000)
    card.get_by_role("button", name="Approve and publish").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Who can view this post").select_option("PUBLIC_TO_EVERYONE")
    shot(page, "mcp-approve-dialog")
    dialog.get_by_role("button", name="Approve and publish").click()
    expect(dialog).to_be_hidden()
    deadline = time.monotonic() + 60
    while inits_of(stack, open_id) == 0 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert inits_of(stack, open_id) == 1
