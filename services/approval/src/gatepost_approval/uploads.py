"""A person's own media into the queue: a video (its bytes, or a URL media fetches) or 1 to 35
photos, with a title and caption. Media checks and keeps the files; the post then waits for
approval like any generated one, marked as uploaded (and AI-generated only if the person says so).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Protocol, Required, TypedDict

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gatepost_approval.adapters import CreatorInfoClient, MongoPostRepository
from gatepost_approval.domain import ApprovalRefused, check_video_length
from gatepost_approval.lifecycle import Post, StoredSlide, UploadedVideo
from gatepost_approval.media_client import StoredImage, StoredVideo
from gatepost_common.events import Identifier, utf16_units
from gatepost_common.quotas import DailyQuotas, Quota, QuotaExceeded


class UploadDetails(BaseModel):
    """What a person says about their media."""

    model_config = ConfigDict(extra="forbid")
    account_id: Identifier
    title: Annotated[str, Field(min_length=1)]
    caption: Annotated[str, Field(max_length=2200)] = ""
    ai_generated: bool = False  # the person made it with AI: TikTok's AI-generated label

    @field_validator("title")
    @classmethod
    def _title_fits(cls, title: str) -> str:
        if utf16_units(title) > 90:
            raise ValueError("the title is longer than TikTok's 90 characters (UTF-16 units)")
        return title


class UploadedMedia(TypedDict, total=False):
    """An upload's media, as its post keeps them: a video, or photos as slides."""

    media_type: Required[str]  # VIDEO or PHOTO
    video: UploadedVideo
    slides: list[StoredSlide]


class Media(Protocol):
    """What uploads need of media (media_client.MediaClient; a fake in unit tests)."""

    async def video(self, body: AsyncIterator[bytes]) -> StoredVideo: ...

    async def video_from(self, url: str) -> StoredVideo: ...

    async def image(self, data: bytes) -> StoredImage: ...


@dataclass
class Storage:
    """A person's daily quota of stored bytes: checked before media is handed anything,
    counted as it arrives, and taken for what was kept."""

    quotas: DailyQuotas
    quota: Quota

    async def room(self, user_id: str) -> int:
        """Bytes left today; refused (413) when none is."""
        [used] = (await self.quotas.used(user_id, [self.quota])).values()
        if used >= self.quota.limit:
            raise self.quotas.refusal(self.quota, used, 1, self.quotas.clock.now())
        return self.quota.limit - used

    async def take(self, user_id: str, size: int) -> None:
        await self.quotas.take(user_id, self.quota, size)

    async def give_back(self, user_id: str, size: int) -> None:
        await self.quotas.give_back(user_id, self.quota, size)

    def within(self, user_id: str, body: AsyncIterator[bytes], room: int) -> Metered:
        return Metered(self, user_id, body, room)


@dataclass
class Metered:
    """A video's bytes on their way to media, stopped once they pass the day's room."""

    storage: Storage
    user_id: str
    body: AsyncIterator[bytes]
    room: int
    read: int = 0
    over: bool = False

    async def chunks(self) -> AsyncIterator[bytes]:
        async for chunk in self.body:
            self.read += len(chunk)
            if self.read > self.room:
                self.over = True
                raise await self.refusal()
            yield chunk

    async def refusal(self) -> QuotaExceeded:
        quotas, quota = self.storage.quotas, self.storage.quota
        return quotas.refusal(quota, quota.limit - self.room, self.read, quotas.clock.now())


@dataclass
class Uploads:
    posts: MongoPostRepository
    media: Media
    creators: CreatorInfoClient
    storage: Storage

    async def video(
        self,
        user_id: str,
        session: str,
        details: UploadDetails,
        *,
        body: AsyncIterator[bytes] | None = None,
        url: str | None = None,
    ) -> Post:
        """A video into the queue: its bytes go to TikTok by FILE_UPLOAD (media on the person's
        device), a video given by URL is pulled by TikTok from media's copy (PULL_FROM_URL)."""
        creator = await self.creators.creator_info(details.account_id, session)  # theirs?
        room = await self.storage.room(user_id)
        if body is not None:
            metered = self.storage.within(user_id, body, room)
            try:
                stored, transfer = await self.media.video(metered.chunks()), "FILE_UPLOAD"
            except Exception:
                if metered.over:  # cut off at the day's room: that is the reason
                    raise await metered.refusal() from None
                raise
        elif url:
            stored, transfer = await self.media.video_from(url), "PULL_FROM_URL"
        else:
            raise ApprovalRefused("send a video file or a URL")
        check_video_length(float(stored["duration_s"]), creator)  # told now, checked again later
        await self.storage.take(user_id, int(stored["size"]))  # refused if others took the room
        video = UploadedVideo(
            url=stored["url"],
            sha256=stored["sha256"],
            size=stored["size"],
            mime=stored["mime"],
            duration_s=stored["duration_s"],
            width=stored["width"],
            height=stored["height"],
            poster_url=stored["poster_url"],
            transfer=transfer,
        )
        return await self.queue(user_id, details, UploadedMedia(media_type="VIDEO", video=video))

    async def photos(
        self,
        user_id: str,
        session: str,
        details: UploadDetails,
        photos: list[Callable[[], Awaitable[bytes]]],
    ) -> Post:
        """1 to 35 photos into the queue, each made a 1080×1080 JPEG by media. Each is read when
        it is handed to media, so one photo at a time is held in memory."""
        if not 1 <= len(photos) <= 35:
            raise ApprovalRefused("a photo post has 1 to 35 photos")
        await self.creators.creator_info(details.account_id, session)  # the account is theirs
        await self.storage.room(user_id)
        slides: list[StoredSlide] = []
        taken = 0
        try:
            for index, read in enumerate(photos):
                data = await read()
                await self.storage.take(user_id, len(data))  # before media keeps it
                taken += len(data)
                slides.append(await self.slide(index, data))
        except BaseException:
            await self.storage.give_back(user_id, taken)  # no post: nothing counted
            raise
        return await self.queue(user_id, details, UploadedMedia(media_type="PHOTO", slides=slides))

    async def slide(self, index: int, data: bytes) -> StoredSlide:
        stored = await self.media.image(data)
        return StoredSlide(
            index=index,
            text="",
            prompt="",
            image_url=stored["url"],
            sha256=stored["sha256"],
            illustration_url=stored["url"],
            illustration_sha256=stored["sha256"],
        )

    async def queue(self, user_id: str, details: UploadDetails, media: UploadedMedia) -> Post:
        post_id = f"up-{uuid.uuid4().hex}"
        post = {
            "_id": post_id,
            "user_id": user_id,
            "account_id": details.account_id,
            "origin": "uploaded",
            "ai_generated": details.ai_generated,
            "title": details.title,
            "caption": details.caption,
            "hashtags": [],
            "uploaded_at": datetime.now(UTC),
            **media,
        }
        await self.posts.add_generated(post)
        stored = await self.posts.get(post_id, user_id)
        if stored is None:  # stored a moment ago: only a database that lost it answers so
            raise RuntimeError(f"the uploaded post {post_id} was not stored")
        return stored
