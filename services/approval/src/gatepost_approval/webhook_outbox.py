"""Outgoing webhooks through an outbox: an event is stored as one delivery per endpoint that
wants it (keyed by endpoint and event id, so announcing it again adds nothing) before the Kafka
message that caused it is acknowledged; a worker then sends each, signed, and tries again with
doubling pauses for a day. A delivery is claimed by one conditional update (one replica sends
it), so nothing is lost on a crash and nothing is sent twice at once."""

from __future__ import annotations

import logging
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gatepost_approval.webhook_endpoints import Endpoints
from gatepost_approval.webhook_rules import (
    DeliveryState,
    WebhookEvent,
    body_of,
    event_id,
    next_attempt,
)
from gatepost_common.clock import Clock
from gatepost_common.hmac_signature import signature_header
from gatepost_common.mongo import Document
from gatepost_common.outbound import (
    FetchFailed,
    FetchPolicy,
    outbound_client,
    pinned,
    vetted_address,
)
from gatepost_common.passes import every

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "Gatepost-Signature"
LAST_ATTEMPTS = 5  # kept per delivery, for the person's page


@dataclass(frozen=True)
class Retries:
    base_s: float = 30.0
    max_s: float = 3600.0
    window_s: float = 86400.0  # a day
    timeout_s: float = 10.0
    claim_s: float = 60.0  # a claimed delivery whose sender died is due again after this


@dataclass
class WebhookOutbox:
    db: AsyncDatabase[Document]
    endpoints: Endpoints
    policy: FetchPolicy
    clock: Clock
    retries: Retries
    interval_s: float = 1.0

    @property
    def deliveries(self) -> Any:
        return self.db["webhook_deliveries"]

    async def announce(
        self,
        event: WebhookEvent,
        user_id: str,
        post_id: str,
        attempt: int,
        data: Document,
        part: str = "",
    ) -> str:
        """Store the event's delivery to each endpoint of `user_id` that wants it; its id."""
        identifier = event_id(event, post_id, attempt, part)
        now = self.clock.now()
        body = body_of(event, identifier, now, {"post_id": post_id, "attempt": attempt, **data})
        for endpoint in await self.endpoints.wanting(user_id, event):
            # announced before (a redelivered message): the stored one stays, body and all
            with suppress(DuplicateKeyError):
                await self.deliveries.insert_one(
                    {
                        "_id": f"{endpoint['_id']}:{identifier}",
                        "endpoint_id": endpoint["_id"],
                        "user_id": user_id,
                        "event_id": identifier,
                        "event": event.value,
                        "body": body,
                        "state": DeliveryState.PENDING.value,
                        "created_at": now,
                        "next_attempt_at": now,
                        "attempts": 0,
                        "last_attempts": [],
                    }
                )
        return identifier

    async def claim(self) -> Document | None:
        now = self.clock.now()
        claimed: Document | None = await self.deliveries.find_one_and_update(
            {"state": DeliveryState.PENDING.value, "next_attempt_at": {"$lte": now}},
            {"$set": {"next_attempt_at": now + timedelta(seconds=self.retries.claim_s)}},
            sort=[("next_attempt_at", 1)],
            return_document=ReturnDocument.AFTER,
        )
        return claimed

    async def send_due(self) -> int:
        """Send every delivery due now; returns how many were attempted."""
        sent = 0
        while (delivery := await self.claim()) is not None:
            await self.attempt(delivery)
            sent += 1
        return sent

    async def attempt(self, delivery: Document) -> None:
        endpoint = await self.endpoints.endpoints.find_one({"_id": delivery["endpoint_id"]})
        if endpoint is None:  # removed meanwhile: nothing to send it to
            await self.deliveries.delete_one({"_id": delivery["_id"]})
            return
        status, result = await self.post(endpoint, delivery)
        await self.record(delivery, status, result)

    async def post(self, endpoint: Document, delivery: Document) -> tuple[int | None, str]:
        """One signed POST to the vetted address: (HTTP status or None, what happened)."""
        target = httpx.URL(endpoint["url"])
        body = delivery["body"].encode()
        try:
            address = await vetted_address(target, self.policy)
        except FetchFailed as refused:
            return None, f"refused: {refused}"
        request = pinned(target, address)
        headers = {
            **request.headers,
            "Content-Type": "application/json",
            "User-Agent": "Gatepost-Webhooks/1",
            "Gatepost-Event": delivery["event"],
            "Gatepost-Event-Id": delivery["event_id"],
            SIGNATURE_HEADER: signature_header(
                endpoint["secret"], int(self.clock.now().timestamp()), body
            ),
        }
        try:
            async with outbound_client(self.retries.timeout_s) as http:
                answer = await http.post(
                    request.url, content=body, headers=headers, extensions=request.extensions
                )
        except httpx.TimeoutException:
            return None, "no answer in time"
        except httpx.HTTPError as error:
            logger.info("webhook to %s failed: %r", target.host, error)
            return None, "could not connect"
        return answer.status_code, f"answered {answer.status_code}"

    async def record(self, delivery: Document, status: int | None, result: str) -> None:
        now = self.clock.now()
        attempts = delivery["attempts"] + 1
        done = status is not None and 200 <= status < 300
        due = (
            None
            if done
            else next_attempt(
                delivery["created_at"],
                now,
                attempts,
                self.retries.base_s,
                self.retries.max_s,
                self.retries.window_s,
            )
        )
        state = (
            DeliveryState.DELIVERED
            if done
            else (DeliveryState.PENDING if due else DeliveryState.GAVE_UP)
        )
        last = [*delivery["last_attempts"], {"at": now, "status": status, "result": result}]
        await self.deliveries.update_one(
            {"_id": delivery["_id"], "attempts": delivery["attempts"]},
            {
                "$set": {
                    "state": state.value,
                    "attempts": attempts,
                    "next_attempt_at": due or now,
                    "last_attempt_at": now,
                    "last_attempts": last[-LAST_ATTEMPTS:],
                }
            },
        )
        if not done:
            logger.info(
                "webhook not delivered yet",
                extra={"fields": {"delivery": delivery["_id"], "result": result}},
            )

    async def of_endpoint(self, endpoint_id: str, limit: int = 20) -> list[Document]:
        cursor = (
            self.deliveries.find({"endpoint_id": endpoint_id}).sort("created_at", -1).limit(limit)
        )
        return [d async for d in cursor]

    async def ensure_indexes(self) -> None:
        await self.deliveries.create_index([("state", 1), ("next_attempt_at", 1)])
        await self.deliveries.create_index([("endpoint_id", 1), ("created_at", -1)])

    async def run(self) -> None:
        await every(self.interval_s, self.send_due, logger, "webhook pass failed; trying again")
