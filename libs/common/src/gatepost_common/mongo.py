"""The MongoDB client factory: PyMongo's native async API."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

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
