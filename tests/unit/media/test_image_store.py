"""The picture store: what the gateway's nginx serves straight from disk."""

from __future__ import annotations

import asyncio
import hashlib
import stat
from pathlib import Path
from typing import Any, cast

import pytest

from gatepost_media.adapters import ImageStore, VideoStore
from tests.unit.memory import MemoryDatabase


def test_a_stored_picture_is_readable_by_the_gateway_and_never_half_written(
    tmp_path: Path,
) -> None:
    store = ImageStore(tmp_path, cast(Any, MemoryDatabase()))
    jpeg = b"\xff\xd8\xff\xe0 not really a picture \xff\xd9"
    sha256 = hashlib.sha256(jpeg).hexdigest()
    asyncio.run(store.put(sha256, jpeg))
    asyncio.run(store.put(sha256, jpeg))  # the same picture again: stored once
    assert store.path(sha256).read_bytes() == jpeg
    mode = stat.S_IMODE(store.path(sha256).stat().st_mode)
    assert mode & stat.S_IROTH, f"nginx runs as another user and reads it: mode {mode:o}"
    assert not mode & (stat.S_IWGRP | stat.S_IWOTH)
    assert [p.name for p in tmp_path.iterdir()] == [f"{sha256}.jpg"], "no temporary file left"


def test_a_stored_name_is_never_replaced(tmp_path: Path) -> None:
    """Write-once: what a URL served when it was approved is what it serves when TikTok
    fetches it. A picture is kept only under its own SHA-256; a video kept again under a stored
    name leaves the stored file as it was."""
    db = cast(Any, MemoryDatabase())
    images = ImageStore(tmp_path / "images", db)
    jpeg = b"\xff\xd8 the approved picture \xff\xd9"
    sha256 = hashlib.sha256(jpeg).hexdigest()
    asyncio.run(images.put(sha256, jpeg))
    with pytest.raises(ValueError, match="its own SHA-256"):
        asyncio.run(images.put(sha256, b"\xff\xd8 another picture \xff\xd9"))
    assert images.path(sha256).read_bytes() == jpeg

    videos = VideoStore(tmp_path / "videos", db)
    first, second = videos.receiving(), videos.receiving()
    first.write_bytes(b"the approved video")
    second.write_bytes(b"other bytes under the same name")
    name = "a" * 64
    asyncio.run(videos.keep(first, name, {"extension": "mp4"}))
    asyncio.run(videos.keep(second, name, {"extension": "mp4"}))
    assert videos.path(name, "mp4").read_bytes() == b"the approved video"
    assert [p.name for p in (tmp_path / "videos").iterdir()] == [f"{name}.mp4"]
