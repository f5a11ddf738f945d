"""Content-addressed storage: the JPEG on disk under its sha256, its record in MongoDB."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from gatepost_common.clock import Clock
from gatepost_common.mongo import Document

REAL_TIME = Clock()


def write_once(source: Path | str, target: Path) -> None:
    """Give `source`'s file the name `target` unless that name exists, and let `source` go: a
    hard link fails on an existing name (atomically, unlike a check then a rename), so what
    TikTok was approved to fetch under a name stays what it fetches. An existing name holds the
    same bytes: names are the bytes' SHA-256."""
    try:
        with contextlib.suppress(FileExistsError):
            os.link(source, target)
    finally:
        os.unlink(source)


async def stored_again(
    records: AsyncCollection[Document], name: str, now: Any, facts: Document
) -> None:
    """Record that `name` is stored now, before its file is written: a deletion under way
    (expiry.py) sees the new `stored_at` or its cleared mark and keeps the file (or puts it
    back), so a name stored again is never left without its file."""
    await records.update_one(
        {"_id": name},
        {
            "$max": {"stored_at": now},
            "$unset": {"deleting": ""},
            "$setOnInsert": {**facts, "created_at": now},
        },
        upsert=True,
    )


class ImageStore:
    def __init__(self, folder: Path, db: AsyncDatabase[Document], clock: Clock = REAL_TIME) -> None:
        self.folder = folder
        self.images = db["images"]
        self.clock = clock
        folder.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        return self.folder / f"{sha256}.jpg"

    async def keep(self, jpeg: bytes) -> str:
        """Store a picture under its own SHA-256, which is returned."""
        sha256 = hashlib.sha256(jpeg).hexdigest()
        await self.put(sha256, jpeg)
        return sha256

    async def put(self, sha256: str, jpeg: bytes) -> None:
        """Keep `jpeg` as `<sha256>.jpg`, written once: a stored name is never replaced."""
        if hashlib.sha256(jpeg).hexdigest() != sha256:
            raise ValueError("a picture is stored only under its own SHA-256")
        await stored_again(self.images, sha256, self.clock.now(), {"bytes": len(jpeg)})
        # write then link into place, so a reader never sees half a file; public: the gateway's
        # nginx (another user) serves the file itself
        fd, temporary = tempfile.mkstemp(dir=self.folder, suffix=".part")
        with os.fdopen(fd, "wb") as out:
            out.write(jpeg)
        os.chmod(temporary, 0o644)
        write_once(temporary, self.path(sha256))


class VideoStore:
    """Videos on disk as `<sha256>.<mp4|mov|webm>`, their facts in MongoDB."""

    def __init__(self, folder: Path, db: AsyncDatabase[Document], clock: Clock = REAL_TIME) -> None:
        self.folder = folder
        self.videos = db["videos"]
        self.clock = clock
        folder.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str, extension: str) -> Path:
        return self.folder / f"{sha256}.{extension}"

    def receiving(self) -> Path:
        """A new temporary file in the store's folder (renamed into place when kept)."""
        fd, name = tempfile.mkstemp(dir=self.folder, suffix=".part")
        os.close(fd)
        return Path(name)

    async def keep(self, received: Path, sha256: str, facts: Document) -> Path:
        """Keep the received file as `<sha256>.<extension>`, once: a stored name is never
        replaced (the received file is let go either way)."""
        target = self.path(sha256, facts["extension"])
        await stored_again(self.videos, sha256, self.clock.now(), facts)
        write_once(received, target)
        return target
