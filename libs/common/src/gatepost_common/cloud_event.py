"""The CloudEvents 1.0 envelope around Gatepost's events, and reading one from Kafka in either
content mode of the CloudEvents Kafka binding."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gatepost_common.events import EventData, NonEmpty

EXTENSION_NAME = re.compile(r"^[a-z0-9]{1,20}$")
D = TypeVar("D", bound=EventData)


class CloudEvent(BaseModel, Generic[D]):
    """A CloudEvents 1.0 event. Gatepost writes every attribute; what the spec leaves optional
    (subject, time, datacontenttype, dataschema) is optional here too, and extension attributes
    (e.g. the Kafka binding's `partitionkey`, tracing's `traceparent`) are kept."""

    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: NonEmpty = Field(default_factory=lambda: str(uuid.uuid4()))
    source: NonEmpty
    type: NonEmpty
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: NonEmpty | None = None
    datacontenttype: Annotated[str, Field(pattern=r"^application/json\s*(;.*)?$")] = (
        "application/json"
    )
    dataschema: NonEmpty | None = None
    data: D

    @model_validator(mode="after")
    def _extension_names(self) -> CloudEvent[D]:
        for name in self.model_extra or {}:
            if not EXTENSION_NAME.match(name):
                raise ValueError(
                    f"{name!r} is not a CloudEvents attribute name (lower-case letters and "
                    "digits, at most 20)"
                )
        return self


def envelope(data: D, *, source: str, subject: str) -> CloudEvent[D]:
    """Wrap event data in its CloudEvent with the right type and schema."""
    # parameterised by the concrete type, so the data serialises with all of its fields
    return CloudEvent[type(data)](  # type: ignore[misc,operator,no-any-return]
        source=source, type=data.TYPE, subject=subject, dataschema=data.SCHEMA, data=data
    )


def parse(model: type[D], raw: bytes, headers: Mapping[str, str] | None = None) -> CloudEvent[D]:
    """Decode one Kafka message in either content mode of the CloudEvents Kafka binding:
    structured (the value is the whole event) or binary (attributes in `ce_` headers, the value
    is the data). Raises pydantic.ValidationError or ValueError when it is not this event."""
    headers = headers or {}
    if "ce_specversion" in headers:
        attributes: dict[str, Any] = {
            name[3:]: value for name, value in headers.items() if name.startswith("ce_")
        }
        if "content-type" in headers:
            attributes["datacontenttype"] = headers["content-type"]
        document = {**attributes, "data": json.loads(raw)}
        event = CloudEvent[model].model_validate(document)  # type: ignore[valid-type]
    else:
        event = CloudEvent[model].model_validate_json(raw)  # type: ignore[valid-type]
    if event.type != model.TYPE:
        raise ValueError(f"expected CloudEvent type {model.TYPE!r}, got {event.type!r}")
    return event
