"""Reviewers are told: when posts await a person's approval (`post.generated`), auth mails them
a link to the queue, at most one mail every `REVIEW_MAIL_EVERY_S` (an hour) per person, however
many posts arrive; a person can turn it off (`review_mail` on their user). The posts waiting to be
told are kept per person in `review_mail` before the message is acknowledged; a mail is claimed
by one conditional update, so replicas never both send it, and a sender that died leaves the
claim to expire (the mail then goes once more rather than never)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from gatepost_auth.mail import Mail, Mailer
from gatepost_common.clock import Clock
from gatepost_common.cloud_event import CloudEvent
from gatepost_common.events import PostGenerated
from gatepost_common.mongo import Document
from gatepost_common.passes import every

logger = logging.getLogger(__name__)
CLAIM_S = 120.0


@dataclass
class ReviewMail:
    db: AsyncDatabase[Document]
    mailer: Mailer
    clock: Clock
    public_url: str
    every_s: float = 3600.0
    interval_s: float = 30.0

    @property
    def waiting(self) -> Any:
        return self.db["review_mail"]

    async def on_post_generated(self, event: CloudEvent[PostGenerated]) -> None:
        """Note the post for its person's next mail (again on a redelivery: a set)."""
        post = event.data
        user = await self.db["users"].find_one({"_id": post.user_id}, {"review_mail": 1})
        if user is None or user.get("review_mail") is False:
            return
        await self.waiting.update_one(
            {"_id": post.user_id},
            {"$addToSet": {"pending": post.post_id}, "$setOnInsert": {"last_sent_at": None}},
            upsert=True,
        )

    async def claim(self) -> Document | None:
        now = self.clock.now()
        found: Document | None = await self.waiting.find_one_and_update(
            {
                "pending.0": {"$exists": True},
                "$and": [
                    {"$or": [{"last_sent_at": None}, {"last_sent_at": {"$lte": self.due_since}}]},
                    {"$or": [{"claimed_until": None}, {"claimed_until": {"$lt": now}}]},
                ],
            },
            {"$set": {"claimed_until": now + timedelta(seconds=CLAIM_S)}},
            return_document=ReturnDocument.AFTER,
        )
        return found

    @property
    def due_since(self) -> Any:
        return self.clock.now() - timedelta(seconds=self.every_s)

    async def send_due(self) -> int:
        """Mail every person whose hour has passed and who has posts waiting; how many mails."""
        sent = 0
        while (claimed := await self.claim()) is not None:
            posts: list[str] = claimed["pending"]
            user = await self.db["users"].find_one({"_id": claimed["_id"]})
            if user is not None and user.get("review_mail") is not False:
                await self.mailer.send(self.mail(user["email"], len(posts)))
                sent += 1
            await self.waiting.update_one(
                {"_id": claimed["_id"]},
                {
                    "$pullAll": {"pending": posts},
                    "$set": {"last_sent_at": self.clock.now(), "claimed_until": None},
                },
            )
        return sent

    def mail(self, to: str, count: int) -> Mail:
        queue = f"{self.public_url.rstrip('/')}/#queue?status=awaiting_approval"
        what = "A post awaits" if count == 1 else f"{count} posts await"
        return Mail(
            to=to,
            subject=f"Gatepost: {what.lower()} your approval",
            text=f"{what} your approval in Gatepost:\n\n{queue}\n\n"
            "Nothing is published until you approve it. You get at most one such mail an hour; "
            "turn them off on the Webhooks page of Gatepost.",
        )

    async def ensure_indexes(self) -> None:
        await self.waiting.create_index([("last_sent_at", 1)])

    async def run(self) -> None:
        await every(self.interval_s, self.send_due, logger, "review mail pass failed; trying again")
