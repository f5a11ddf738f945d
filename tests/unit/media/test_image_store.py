"""The picture store: what the gateway's nginx serves straight from disk."""

from __future__ import annotations

import asyncio
import hashlib
import stat
from pathlib import Path
from typing import Any, cast

from gatepost_media.adapters import ImageStore
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
