"""After the chain has run: no authorization code or token the TikTok stand-in issued appears in
any log of the stack (gateway included) or in any Gatepost database."""

from __future__ import annotations

import json

import httpx
from pymongo import MongoClient

from gatepost_devstack.outside import signed_up
from gatepost_devstack.stack import Stack


def test_no_code_or_token_in_logs_or_databases(stack: Stack) -> None:
    client, _, account_id = signed_up(stack)  # at least one full connect through the gateway
    client.get(f"/api/auth/accounts/{account_id}/creator-info").raise_for_status()
    issued = httpx.get(f"http://127.0.0.1:{stack.ports.tiktok}/_control/secrets").json()
    secrets = {s for kind in issued.values() for s in kind}
    assert issued["codes"] and issued["access_tokens"]
    # every process of the stack logs there, the gateway's access log included
    logs = "".join(p.read_text(errors="replace") for p in stack.supervisor.logs.glob("*.log"))
    with MongoClient(stack.mongodb_url) as mongo:
        dump = json.dumps(
            [
                list(mongo[name][c].find())
                for name in mongo.list_database_names()
                if name.startswith("gatepost")
                for c in mongo[name].list_collection_names()
            ],
            default=str,
        )
    leaked = sorted(s[:8] for s in secrets if s in logs or s in dump)
    assert not leaked, f"secrets found in logs or MongoDB (prefixes): {leaked}"
