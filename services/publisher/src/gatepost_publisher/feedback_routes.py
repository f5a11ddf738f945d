"""What worked, fed back: the person's summaries of earlier similar posts (the library and the
queue ask for a page of them at once), and the generator's style examples (internal)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from gatepost_common.access import INTERNAL
from gatepost_common.provided import given
from gatepost_common.sessions import CurrentUser
from gatepost_publisher.feedback import Feedback
from gatepost_publisher.feedback_schemas import SimilarAsks, SimilarSummaries, StyleExamples

router = APIRouter(prefix="/insights", tags=["insights"])
internal = APIRouter(tags=["internal"], dependencies=[INTERNAL])
Given = Annotated[Feedback, given(Feedback)]


@router.post("/similar")
async def similar_posts(asks: SimilarAsks, user: CurrentUser, feedback: Given) -> SimilarSummaries:
    """For each post or topic asked about (up to 100): how the account's earlier posts in the
    same language with the same hook style did, or why nothing is shown."""
    return SimilarSummaries(summaries=await feedback.summaries(user.id, asks.items))


@internal.get("/internal/users/{user_id}/accounts/{account_id}/style-examples")
async def style_examples(
    user_id: str,
    account_id: str,
    feedback: Given,
    language: Annotated[str, Query(min_length=2, max_length=8)],
    limit: Annotated[int, Query(ge=1, le=5)] = 3,
) -> StyleExamples:
    """The account's most viewed titles in `language`; none unless the person opted in."""
    found = await feedback.style_examples(user_id, account_id, language, limit)
    return StyleExamples(examples=found)
