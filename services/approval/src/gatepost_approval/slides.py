"""The slide editor, before approval: change a slide's words, draw its picture again, choose the
cover, reorder. Every change composes the slide again through media (new content-addressed URLs)
and is stored only if the post is still awaiting approval and unchanged since the person looked
at it (its `revision`), so the approval signs exactly the slides the person last saw."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gatepost_approval.adapters import IllustrationClient, MongoPostRepository
from gatepost_approval.domain import ApprovalRefused
from gatepost_approval.lifecycle import Post, StoredSlide
from gatepost_common.errors import ConflictError
from gatepost_common.slide_style import Style
from gatepost_common.slides import SlideComposer, SlideRefused, StyleSource

SLIDES = 7


class PostChanged(ConflictError):
    """The post changed since the person looked at it (another tab, another edit)."""

    detail = "the post changed since you looked at it: look at it again first"


class Revised(BaseModel):
    """Every edit names the revision it was made on."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"revision": 3}]})
    revision: Annotated[int, Field(ge=0)]


class SlideWords(Revised):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"revision": 3, "text": "Warm the pot first"}]},
    )
    text: Annotated[str, Field(min_length=1, max_length=200)]


class CoverChoice(Revised):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"revision": 3, "position": 2}]}
    )
    position: Annotated[int, Field(ge=0, lt=SLIDES)]


class SlideOrder(Revised):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"revision": 3, "order": [0, 2, 1, 3, 4, 5, 6]}]},
    )
    order: list[int]

    @field_validator("order")
    @classmethod
    def _a_permutation(cls, order: list[int]) -> list[int]:
        if sorted(order) != list(range(SLIDES)):
            raise ValueError(f"order must list each of the {SLIDES} positions 0–6 once")
        return order


@dataclass
class SlideEditor:
    posts: MongoPostRepository
    media: SlideComposer
    artist: IllustrationClient
    styles: StyleSource

    async def compose(
        self, post: Post, slide: StoredSlide, *, cover: bool, title: str | None = None
    ) -> StoredSlide:
        """The slide with its words set again on its illustration (the cover with the title)."""
        illustration = slide.get("illustration_sha256")
        if not illustration:
            raise ApprovalRefused(
                "this post was made before slides carried their words: its slides cannot be edited"
            )
        try:
            made = await self.media.compose(
                illustration,
                slide["text"],
                (title if title is not None else post["title"]) if cover else None,
                post["language"],
                await self.styles.style_of(post["account_id"]),
            )
        except SlideRefused as refused:
            raise ApprovalRefused(f"slide {slide.get('index', 0) + 1}: {refused}") from None
        return {**slide, "image_url": str(made["url"]), "sha256": str(made["sha256"])}

    async def store(
        self, post: Post, revision: int, slides: list[StoredSlide], **fields: Any
    ) -> None:
        renumbered = [{**slide, "index": i} for i, slide in enumerate(slides)]
        if not await self.posts.revise(
            post["_id"], post["user_id"], revision, {"slides": renumbered, **fields}
        ):
            raise PostChanged(post["_id"])

    async def set_words(self, post: Post, position: int, change: SlideWords) -> None:
        slides = list(post["slides"])
        edited: StoredSlide = {**slides[position], "text": change.text}
        slides[position] = await self.compose(post, edited, cover=position == cover_of(post))
        await self.store(post, change.revision, slides)

    async def redraw(self, post: Post, position: int, change: Revised) -> None:
        """One new image call for this slide; the other six are kept as they are."""
        slides = list(post["slides"])
        # the shape the post was drawn in (older posts: the account's shape now)
        shape = str(post.get("slide_format") or "") or (
            Style(**(await self.styles.style_of(post["account_id"]) or {})).format
        )
        prompt = slides[position].get("prompt", "")
        drawn = await self.artist.draw(prompt, shape, post["user_id"])  # one of their images
        fresh: StoredSlide = {
            **slides[position],
            "illustration_url": str(drawn["url"]),
            "illustration_sha256": str(drawn["sha256"]),
        }
        slides[position] = await self.compose(post, fresh, cover=position == cover_of(post))
        await self.store(post, change.revision, slides)

    async def choose_cover(self, post: Post, change: CoverChoice) -> None:
        """The title moves to the new cover; the old cover keeps only its own words."""
        old, new = cover_of(post), change.position
        slides = list(post["slides"])
        if old != new:
            slides[old] = await self.compose(post, slides[old], cover=False)
            slides[new] = await self.compose(post, slides[new], cover=True)
        await self.store(post, change.revision, slides, cover_index=new)

    async def reorder(self, post: Post, change: SlideOrder) -> None:
        """The slides in a new order; the cover stays the same slide, wherever it goes."""
        slides = [post["slides"][i] for i in change.order]
        await self.store(
            post, change.revision, slides, cover_index=change.order.index(cover_of(post))
        )

    async def retitled(self, post: Post, title: str) -> list[StoredSlide]:
        """The slides with the cover composed again under a new title."""
        slides = list(post["slides"])
        position = cover_of(post)
        if slides[position].get("illustration_sha256"):
            slides[position] = await self.compose(post, slides[position], cover=True, title=title)
        return slides


def cover_of(post: Post) -> int:
    return int(post.get("cover_index") or 0)
