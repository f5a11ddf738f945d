"""Operator commands, against the local run or any deployment (KAFKA_* and MONGODB_URL from the
environment, as the services take them):

    python -m gatepost_devstack dead-letters list TOPIC
    python -m gatepost_devstack dead-letters replay TOPIC [--id ID ...]
    python -m gatepost_devstack stuck

`list` prints each dead letter of `<TOPIC>.dlq` (one JSON line: event id, place, kind, reason);
`replay` sends them (all, or those named by event id or place) back to TOPIC once their cause is
fixed: replaying again is harmless, consumers take an event in once. `stuck` prints the approved
posts approval marked stuck, with why."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from typing import Any

from pymongo import AsyncMongoClient

from gatepost_common.kafka import client_options
from gatepost_common.topics import ALL_TOPICS
from gatepost_devstack import dead_letters
from gatepost_devstack.config import LOCAL_PORTS, local_secrets
from gatepost_devstack.paths import run_dir


def kafka() -> tuple[str, dict[str, str]]:
    """Bootstrap servers and sign-in: KAFKA_BOOTSTRAP_SERVERS, KAFKA_USERNAME, KAFKA_PASSWORD
    (and KAFKA_SECURITY_PROTOCOL); by default the local run's broker, as its admin."""
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{LOCAL_PORTS.kafka}")
    username = os.environ.get("KAFKA_USERNAME")
    if username is not None:
        protocol = os.environ.get("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
        return bootstrap, client_options(username, os.environ["KAFKA_PASSWORD"], protocol)
    passwords = json.loads(local_secrets(run_dir("local"))["kafka_passwords"])
    return bootstrap, client_options("admin", passwords["admin"])


async def list_letters(topic: str) -> list[dict[str, Any]]:
    bootstrap, options = kafka()
    return [one.describe() for one in await dead_letters.read(bootstrap, topic, options)]


async def replay_letters(topic: str, wanted: list[str]) -> list[dict[str, Any]]:
    bootstrap, options = kafka()
    found = await dead_letters.read(bootstrap, topic, options)
    chosen = [one for one in found if not wanted or any(one.matches(w) for w in wanted)]
    missing = [w for w in wanted if not any(one.matches(w) for one in found)]
    if missing:
        raise SystemExit(f"no such dead letter in {topic}.dlq: {', '.join(missing)}")
    sent = await dead_letters.replay(bootstrap, chosen, options)
    return [{**one.describe(), "replayed_to": one.topic} for one in sent]


async def stuck_posts() -> list[dict[str, Any]]:
    """The posts approval marked stuck (its database: MONGODB_URL, MONGODB_DATABASE)."""
    url = os.environ.get("MONGODB_URL", f"mongodb://127.0.0.1:{LOCAL_PORTS.mongo}")
    database = os.environ.get("MONGODB_DATABASE", "gatepost_approval")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
    try:
        found = client[database]["posts"].find(
            {"status": "approved", "stuck": {"$ne": None}},
            {"account_id": 1, "user_id": 1, "attempt": 1, "approved_at": 1, "stuck": 1},
        )
        return [
            {
                "post_id": post["_id"],
                "account_id": post.get("account_id"),
                "attempt": post.get("attempt"),
                "approved_at": str(post.get("approved_at")),
                "stuck_since": str(post["stuck"]["since"]),
                "reason": post["stuck"]["reason"],
            }
            async for post in found
        ]
    finally:
        await client.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m gatepost_devstack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    letters = commands.add_parser("dead-letters", help="list or replay a topic's dead letters")
    letters.add_argument("action", choices=["list", "replay"])
    letters.add_argument("topic", choices=ALL_TOPICS)
    letters.add_argument("--id", action="append", default=[], help="event id or place; repeat")
    commands.add_parser("stuck", help="approved posts with no outcome for too long")
    args = parser.parse_args(argv)
    if args.command == "stuck":
        rows = asyncio.run(stuck_posts())
    elif args.action == "list":
        rows = asyncio.run(list_letters(args.topic))
    else:
        rows = asyncio.run(replay_letters(args.topic, args.id))
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))
    return 0
