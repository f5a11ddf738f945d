"""A person's webhook endpoints: a URL (vetted: a public address, https) and the events it
wants, with the secret its deliveries are signed with (shown once, when it is registered)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field
from pymongo.asynchronous.database import AsyncDatabase

from gatepost_approval.webhook_rules import WebhookEvent
from gatepost_common.clock import Clock
from gatepost_common.errors import ConflictError, NotFoundError
from gatepost_common.mongo import Document
from gatepost_common.outbound import FetchPolicy, vetted_address

MAX_ENDPOINTS = 10


class EndpointRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: Annotated[AnyHttpUrl, Field(max_length=2000)]
    events: Annotated[list[WebhookEvent], Field(min_length=1, max_length=len(WebhookEvent))]
    description: Annotated[str, Field(max_length=200)] = ""


class NoSuchEndpoint(NotFoundError):
    detail = "no such webhook endpoint"


class TooManyEndpoints(ConflictError):
    detail = f"at most {MAX_ENDPOINTS} webhook endpoints per person"


@dataclass
class Endpoints:
    db: AsyncDatabase[Document]
    policy: FetchPolicy
    clock: Clock

    @property
    def endpoints(self) -> Any:
        return self.db["webhook_endpoints"]

    async def register(self, user_id: str, request: EndpointRequest) -> Document:
        """Refused (422, why) when the URL's host is not a public address reached over https."""
        await vetted_address(httpx.URL(str(request.url)), self.policy)
        endpoint = {
            "_id": str(uuid.uuid4()),
            "user_id": user_id,
            "url": str(request.url),
            "events": sorted({e.value for e in request.events}),
            "description": request.description,
            "secret": f"whsec_{secrets.token_urlsafe(32)}",
            "created_at": self.clock.now(),
        }
        # stored first, then counted with itself (a count before the insert let two requests
        # at once both take the last place on a replica set): the later of two sees both
        await self.endpoints.insert_one(endpoint)
        if await self.endpoints.count_documents({"user_id": user_id}) > MAX_ENDPOINTS:
            await self.endpoints.delete_one({"_id": endpoint["_id"]})
            raise TooManyEndpoints()
        return endpoint

    async def of_user(self, user_id: str) -> list[Document]:
        cursor = self.endpoints.find({"user_id": user_id}).sort("created_at", 1)
        return [e async for e in cursor]

    async def get(self, user_id: str, endpoint_id: str) -> Document:
        found = await self.endpoints.find_one({"_id": endpoint_id, "user_id": user_id})
        if found is None:
            raise NoSuchEndpoint(endpoint_id)
        return dict(found)

    async def remove(self, user_id: str, endpoint_id: str) -> None:
        removed = await self.endpoints.delete_one({"_id": endpoint_id, "user_id": user_id})
        if removed.deleted_count == 0:
            raise NoSuchEndpoint(endpoint_id)

    async def wanting(self, user_id: str, event: WebhookEvent) -> list[Document]:
        cursor = self.endpoints.find({"user_id": user_id, "events": event.value})
        return [e async for e in cursor]

    async def ensure_indexes(self) -> None:
        await self.endpoints.create_index([("user_id", 1), ("created_at", 1)])
