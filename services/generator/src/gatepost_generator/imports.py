"""The topic library's vocabulary: what an import may hold, what became of each row, how far
it got, and the refusals the service answers (gatepost_common.errors)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Required, TypedDict

from gatepost_common.errors import ConflictError, NotFoundError, RefusedInput

MAX_IMPORT_ROWS = 5000


class RowVerdict(TypedDict, total=False):
    """What became of one row of an import: queued as a topic, or refused and why."""

    row: Required[int]
    accepted: Required[bool]
    topic_id: str
    error: str


@dataclass(frozen=True)
class ImportCounts:
    """How far a bulk import got: topics per status, and how many are finished."""

    import_id: str
    total: int
    finished: int
    counts: dict[str, int]


class ImportRejected(RefusedInput, ValueError):
    """The import as a whole cannot be read (not a list, no header, too many rows)."""


class TopicRefused(RefusedInput, ValueError):
    """The topic cannot be queued (its text, its account); the message says why."""


class ImportTooLarge(ImportRejected):
    """The import's body is over the size limit (refused before it is parsed)."""

    status = 413


class TopicNotFound(NotFoundError):
    """No such topic for this user."""

    detail = "no such topic"


class ImportNotFound(NotFoundError):
    """No such bulk import for this user."""

    detail = "no such import"


class TopicBusy(ConflictError):
    """The topic is in a state that does not allow this (e.g. generating)."""


NOT_YOURS = "account_id: not one of your connected TikTok accounts"
