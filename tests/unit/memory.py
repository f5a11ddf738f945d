"""An in-memory MongoDB for unit tests: mongomock's collections behind the async API the services'
repositories use (PyMongo's AsyncMongoClient), so a use case runs over its real repository with
no server. The operators Gatepost's conditional updates use ($in with None for a missing field,
$or, $lt, $inc, $push, $addToSet, upserts, find_one_and_update) behave as MongoDB's; the
integration tests run the same repositories against the real MongoDB-wire server.

Known gap: mongomock does not match `{"a.b": None}` against a document whose `a` is null (MongoDB
does); Gatepost's conditions name that case explicitly (`{"a": None}`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import mongomock


class MemoryCursor:
    def __init__(self, found: Any) -> None:
        self.found = found

    def sort(self, *args: Any, **kwargs: Any) -> MemoryCursor:
        return MemoryCursor(self.found.sort(*args, **kwargs))

    def skip(self, count: int) -> MemoryCursor:
        return MemoryCursor(self.found.skip(count))

    def limit(self, count: int) -> MemoryCursor:
        return MemoryCursor(self.found.limit(count))

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        return self._each()

    async def _each(self) -> AsyncIterator[dict[str, Any]]:
        for document in self.found:
            yield document

    async def to_list(self, length: int | None = None) -> list[dict[str, Any]]:
        every = list(self.found)
        return every if length is None else every[:length]


class MemoryCollection:
    def __init__(self, collection: Any) -> None:
        self.collection = collection

    def find(self, *args: Any, **kwargs: Any) -> MemoryCursor:
        return MemoryCursor(self.collection.find(*args, **kwargs))

    async def aggregate(self, pipeline: list[dict[str, Any]], **_: Any) -> MemoryCursor:
        return MemoryCursor(iter(self.collection.aggregate(pipeline)))

    async def create_index(self, keys: Any, **options: Any) -> str:
        known = {k: v for k, v in options.items() if k in {"unique", "name", "sparse"}}
        return str(self.collection.create_index(keys, **known))

    def __getattr__(self, name: str) -> Any:
        """find_one, insert_one, update_one, find_one_and_update, delete_one, count_documents…:
        the synchronous call, awaited."""
        call = getattr(self.collection, name)

        async def awaited(*args: Any, **kwargs: Any) -> Any:
            kwargs.pop("session", None)
            return call(*args, **kwargs)

        return awaited


class MemoryDatabase:
    def __init__(self) -> None:
        self.database = mongomock.MongoClient(tz_aware=True)["memory"]
        self.collections: dict[str, MemoryCollection] = {}

    def __getitem__(self, name: str) -> MemoryCollection:
        if name not in self.collections:
            self.collections[name] = MemoryCollection(self.database[name])
        return self.collections[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.collections)
