"""Files deleted when approval says no post whose media are kept names them any more (approval's
`retention.py` decides which). A content-addressed name may be stored again at any moment (the
same photo uploaded for a new post, a post on its way to the queue), so a file is deleted only by
single-document conditional updates of its record, in steps that survive a crash anywhere:

1. mark the record `deleting` (a fresh token), only if its name was not stored within `grace`
   (a post on its way to the queue may use it) and no deletion is under way;
2. move the file into `.trash/` under the token;
3. delete the record only if it still carries that token; if a store came meanwhile (it clears
   the mark before writing the file: adapters.stored_again), put the file back instead;
4. let the trashed file go.

A deletion interrupted anywhere is finished by the next request naming the file (its token is
in the record)."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from pymongo.asynchronous.collection import AsyncCollection

from gatepost_common.clock import Clock
from gatepost_common.mongo import Document
from gatepost_media.adapters import ImageStore, VideoStore, write_once

logger = logging.getLogger(__name__)
NAME = re.compile(r"^([0-9a-f]{64})\.(jpg|mp4|mov|webm)$")


@dataclass(frozen=True)
class Stored:
    """One stored file: its record and where it lies."""

    records: AsyncCollection[Document]
    key: str
    path: Path


@dataclass
class Expiry:
    images: ImageStore
    videos: VideoStore
    clock: Clock
    grace: timedelta

    def stored(self, name: str) -> Stored:
        found = NAME.match(name)
        if found is None:
            raise ValueError(f"not a stored file's name: {name}")
        sha256, extension = found.groups()
        if extension == "jpg":
            return Stored(self.images.images, sha256, self.images.path(sha256))
        return Stored(self.videos.videos, sha256, self.videos.path(sha256, extension))

    async def expire(self, names: list[str]) -> tuple[list[str], list[str]]:
        """Delete each named file unless it was stored within `grace`; (deleted, kept)."""
        deleted: list[str] = []
        kept: list[str] = []
        for name in names:
            (deleted if await self.delete(self.stored(name)) else kept).append(name)
        if deleted:
            logger.info("expired media deleted", extra={"fields": {"files": deleted}})
        return deleted, kept

    async def delete(self, file: Stored) -> bool:
        token = await self.mark(file)
        if token is None:
            return False
        trash = file.path.parent / ".trash" / f"{file.path.name}.{token}"
        trash.parent.mkdir(exist_ok=True)
        with contextlib.suppress(FileNotFoundError):  # gone already: a step 2 done before
            os.rename(file.path, trash)
        done = await file.records.delete_one({"_id": file.key, "deleting": token})
        again = done.deleted_count == 0 and await file.records.find_one({"_id": file.key})
        if again:  # stored again meanwhile (not finished by a twin request): put the file back
            if trash.exists():
                write_once(trash, file.path)
            return False
        with contextlib.suppress(FileNotFoundError):
            os.unlink(trash)
        return True

    async def mark(self, file: Stored) -> str | None:
        """The token of this file's deletion (one under way is taken up again), or None when
        the file is kept: stored within `grace`."""
        record = await file.records.find_one({"_id": file.key})
        if record is None:  # deleted (a crash may have left its trash), or never recorded
            for left in file.path.parent.glob(f".trash/{file.path.name}.*"):
                left.unlink(missing_ok=True)
            return await self.adopt(file) if file.path.exists() else None
        if record.get("deleting"):
            return str(record["deleting"])
        cutoff = self.clock.now() - self.grace
        token = uuid.uuid4().hex
        marked = await file.records.update_one(
            {
                "_id": file.key,
                "deleting": None,
                "$and": [
                    {"$or": [{"stored_at": None}, {"stored_at": {"$lte": cutoff}}]},
                    {"$or": [{"created_at": None}, {"created_at": {"$lte": cutoff}}]},
                ],
            },
            {"$set": {"deleting": token}},
        )
        return token if marked.modified_count == 1 else None

    async def adopt(self, file: Stored) -> str | None:
        """A file without a record (kept before records were written first): record it as
        being deleted; a store racing this one wins (its upsert finds the record first)."""
        token = uuid.uuid4().hex
        created = self.clock.now() - self.grace - timedelta(seconds=1)
        done = await file.records.update_one(
            {"_id": file.key},
            {"$setOnInsert": {"deleting": token, "created_at": created}},
            upsert=True,
        )
        return token if done.upserted_id is not None else None
