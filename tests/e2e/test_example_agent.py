"""The example an agent-builder copies (examples/mcp_agent.py) works as written: run as its own
process against the stack with a person's token, it adds a topic, waits for its carousel, fixes a
slide's words and prints the link a person opens to approve; the post waits for that person."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from gatepost_devstack.outside import signed_up
from gatepost_devstack.stack import Stack

EXAMPLE = Path(__file__).parents[2] / "examples" / "mcp_agent.py"


def test_the_example_proposes_a_post_and_prints_its_page(stack: Stack) -> None:
    client, _, account_id = signed_up(stack)
    scopes = ["topics:write", "posts:read", "posts:edit"]
    made = client.post(
        "/api/auth/api-tokens", json={"name": "example", "scopes": scopes, "days": 1}
    )
    env = os.environ | {"GATEPOST_URL": stack.gateway_url, "GATEPOST_TOKEN": made.json()["token"]}
    ran = subprocess.run(
        [sys.executable, str(EXAMPLE), account_id, "Window herbs that survive winter"],
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    link = re.search(r"approve the post: (\S+)", ran.stdout)
    assert link, ran.stdout
    post_id = link.group(1).rsplit("post=", 1)[1]
    assert link.group(1) == f"{stack.gateway_url}/#queue?post={post_id}"
    post = client.get(f"/api/approval/posts/{post_id}").json()
    assert post["status"] == "awaiting_approval"
    assert post["slides"][1]["text"].endswith("— try it tonight")
