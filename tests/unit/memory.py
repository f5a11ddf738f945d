"""An in-memory MongoDB for unit tests: mongomock's collections behind the async API the services'
repositories use (PyMongo's AsyncMongoClient), so a use case runs over its real repository with
no server. The operators Gatepost's conditional updates use ($in with None for a missing field,
$or, $lt, $inc, $push, $addToSet, upserts, find_one_and_update) behave as MongoDB's; the
integration tests run the same repositories against the real MongoDB-wire server.

Filled gap: mongomock cannot apply the positional `$` after a filter on an array of scalars
(`{"used": {"$lte": t}}`, the rate limiter's claim) or on its elements' fields
(`{"creators.id": c}`, the app's creators); `update_one` names the matched element by
its index first, as MongoDB would.

Filled gap: mongomock scans every document for every query, even one by `_id`; a query naming
its `_id`s (one, or `$in` a list of strings or numbers) looks those documents up, as MongoDB's
`_id` index does, and then applies the whole filter to them. Without this, a collection of
thousands of documents updated by `_id` made the insights benchmark quadratic.

Known gap: mongomock does not match `{"a.b": None}` against a document whose `a` is null (MongoDB
does); Gatepost's conditions name that case explicitly (`{"a": None}`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import mongomock
from mongomock.filtering import filter_applies


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


def plain(key: Any) -> bool:
    return isinstance(key, str | int) and not isinstance(key, bool)


def by_id(collection: Any) -> Any:
    """mongomock's `_iter_documents`, answering a query on one `_id`, or on `_id` `$in` a list,
    from its store's keys."""
    scan = collection._iter_documents

    def documents(query: Any) -> Any:
        key = query.get("_id") if isinstance(query, dict) else None
        if isinstance(key, dict) and list(key) == ["$in"] and isinstance(key["$in"], list):
            keys = key["$in"]
        else:
            keys = [key]
        if not keys or not all(plain(k) for k in keys):
            return scan(query)
        store = collection._store
        found = [store[k] for k in dict.fromkeys(keys) if k in store]
        return (d for d in found if filter_applies(query, d))  # type: ignore[no-untyped-call]

    return documents


class MemoryCollection:
    def __init__(self, collection: Any) -> None:
        self.collection = collection
        collection._iter_documents = by_id(collection)

    def find(self, *args: Any, **kwargs: Any) -> MemoryCursor:
        return MemoryCursor(self.collection.find(*args, **kwargs))

    async def aggregate(self, pipeline: list[dict[str, Any]], **_: Any) -> MemoryCursor:
        return MemoryCursor(iter(self.collection.aggregate(pipeline)))

    async def create_index(self, keys: Any, **options: Any) -> str:
        known = {k: v for k, v in options.items() if k in {"unique", "name", "sparse"}}
        return str(self.collection.create_index(keys, **known))

    async def update_one(self, query: dict[str, Any], update: dict[str, Any], **kw: Any) -> Any:
        kw.pop("session", None)
        positional = [f for f in update.get("$set", {}) if f.endswith(".$")]
        if not positional:
            return self.collection.update_one(query, update, **kw)
        found = self.collection.find_one(query)
        if found is None:
            return self.collection.update_one({"_id": {"$in": []}}, {"$set": {"x": 1}})
        changes = dict(update["$set"])
        for field in positional:
            array = field.removesuffix(".$")
            # the query's condition on the array (`{"used": …}`) or its elements' fields
            condition = {k: v for k, v in query.items() if k.split(".")[0] == array}
            index = next(
                i
                for i, element in enumerate(found[array])
                if filter_applies(condition, {array: element})  # type: ignore[no-untyped-call]
            )
            changes[f"{array}.{index}"] = changes.pop(field)
        return self.collection.update_one(
            {**query, "_id": found["_id"]}, {**update, "$set": changes}, **kw
        )

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


class InterleavedCollection(MemoryCollection):
    """Each call waits a turn of the event loop before it runs: calls of requests in flight
    together interleave as on a replica set, where nothing between two commands is serialised."""

    def __getattr__(self, name: str) -> Any:
        call = super().__getattr__(name)

        async def interleaved(*args: Any, **kwargs: Any) -> Any:
            await asyncio.sleep(0)
            return await call(*args, **kwargs)

        return interleaved


class InterleavedDatabase(MemoryDatabase):
    def __getitem__(self, name: str) -> MemoryCollection:
        if name not in self.collections:
            self.collections[name] = InterleavedCollection(self.database[name])
        return self.collections[name]
