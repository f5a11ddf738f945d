"""Every query the publisher's worker loop makes (and the webhook and audit-log lookups) is served
by an index. The queries are the service's own, recorded from the wire while its repositories
run; each is then put to the server's `explain` where the server has it (a real MongoDB given
through MONGODB_URL: no COLLSCAN in the winning plan) and, always, to the planner's first rule:
an index can serve a query only if the query constrains the index's first key (or `_id`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient, monitoring
from pymongo.errors import OperationFailure

from gatepost_common.audit import AuditLog
from gatepost_common.clock import Clock
from gatepost_common.ratelimit import RateLimiter
from gatepost_devstack.stack import Stack
from gatepost_publisher.jobs import MongoJobRepository
from gatepost_publisher.lifecycle import POLL_LATER
from gatepost_publisher.limits import DailyCap, InitLocks
from gatepost_publisher.webhooks import WebhookInbox

READS = {"find": "filter", "update": "q", "delete": "q", "findAndModify": "query"}


class Queries(monitoring.CommandListener):
    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        name = event.command_name
        if name not in READS:
            return
        command = event.command
        if name == "update":
            for update in command["updates"]:
                self.seen.append((command[name], update["q"], None))
        else:
            self.seen.append((command[name], command.get(READS[name], {}), command.get("sort")))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def constrained(query: dict[str, Any]) -> set[str]:
    """The fields a query constrains at its top level; an `$or` counts only if every branch
    constrains the field."""
    fields = {k for k in query if not k.startswith("$")}
    for branches in query.get("$or", []), query.get("$and", []):
        if branches:
            shared = set.intersection(*(constrained(b) for b in branches))
            fields |= shared
    return fields


def servable(query: dict[str, Any], indexes: dict[str, Any]) -> bool:
    fields = constrained(query)
    return "_id" in fields or any(index["key"][0][0] in fields for index in indexes.values())


def test_servable_is_strict_about_first_keys() -> None:
    indexes = {"a_1_b_1": {"key": [("a", 1), ("b", 1)]}, "_id_": {"key": [("_id", 1)]}}
    assert servable({"a": 1}, indexes) and servable({"_id": "x", "c": 1}, indexes)
    assert not servable({"b": 1}, indexes), "b alone cannot use an index led by a"
    assert not servable({"$or": [{"a": 1}, {"c": 1}]}, indexes)
    assert servable({"$or": [{"a": 1}, {"a": 2, "c": 1}]}, indexes)


async def test_every_query_of_the_worker_loop_has_an_index(stack: Stack) -> None:
    queries = Queries()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        stack.mongodb_url, tz_aware=True, event_listeners=[queries]
    )
    db = client[f"{stack.database_prefix}_indexes_{uuid.uuid4().hex[:6]}"]
    try:
        jobs, audit, limiter = MongoJobRepository(db), AuditLog(db), RateLimiter(db, Clock())
        cap, locks = DailyCap(db, 3), InitLocks(db)
        for indexed in (jobs, audit):
            await indexed.ensure_indexes()
        now = datetime.now(UTC)
        await jobs.add(
            {
                "_id": "j1",
                "post_id": "j1",
                "attempt": 1,
                "account_id": "a1",
                "due_at": now,
                "approved": {"user_id": "u1"},
            }
        )
        queries.seen.clear()
        # the worker loop, as `Worker.run` and its steps make it
        assert await jobs.claim_due("w1", now, timedelta(seconds=60), 32)
        await jobs.renew("j1", "w1", now + timedelta(seconds=60))
        await jobs.orphaned_attempts(now)
        await jobs.pending_outcomes(now)
        await jobs.visibility_due(now)
        await jobs.move("j1", POLL_LATER, {"due_at": now}, owner="w1")
        await jobs.get("j1")
        await limiter.try_acquire("a1:content_init", 6)
        await limiter.free_in("a1:status_fetch", 30)
        await cap.reserve("creator-1", "j1", now)
        await cap.release("creator-1", "j1")
        await locks.take("creator-1", "j1", now, now + timedelta(seconds=60))
        await locks.give_back("creator-1", "j1")
        await audit.append("a1", "tiktok_call", post_id="j1")
        # webhooks find their job; the audit log's owner check; a person's publications
        await jobs.by_publish_id("p_pub_1")
        await jobs.owns_account("u1", "a1")
        await jobs.for_user("u1")
        inbox = WebhookInbox(db, jobs, None, audit, Clock())  # type: ignore[arg-type]
        await inbox.ensure_indexes()
        await inbox.reapply_due()

        assert len(queries.seen) >= 15, queries.seen
        unserved = []
        for collection, query, sort in queries.seen:
            indexes = await db[collection].index_information()
            if not servable(query, indexes):
                unserved.append((collection, query))
            plan = await explained(db, collection, query, sort)
            if plan is not None:
                assert "COLLSCAN" not in str(plan), (collection, query, plan)
        assert unserved == []
    finally:
        await client.drop_database(db.name)
        await client.close()


async def explained(
    db: Any, collection: str, query: dict[str, Any], sort: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The server's winning plan, or None where the server has no `explain` (the local
    MongoDB-wire server)."""
    find: dict[str, Any] = {"find": collection, "filter": query}
    if sort:
        find["sort"] = sort
    try:
        answer = await db.command("explain", find, verbosity="queryPlanner")
    except OperationFailure as failure:
        if failure.code == 59:  # CommandNotFound
            return None
        raise
    plan: dict[str, Any] = answer["queryPlanner"]["winningPlan"]
    return plan
