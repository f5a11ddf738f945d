"""The event contract: CloudEvent envelopes, validation, and the exported JSON Schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from gatepost_common.cloud_event import envelope, parse
from gatepost_common.events import PostPublished, TopicCreated
from gatepost_common.schemas import write


def topic() -> TopicCreated:
    return TopicCreated(topic_id="t1", user_id="u1", account_id="a1", text="Sourdough basics")


def test_envelope_round_trips_as_cloudevent() -> None:
    event = envelope(topic(), source="gatepost/generator", subject="t1")
    raw = event.model_dump_json().encode()
    document = json.loads(raw)
    assert document["specversion"] == "1.0" and document["type"] == "topic.created"
    assert document["dataschema"] == "gatepost/topic.created/v1"
    assert parse(TopicCreated, raw).data == topic()


def test_parse_refuses_another_event_type() -> None:
    raw = envelope(topic(), source="x", subject="t1").model_dump_json().encode()
    with pytest.raises(ValidationError):
        parse(PostPublished, raw)


def test_parse_refuses_unknown_fields_and_empty_text() -> None:
    document = json.loads(envelope(topic(), source="x", subject="t1").model_dump_json())
    document["data"]["text"] = ""
    with pytest.raises(ValidationError):
        parse(TopicCreated, json.dumps(document).encode())
    document["data"] |= {"text": "ok", "surprise": 1}
    with pytest.raises(ValidationError):
        parse(TopicCreated, json.dumps(document).encode())


def test_exported_schemas_validate_real_events(tmp_path: Path) -> None:
    written = {p.name: json.loads(p.read_text()) for p in write(tmp_path)}
    assert set(written) == {
        "topic.created.v1.json",
        "post.generated.v1.json",
        "post.approved.v1.json",
        "post.published.v1.json",
        "post.progressed.v1.json",
        "tiktok.webhook.v1.json",
        "post.measured.v1.json",
    }
    event = json.loads(envelope(topic(), source="x", subject="t1").model_dump_json())
    jsonschema.validate(event, written["topic.created.v1.json"])
    event["data"].pop("text")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(event, written["topic.created.v1.json"])


def test_committed_schemas_match_the_models(tmp_path: Path) -> None:
    docs = Path(__file__).parents[3] / "docs" / "schemas"
    for path in write(tmp_path):
        assert (docs / path.name).read_text() == path.read_text(), (
            f"docs/schemas/{path.name} is stale: run python -m gatepost_common.schemas"
        )


def sdk_event(**extensions: str) -> Any:
    """A `topic.created` as another team would make it with the official CloudEvents SDK."""
    from cloudevents.v1.http import CloudEvent as SdkEvent

    attributes = {
        "type": "topic.created",
        "source": "other-team/ingest",
        "datacontenttype": "application/json",
        **extensions,
    }
    data = {"topic_id": "t-1", "user_id": "u-1", "account_id": "a-1", "text": "Tea at home"}
    return SdkEvent(attributes, data)


def test_events_from_the_official_sdk_are_read_in_both_kafka_content_modes() -> None:
    from cloudevents.v1.kafka import to_binary, to_structured

    event = sdk_event(partitionkey="a-1", traceparent="00-" + "1" * 32 + "-" + "2" * 16 + "-01")
    structured = to_structured(event)
    read = parse(TopicCreated, structured.value, decoded(structured.headers))
    assert read.data.topic_id == "t-1" and read.subject is None
    assert read.model_extra == {"partitionkey": "a-1", "traceparent": event["traceparent"]}
    binary = to_binary(event)  # the binding moves partitionkey to the Kafka key
    assert "ce_specversion" in binary.headers and binary.key == "a-1"
    read = parse(TopicCreated, binary.value, decoded(binary.headers))
    assert read.data.text == "Tea at home" and read.source == "other-team/ingest"
    assert read.model_extra == {"traceparent": event["traceparent"]}


def test_attribute_names_outside_the_spec_are_refused() -> None:
    from cloudevents.v1.kafka import to_structured

    document = json.loads(to_structured(sdk_event()).value)
    document["Not-Valid"] = "x"
    with pytest.raises(ValueError, match="not a CloudEvents attribute name"):
        parse(TopicCreated, json.dumps(document).encode())


def decoded(headers: dict[str, bytes]) -> dict[str, str]:
    return {k: v.decode() for k, v in headers.items()}
