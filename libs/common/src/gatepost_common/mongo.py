"""The MongoDB client factory: PyMongo's native async API."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from gatepost_common.settings import ServiceSettings

Document = dict[str, Any]


def create_mongo_client(settings: ServiceSettings) -> AsyncMongoClient[Document]:
    """A client that opens lazily; call `await client.aconnect()` in the app's lifespan."""
    return AsyncMongoClient(
        settings.mongodb_url,
        appname=f"gatepost-{settings.service_name}",
        serverSelectionTimeoutMS=5000,
        tz_aware=True,
    )


async def mongo_ready(client: AsyncMongoClient[Document]) -> bool:
    try:
        await client.admin.command("ping")
        return True
    except Exception:
        return False


async def newest_of_user(
    collection: AsyncCollection[Document],
    user_id: str,
    status: str | None,
    limit: int,
    skip: int,
    *,
    statuses: list[str] | None = None,
    where: dict[str, Any] | None = None,
) -> list[Document]:
    """One page of a user's documents, newest first, of one status or else of `statuses`, and
    matching `where` too."""
    query: dict[str, Any] = {"user_id": user_id, **(where or {})}
    if status:
        query["status"] = status
    elif statuses is not None:
        query["status"] = {"$in": statuses}
    cursor = collection.find(query).sort("created_at", -1).skip(skip).limit(limit)
    return [doc async for doc in cursor]
