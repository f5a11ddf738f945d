"""What the "what worked, fed back" routes take and answer: the response models of the
publisher's OpenAPI document, from which web/types/publisher.d.ts is generated."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from gatepost_common.events import StyleExample
from gatepost_publisher.similar import HookStyle

Short = Annotated[str, Field(min_length=1, max_length=200)]


class SimilarAsk(BaseModel):
    """A new post (or a topic) to compare with the account's earlier posts."""

    model_config = ConfigDict(extra="forbid")

    key: Short  # the caller's own key (a post or topic id), given back with its summary
    account_id: Short
    language: Annotated[str, Field(min_length=2, max_length=8)] | None = None
    title: Annotated[str, Field(max_length=2000)] = ""  # the title, or a topic's text
    text: Annotated[str, Field(max_length=5000)] = ""  # caption and hashtags, if any
    # the post itself (a library topic's post): not compared with itself once published
    post_id: Annotated[str, Field(max_length=200)] | None = None


class SimilarAsks(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: Annotated[list[SimilarAsk], Field(max_length=100)]


class BestPost(BaseModel):
    post_id: str
    title: str
    views: int
    link: str | None


# shown: the summary below; otherwise `reason` says in a sentence why there is none
SummaryState = Literal["shown", "not_opted_in", "insights_off", "no_language", "no_similar"]


class SimilarSummary(BaseModel):
    """How the account's earlier posts like this one did, or why nothing is shown."""

    key: str
    account_id: str
    state: SummaryState
    reason: str | None
    language: str | None
    hook: HookStyle | None
    count: int  # similar earlier posts with numbers: same language, same hook style
    on_topic: int  # of which share topic words with this one
    median_views: int | None
    best: BestPost | None


class SimilarSummaries(BaseModel):
    summaries: list[SimilarSummary]  # in the order asked


class StyleExamples(BaseModel):
    """The account's best-performing titles in a language (none without its opt-in)."""

    examples: list[StyleExample]
