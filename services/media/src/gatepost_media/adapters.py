"""Content-addressed storage: the JPEG on disk under its sha256, its record in MongoDB."""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from pymongo.asynchronous.database import AsyncDatabase

from gatepost_common.mongo import Document


class ImageStore:
    def __init__(self, folder: Path, db: AsyncDatabase[Document]) -> None:
        self.folder = folder
        self.images = db["images"]
        folder.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        return self.folder / f"{sha256}.jpg"

    async def keep(self, jpeg: bytes) -> str:
        """Store a picture under its own SHA-256, which is returned."""
        sha256 = hashlib.sha256(jpeg).hexdigest()
        await self.put(sha256, jpeg)
        return sha256

    async def put(self, sha256: str, jpeg: bytes) -> None:
        target = self.path(sha256)
        if not target.exists():
            # write then rename, so a reader never sees half a file
            fd, temporary = tempfile.mkstemp(dir=self.folder, suffix=".part")
            with os.fdopen(fd, "wb") as out:
                out.write(jpeg)
            # public: the gateway's nginx (another user) serves the file itself
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        await self.images.update_one(
            {"_id": sha256},
            {"$setOnInsert": {"bytes": len(jpeg), "created_at": datetime.now(UTC)}},
            upsert=True,
        )


class VideoStore:
    """Videos on disk as `<sha256>.<mp4|mov|webm>`, their facts in MongoDB."""

    def __init__(self, folder: Path, db: AsyncDatabase[Document]) -> None:
        self.folder = folder
        self.videos = db["videos"]
        folder.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str, extension: str) -> Path:
        return self.folder / f"{sha256}.{extension}"

    def receiving(self) -> Path:
        """A new temporary file in the store's folder (renamed into place when kept)."""
        fd, name = tempfile.mkstemp(dir=self.folder, suffix=".part")
        os.close(fd)
        return Path(name)

    async def keep(self, received: Path, sha256: str, facts: Document) -> Path:
        target = self.path(sha256, facts["extension"])
        os.replace(received, target)
        await self.videos.update_one(
            {"_id": sha256},
            {"$setOnInsert": {**facts, "created_at": datetime.now(UTC)}},
            upsert=True,
        )
        return target
