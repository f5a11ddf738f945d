"""The insights routes of the signed-in person (their own accounts only): each published post's
live link and numbers, an account's totals and best times, and the readings as CSV."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import PlainTextResponse

from gatepost_common.api_tokens import InsightsReader
from gatepost_common.provided import given
from gatepost_common.sessions import CurrentUser
from gatepost_publisher.insight_schemas import AccountInsight, PostInsight, PostInsights
from gatepost_publisher.insights import Insights

router = APIRouter(prefix="/insights", tags=["insights"])
# the same routes under the API's stable prefix, open to tokens with insights:read
v1_router = APIRouter(prefix="/v1/insights", tags=["api v1"])
Reader = Annotated[Insights, given(Insights)]


@v1_router.get("/posts")
@router.get("/posts")
async def post_insights(
    user: InsightsReader, insights: Reader, account_id: str | None = None
) -> PostInsights:
    """The person's published posts, newest first."""
    return PostInsights(posts=await insights.posts(user.id, account_id))


@v1_router.get("/posts/{post_id}")
@router.get("/posts/{post_id}")
async def post_insight(post_id: str, user: InsightsReader, insights: Reader) -> PostInsight:
    found = await insights.post(user.id, post_id)
    if found is None:
        raise HTTPException(404, "no such published post")
    return found


@v1_router.get("/accounts/{account_id}")
@router.get("/accounts/{account_id}")
async def account_insight(
    account_id: str,
    user: InsightsReader,
    insights: Reader,
    tz: Annotated[str, Query(max_length=64)] = "UTC",
) -> AccountInsight:
    """Totals, the best-time heatmap and the next best slots, in the time zone `tz`."""
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise HTTPException(422, f"unknown time zone {tz!r}") from None
    if not await insights.jobs.owns_account(user.id, account_id):
        raise HTTPException(404, "no such account")
    return await insights.account(user.id, account_id, zone)


@router.get(
    "/export.csv",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export_csv(
    user: CurrentUser, insights: Reader, account_id: str | None = None
) -> PlainTextResponse:
    """One row per reading: post_id,account_id,public_id,link,at,views,likes,comments,shares."""
    text = await insights.csv(user.id, account_id)
    return PlainTextResponse(
        text,
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="insights.csv"'},
    )
