"""The event contract: CloudEvent envelopes, validation, and the exported JSON Schemas."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError

from gatepost_common.events import PostPublished, TopicCreated, envelope, parse
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
