"""Taking in a signed approval: verified, stored once as a job, audited; anything else goes to
the dead-letter topic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gatepost_common import signing
from gatepost_common.clock import Clock
from gatepost_common.cloud_event import CloudEvent
from gatepost_common.consuming import PoisonMessage
from gatepost_common.events import PostApproved
from gatepost_common.telemetry import current_trace
from gatepost_publisher.lifecycle import job_id
from gatepost_publisher.ports import Audit, JobStore
from gatepost_publisher.settings import Settings


@dataclass
class Intake:
    settings: Settings
    jobs: JobStore
    audit: Audit
    clock: Clock

    async def on_post_approved(self, event: CloudEvent[PostApproved]) -> None:
        approved = event.data
        if not signing.verify(self.settings.approval_public_key, approved.signed_data()):
            await self.audit.append(
                approved.account_id,
                "intake_refused",
                post_id=approved.post_id,
                reason="bad signature",
                event_id=event.id,
            )
            raise PoisonMessage("post.approved signature does not verify with the approval key")
        stored = await self.jobs.add(
            {
                "_id": job_id(approved.post_id, approved.attempt),
                "post_id": approved.post_id,
                "attempt": approved.attempt,
                "account_id": approved.account_id,
                "due_at": approved.publish_after or self.due_since(approved),
                "approved": approved.signed_data(),
                "trace": current_trace(),  # publishing continues this trace, later
                "event_id": event.id,
            }
        )
        if stored:
            await self.audit.append(
                approved.account_id,
                "intake",
                post_id=approved.post_id,
                attempt=approved.attempt,
                event_id=event.id,
            )

    def due_since(self, approved: PostApproved) -> datetime:
        """A post is due from when it was approved: due jobs are taken oldest first, so posts go
        out in the order people approved them, however unevenly Kafka's partitions arrive (one
        account's burst does not overtake another account's earlier approval). Never later than
        now: the approving service's clock may run ahead."""
        return min(approved.approved_at, self.clock.now())
