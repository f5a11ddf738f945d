"""HTTP routes of the queue (one post at a time: there is no bulk route) and the subscribers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from faststream.kafka import KafkaBroker

from gatepost_approval.adapters import MongoPostRepository
from gatepost_approval.domain import ApprovalChoices, PostEdit
from gatepost_approval.handlers import Approvals, NotFound
from gatepost_approval.lifecycle import Post, PostStatus
from gatepost_approval.posting import PostingPage, PostingQuestion, posting_page
from gatepost_approval.schemas import Decision, Languages, PostView
from gatepost_approval.slides import CoverChoice, Revised, SlideOrder, SlideWords
from gatepost_common.api_tokens import PostsEditor, PostsReader
from gatepost_common.consuming import subscribe
from gatepost_common.events import (
    IDENTIFIER,
    PostApproved,
    PostGenerated,
    PostMeasured,
    PostProgressed,
    PostPublished,
)
from gatepost_common.kafka import emits
from gatepost_common.provided import given
from gatepost_common.sessions import CurrentUser, User, session_token

LANGUAGE = r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$"  # as the generator detects it
Slide = Annotated[int, Path(ge=0, le=6, description="the slide's position, 0 to 6")]


router = APIRouter(tags=["queue"])
Posts = Annotated[MongoPostRepository, given(MongoPostRepository)]
Deciding = Annotated[Approvals, given(Approvals)]


@router.get("/v1/posts", tags=["api v1"])
@router.get("/posts")
async def list_posts(
    user: PostsReader,
    posts: Posts,
    status: PostStatus | None = None,
    account_id: Annotated[str | None, Query(pattern=IDENTIFIER)] = None,
    q: Annotated[str | None, Query(max_length=100, description="in title or caption")] = None,
    language: Annotated[str | None, Query(pattern=LANGUAGE)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[PostView]:
    """The person's posts, newest first, a page at a time; by status, account, language and
    words."""
    found = await posts.for_user(
        user.id,
        status.value if status else None,
        limit,
        offset,
        account_id=account_id,
        search=q.strip() if q else None,
        language=language,
    )
    return [PostView.of(d) for d in found]


@router.get("/posts/languages")
async def languages(user: CurrentUser, posts: Posts) -> Languages:
    """The languages the person's posts are in (the queue's language filter)."""
    return Languages(languages=await posts.languages(user.id))


@router.post("/posting-page")
async def posting(question: PostingQuestion, user: CurrentUser) -> PostingPage:
    """The posting page's rules for the person's current choices: whether they can be
    posted (and why not), what the page may offer, the label and the agreements. Approving
    applies the same rules, against creator_info asked afresh."""
    return posting_page(question)


@router.get("/v1/posts/{post_id}", tags=["api v1"])
@router.get("/posts/{post_id}")
async def get_post(post_id: str, user: PostsReader, posts: Posts) -> PostView:
    doc = await posts.get(post_id, user.id)
    if doc is None:
        raise NotFound(post_id)
    return PostView.of(doc)


# A refusal (no such post, decided already, changed meanwhile, TikTok's rules) is a DomainError:
# the service answers it with its status and reason (gatepost_common.errors).


@router.post("/posts/{post_id}/approve", status_code=202)
async def approve(
    post_id: str, choices: ApprovalChoices, request: Request, user: CurrentUser, do: Deciding
) -> Decision:
    """Approve this one post (there is no bulk approval): the choices are re-checked against
    the account's fresh creator_info, then post.approved is signed and emitted once."""
    await do.approve(post_id, user.id, choices, session_token(request), again=False)
    return Decision(post_id=post_id, status=PostStatus.APPROVED)


@router.post("/posts/{post_id}/publish-again", status_code=202)
async def publish_again(
    post_id: str, choices: ApprovalChoices, request: Request, user: CurrentUser, do: Deciding
) -> Decision:
    """Approve a failed post once more, as a new attempt: the person chooses again, the
    choices are re-checked against fresh creator_info, and a new post.approved (with the
    next attempt number) is signed. A post whose outcome is unknown cannot: TikTok may
    have posted it."""
    await do.approve(post_id, user.id, choices, session_token(request), again=True)
    return Decision(post_id=post_id, status=PostStatus.APPROVED)


@router.post("/posts/{post_id}/reject")
async def reject(post_id: str, user: CurrentUser, do: Deciding) -> Decision:
    await do.reject(post_id, user.id)
    return Decision(post_id=post_id, status=PostStatus.REJECTED)


async def edited(
    post_id: str, user: User, do: Approvals, change: Callable[[Post], Awaitable[None]]
) -> PostView:
    """One edit of a post awaiting approval; the post as it is now."""
    await change(await do.editable(post_id, user.id))
    doc = await do.posts.get(post_id, user.id)
    if doc is None:
        raise NotFound(post_id)
    return PostView.of(doc)


@router.patch("/v1/posts/{post_id}", tags=["api v1"])
@router.patch("/posts/{post_id}")
async def edit(post_id: str, changes: PostEdit, user: PostsEditor, do: Deciding) -> PostView:
    """Title (set again on the cover), caption, hashtags, within TikTok's limits."""
    return await edited(post_id, user, do, lambda _: do.edit(post_id, user.id, changes))


@router.put("/v1/posts/{post_id}/slides/{position}/text", tags=["api v1"])
@router.put("/posts/{post_id}/slides/{position}/text")
async def slide_words(
    post_id: str, position: Slide, change: SlideWords, user: PostsEditor, do: Deciding
) -> PostView:
    """New words on one slide: composed again by media, under a new URL."""
    return await edited(post_id, user, do, lambda post: do.editor.set_words(post, position, change))


@router.post("/v1/posts/{post_id}/slides/{position}/redraw", tags=["api v1"])
@router.post("/posts/{post_id}/slides/{position}/redraw")
async def redraw(
    post_id: str, position: Slide, change: Revised, user: PostsEditor, do: Deciding
) -> PostView:
    """A new picture for one slide (one image call); the other six are kept."""
    return await edited(post_id, user, do, lambda post: do.editor.redraw(post, position, change))


@router.put("/v1/posts/{post_id}/cover", tags=["api v1"])
@router.put("/posts/{post_id}/cover")
async def cover(post_id: str, change: CoverChoice, user: PostsEditor, do: Deciding) -> PostView:
    """Which slide is the cover (it carries the title)."""
    return await edited(post_id, user, do, lambda post: do.editor.choose_cover(post, change))


@router.put("/v1/posts/{post_id}/order", tags=["api v1"])
@router.put("/posts/{post_id}/order")
async def order(post_id: str, change: SlideOrder, user: PostsEditor, do: Deciding) -> PostView:
    """The slides in a new order: `order[i]` is the position the new i-th slide had."""
    return await edited(post_id, user, do, lambda post: do.editor.reorder(post, change))


def subscribers(broker: KafkaBroker, approvals: Approvals) -> None:
    """What approval consumes and emits on Kafka (its AsyncAPI document lists both)."""
    emits(broker, PostApproved)
    subscribe(broker, PostGenerated, approvals.on_post_generated, group_id="approval")
    subscribe(broker, PostPublished, approvals.on_post_published, group_id="approval")
    subscribe(broker, PostProgressed, approvals.on_post_progressed, group_id="approval")
    subscribe(broker, PostMeasured, approvals.on_post_measured, group_id="approval")
