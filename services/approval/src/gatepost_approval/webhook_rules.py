"""The rules of outgoing webhooks, without I/O: the events a person may subscribe to, a
delivery's states, its stable event id, the body every attempt sends, and when the next attempt
is due (doubling pauses, until a day has passed)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class WebhookEvent(StrEnum):
    AWAITING_APPROVAL = "post.awaiting_approval"
    APPROVED = "post.approved"
    PUBLISHED = "post.published"  # with its link (null until TikTok gave the public id)
    FAILED = "post.failed"  # with its reason
    MEASURED = "post.measured"  # a live post's numbers, read again


class DeliveryState(StrEnum):
    PENDING = "pending"  # not answered 2xx yet: due again at next_attempt_at
    DELIVERED = "delivered"
    GAVE_UP = "gave_up"  # no 2xx within the retry window


# the same event of the same post's attempt has the same id, whichever replica or redelivery
# announces it: receivers dedupe by it
EVENT_IDS = uuid.UUID("6b0f4a52-31c5-4c55-9a0e-0f6a6d1f1c9e")


def event_id(event: WebhookEvent, post_id: str, attempt: int, part: str = "") -> str:
    """`part` tells apart two events of one kind for one attempt (the link that came later)."""
    return str(uuid.uuid5(EVENT_IDS, f"{event.value}:{post_id}:{attempt}:{part}"))


def body_of(event: WebhookEvent, identifier: str, at: datetime, data: dict[str, Any]) -> str:
    """The JSON every attempt of this event sends, byte for byte (it is what is signed)."""
    return json.dumps(
        {"id": identifier, "type": event.value, "created_at": at.isoformat(), "data": data},
        separators=(",", ":"),
        sort_keys=True,
    )


def next_attempt(
    created_at: datetime, now: datetime, attempts: int, base_s: float, max_s: float, window_s: float
) -> datetime | None:
    """When to try again after `attempts` failed ones; None once the window has passed."""
    pause = timedelta(seconds=min(base_s * 2 ** max(attempts - 1, 0), max_s))
    due = now + pause
    return None if due - created_at > timedelta(seconds=window_s) else due
