"""What every event's data shares: the base model that names its type and schema, and the field
types other systems' events are held to."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

NonEmpty = Annotated[str, Field(min_length=1)]
# ids that other systems send: letters, digits and a few separators, never spaces or line breaks
IDENTIFIER = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
Identifier = Annotated[str, Field(pattern=IDENTIFIER)]


def utf16_units(text: str) -> int:
    """Length as TikTok counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


class EventData(BaseModel):
    """The `data` of one event type; each subclass names its type, topic and schema."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    TYPE: ClassVar[str]
    SCHEMA: ClassVar[str]
