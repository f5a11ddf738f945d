"""An agent that proposes a TikTok carousel to Gatepost over MCP, for a person to approve.

    export GATEPOST_URL=http://127.0.0.1:8080     # where Gatepost is
    export GATEPOST_TOKEN=gpt_...                  # API page: topics:write, posts:read, posts:edit
    uv run python examples/mcp_agent.py ACCOUNT_ID "Three tea rituals to try"

It connects with the official MCP SDK (Streamable HTTP, the token as bearer), adds the topic,
waits for its carousel, fixes the words on the second slide and prints the link a person opens
to approve the post. It cannot approve: no tool does."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

import httpx2
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client


async def propose(url: str, token: str, account_id: str, topic: str) -> str:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=300)
    async with (
        http,
        streamable_http_client(f"{url}/api/v1/mcp", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()

        async def use(tool: str, **arguments: Any) -> dict[str, Any]:
            result = await session.call_tool(tool, arguments)
            answer: dict[str, Any] = json.loads(result.content[0].text)  # type: ignore[union-attr]
            if "error" in answer:
                raise SystemExit(f"{tool}: {answer['error']}")
            return answer

        added = await use("add_topic", account_id=account_id, text=topic)
        topic_id = added["result"]["topic_id"]
        print(f"topic {topic_id} added; waiting for its carousel …")
        while True:
            followed = (await use("follow_topic", topic_id=topic_id))["result"]
            if followed.get("post_id"):
                break
            if followed["status"] == "failed":
                raise SystemExit(f"generation failed: {followed.get('reason')}")
            await asyncio.sleep(2)
        post = (await use("read_post", post_id=followed["post_id"]))["result"]
        print(f"“{post['title']}”, slide 2 says: {post['slides'][1]['text']!r}")
        fixed = await use(
            "edit_slide_words",
            post_id=post["post_id"],
            position=1,
            text=post["slides"][1]["text"].strip().rstrip(".") + " — try it tonight",
        )
        print(fixed["approval"])
        return str(fixed["result"]["post_url"])


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    link = asyncio.run(
        propose(
            os.environ.get("GATEPOST_URL", "http://127.0.0.1:8080").rstrip("/"),
            os.environ["GATEPOST_TOKEN"],
            sys.argv[1],
            sys.argv[2],
        )
    )
    print(f"Open this page to review and approve the post: {link}")
