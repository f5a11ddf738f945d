"""Publish jobs in MongoDB. Every change of state is a lifecycle `Move`, applied as one
conditional update; every query of the worker loop has an index (asserted by a test)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gatepost_common.mongo import Document
from gatepost_publisher.lifecycle import ACTIVE, INITIATED, Job, JobStatus, Move


def new_job(job: Document) -> Document:
    """A job as it is first stored: queued, held by no worker, nothing sent yet."""
    return {
        **job,
        "status": JobStatus.QUEUED.value,
        "lease_until": None,
        "lease_owner": None,
        "publish_id": None,
        "post_ids": [],
        "retries": 0,
        "polls": 0,
        "created_at": datetime.now(UTC),
    }


def as_job(doc: Document | None) -> Job | None:
    """A stored document as a job. Jobs stored before attempts existed were their post's first
    attempt, under its id."""
    if doc is None:
        return None
    doc.setdefault("post_id", doc["_id"])
    doc.setdefault("attempt", 1)
    return cast(Job, doc)


def as_jobs(docs: list[Document]) -> list[Job]:
    return [cast(Job, as_job(d)) for d in docs]


def move_update(move: Move, fields: Document) -> Document:
    """The `$set` of a move: the new state, and the lease given up unless content/init is on its
    way (the worker keeps renewing it until TikTok answered)."""
    changes: Document = {"status": move.target.value, **fields}
    if move.target is not JobStatus.INITIATING:
        changes |= {"lease_until": None, "lease_owner": None}
    return {"$set": changes}


class MongoJobRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.jobs = db["jobs"]

    async def ensure_indexes(self) -> None:
        # the worker loop: due jobs, orphaned attempts, unsent outcomes, visibility checks
        await self.jobs.create_index([("status", 1), ("due_at", 1)])
        await self.jobs.create_index([("status", 1), ("lease_until", 1)])
        await self.jobs.create_index([("outcome_pending", 1), ("finished_at", 1)])
        await self.jobs.create_index("visibility_due")
        # webhooks find their job; people list theirs; the audit log's owner check
        await self.jobs.create_index("publish_id")
        await self.jobs.create_index([("approved.user_id", 1), ("created_at", -1)])
        await self.jobs.create_index([("account_id", 1), ("approved.user_id", 1)])
        await self.jobs.create_index([("post_id", 1), ("attempt", -1)])  # withdrawing

    async def add(self, job: Document) -> bool:
        """Store a job once per id; False when it was stored already."""
        try:
            await self.jobs.insert_one(new_job(job))
            return True
        except DuplicateKeyError:
            return False

    async def get(self, job_id: str) -> Job | None:
        return as_job(await self.jobs.find_one({"_id": job_id}))

    async def claim_due(
        self, owner: str, now: datetime, lease: timedelta, limit: int = 1
    ) -> list[Job]:
        """Up to `limit` of the jobs due longest, held by no live worker, each `owner`'s until
        its lease ends: one query for the candidates, then a conditional update of each by
        `_id` (a job another replica claimed in between is left to it). One query per batch, not
        per job: the local MongoDB-wire server answers it by scanning every job."""
        claimable = {
            "status": {"$in": [s.value for s in ACTIVE]},
            "due_at": {"$lte": now},
            "$or": [{"lease_until": None}, {"lease_until": {"$lt": now}}],
        }
        lease_update = {"lease_until": now + lease, "lease_owner": owner}
        candidates = self.jobs.find(claimable).sort("due_at", 1).limit(limit)
        claimed: list[Job] = []
        async for job in candidates:
            taken = await self.jobs.update_one(
                {"_id": job["_id"], **claimable}, {"$set": lease_update}
            )
            if taken.modified_count == 1:
                claimed.append(cast(Job, as_job({**job, **lease_update})))
        return claimed

    async def renew(self, job_id: str, owner: str, until: datetime) -> bool:
        result = await self.jobs.update_one(
            {"_id": job_id, "lease_owner": owner, "status": {"$ne": JobStatus.DONE.value}},
            {"$set": {"lease_until": until}},
        )
        return result.matched_count == 1

    async def move(
        self,
        job_id: str,
        move: Move,
        fields: Document,
        *,
        owner: str | None = None,
        post_ids: list[str] | None = None,
    ) -> bool:
        """Apply `move` if the job is still in its source state (and held by `owner`, if given);
        `post_ids`: TikTok's public ids, added in the same update as `add_post_ids` adds them."""
        when: Document = {"_id": job_id, "status": move.source.value}
        if owner is not None:
            when["lease_owner"] = owner
        update = move_update(move, fields)
        if post_ids:
            update["$set"] |= {"flag": None, "visibility_due": None}
            update["$addToSet"] = {"post_ids": {"$each": post_ids}}
        result = await self.jobs.update_one(when, update)
        return result.modified_count == 1

    async def note(self, job_id: str, owner: str, fields: Document) -> bool:
        """Record progress within a step (no move): only while `owner` holds the job."""
        held = {"_id": job_id, "lease_owner": owner, "status": {"$ne": JobStatus.DONE.value}}
        return (await self.jobs.update_one(held, {"$set": fields})).matched_count == 1

    async def adopt(self, job_id: str, fields: Document) -> bool:
        """Keep a publish_id whose init answer came after its job was given up as orphaned
        (UNKNOWN): the job is followed again (`fields` as `initiated` sets them)."""
        when = {
            "_id": job_id,
            "publish_id": None,
            "$or": [
                {"status": JobStatus.INITIATING.value},
                {"status": JobStatus.DONE.value, "result": "UNKNOWN"},
            ],
        }
        ended = {"result": None, "fail_reason": None, "finished_at": None, "outcome_pending": False}
        reopened = move_update(INITIATED, {**fields, **ended})
        return (await self.jobs.update_one(when, reopened)).modified_count == 1

    async def orphaned_attempts(self, now: datetime) -> list[Job]:
        """Jobs whose content/init may have been sent by a worker whose lease ran out (it
        crashed): nobody knows whether TikTok posted."""
        query = {"status": JobStatus.INITIATING.value, "lease_until": {"$lt": now}}
        return as_jobs([d async for d in self.jobs.find(query).limit(100)])

    async def add_post_ids(self, job_id: str, post_ids: list[str]) -> None:
        """TikTok's public ids of the post: it is public, so a flag that it may have been kept
        private (raised while moderation was slow) is moot and cleared in the same update."""
        await self.jobs.update_one(
            {"_id": job_id},
            {
                "$addToSet": {"post_ids": {"$each": post_ids}},
                "$set": {"flag": None, "visibility_due": None},
            },
        )

    async def watch_visibility(self, job_id: str, due: datetime | None) -> None:
        await self.jobs.update_one({"_id": job_id}, {"$set": {"visibility_due": due}})

    async def visibility_due(self, now: datetime) -> list[Job]:
        query = {"visibility_due": {"$lte": now}}
        return as_jobs([j async for j in self.jobs.find(query).limit(100)])

    async def flag(self, job_id: str, flag: str) -> bool:
        """Flag a post still without a public id (False: the id came first)."""
        flagged = await self.jobs.update_one(
            {"_id": job_id, "post_ids": {"$size": 0}},
            {"$set": {"flag": flag, "visibility_due": None}},
        )
        return flagged.modified_count == 1

    async def pending_outcomes(self, finished_before: datetime) -> list[Job]:
        query = {"outcome_pending": True, "finished_at": {"$lte": finished_before}}
        return as_jobs([j async for j in self.jobs.find(query).limit(100)])

    async def outcomes_sent(self, job_ids: list[str]) -> None:
        """These jobs' outcomes are in Kafka (one update for all: marked between jobs)."""
        await self.jobs.update_many({"_id": {"$in": job_ids}}, {"$set": {"outcome_pending": False}})

    async def by_publish_id(self, publish_id: str) -> Job | None:
        return as_job(await self.jobs.find_one({"publish_id": publish_id}))

    async def latest_attempt(self, post_id: str, user_id: str) -> Job | None:
        """The job of the post's latest approval, if the post is `user_id`'s."""
        found = self.jobs.find({"post_id": post_id, "approved.user_id": user_id})
        return as_job(await anext(aiter(found.sort("attempt", -1).limit(1)), None))

    async def for_user(self, user_id: str, limit: int = 100) -> list[Job]:
        cursor = self.jobs.find({"approved.user_id": user_id}).sort("created_at", -1).limit(limit)
        return as_jobs([job async for job in cursor])

    async def owns_account(self, user_id: str, account_id: str) -> bool:
        found = await self.jobs.find_one({"account_id": account_id, "approved.user_id": user_id})
        return found is not None
