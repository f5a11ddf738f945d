"""media deletes an expired file only by conditional updates of its record: not a file stored
(again) within the grace, never one stored again while it was being deleted, and a deletion cut
short by a crash is finished by the next request."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest

from gatepost_common.access import SERVICE_TOKEN_HEADER, CallerKeys, service_token
from gatepost_common.clock import Clock
from gatepost_common.signing import generate_keypair
from gatepost_media.adapters import ImageStore, VideoStore
from gatepost_media.expiry import Expiry
from gatepost_media.expiry_routes import router
from tests.unit.asgi import served
from tests.unit.memory import MemoryDatabase

GRACE = timedelta(days=1)


class Movable(Clock):
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 7, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


def world(tmp_path: Path) -> tuple[Expiry, ImageStore, Movable]:
    db, clock = cast(Any, MemoryDatabase()), Movable()
    images = ImageStore(tmp_path, db, clock)
    videos = VideoStore(tmp_path / "videos", db, clock)
    return Expiry(images, videos, clock, GRACE), images, clock


async def stored(images: ImageStore, jpeg: bytes) -> str:
    return await images.keep(jpeg)


async def test_an_old_file_is_deleted_and_one_stored_again_lately_is_kept(tmp_path: Path) -> None:
    expiry, images, clock = world(tmp_path)
    old, again = await stored(images, b"old picture"), await stored(images, b"shared picture")
    clock.at += timedelta(days=31)
    await stored(images, b"shared picture")  # the same photo, uploaded for a new post
    deleted, kept = await expiry.expire([f"{old}.jpg", f"{again}.jpg"])
    assert (deleted, kept) == ([f"{old}.jpg"], [f"{again}.jpg"])
    assert not images.path(old).exists() and images.path(again).exists()
    assert await images.images.find_one({"_id": old}) is None
    assert list((tmp_path / ".trash").iterdir()) == []
    assert await expiry.expire([f"{old}.jpg"]) == ([], [f"{old}.jpg"])  # gone: asked again


async def test_a_file_stored_again_while_it_is_deleted_stays(tmp_path: Path) -> None:
    """The store clears the deletion's mark before it writes, so the deletion puts the file
    back rather than lose it."""
    expiry, images, clock = world(tmp_path)
    name = await stored(images, b"a photo")
    clock.at += timedelta(days=31)
    real_delete_one = images.images.delete_one

    async def stored_meanwhile(*args: Any, **kwargs: Any) -> Any:
        await images.put(name, b"a photo")  # after the file was moved to the trash
        return await real_delete_one(*args, **kwargs)

    images.images.delete_one = stored_meanwhile  # type: ignore[method-assign]
    assert await expiry.expire([f"{name}.jpg"]) == ([], [f"{name}.jpg"])
    assert images.path(name).read_bytes() == b"a photo"
    assert list((tmp_path / ".trash").iterdir()) == []


async def test_a_deletion_cut_short_is_finished_by_the_next_request(tmp_path: Path) -> None:
    expiry, images, clock = world(tmp_path)
    name = await stored(images, b"a photo")
    clock.at += timedelta(days=31)

    async def crash(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("MongoDB away")

    real_delete_one = images.images.delete_one
    images.images.delete_one = crash  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        await expiry.expire([f"{name}.jpg"])
    assert not images.path(name).exists()  # in the trash, the record still marked
    images.images.delete_one = real_delete_one  # type: ignore[method-assign]
    assert await expiry.expire([f"{name}.jpg"]) == ([f"{name}.jpg"], [])
    assert list((tmp_path / ".trash").iterdir()) == []
    assert await images.images.find_one({"_id": name}) is None


async def test_a_video_is_deleted_by_its_name(tmp_path: Path) -> None:
    expiry, _, clock = world(tmp_path)
    videos = expiry.videos
    received = videos.receiving()
    received.write_bytes(b"a video")
    sha256 = hashlib.sha256(b"a video").hexdigest()
    await videos.keep(received, sha256, {"extension": "mp4"})
    clock.at += timedelta(days=91)
    assert await expiry.expire([f"{sha256}.mp4"]) == ([f"{sha256}.mp4"], [])
    assert not videos.path(sha256, "mp4").exists()


KEYS = {name: generate_keypair() for name in ("approval", "generator")}


def signed_as(service: str) -> dict[str, str]:
    token = service_token(
        KEYS[service][0],
        service,
        "media",
        time.time(),
        method="POST",
        path="/internal/media/expire",
    )
    return {SERVICE_TOKEN_HEADER: token}


async def test_only_approval_names_files_to_delete_and_only_stored_files_names(
    tmp_path: Path,
) -> None:
    expiry, images, clock = world(tmp_path)
    name = await stored(images, b"a photo")
    clock.at += timedelta(days=31)
    callers = CallerKeys("media", {name: pair[1] for name, pair in KEYS.items()})
    async with served([router], {Expiry: expiry, CallerKeys: callers}) as media:
        ask = {"names": [f"{name}.jpg"]}
        refused = await media.post(
            "/internal/media/expire", json=ask, headers=signed_as("generator")
        )
        assert refused.status_code == 403 and images.path(name).exists()
        for wrong in (["../secrets.json"], [f"{name}.png"], [], [f"{name}.jpg"] * 101):
            answer = await media.post(
                "/internal/media/expire", json={"names": wrong}, headers=signed_as("approval")
            )
            assert answer.status_code == 422, wrong
        answer = await media.post("/internal/media/expire", json=ask, headers=signed_as("approval"))
    assert answer.status_code == 200
    assert answer.json() == {"deleted": [f"{name}.jpg"], "kept": []}
    assert not images.path(name).exists()
