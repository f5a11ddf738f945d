"""generator + media against the real broker, MongoDB-wire server and the OpenAI stand-in."""

from __future__ import annotations

import io
import uuid
from typing import Any

import httpx
from PIL import Image, ImageChops

from gatepost_common.consuming import DLQ_REASON_HEADER
from gatepost_common.topics import POST_GENERATED, TOPIC_CREATED, dlq
from gatepost_devstack.outside import (
    collect,
    event_of,
    eventually,
    has,
    produce,
    signed_up,
    topic_created,
)
from gatepost_devstack.stack import Stack
from gatepost_generator.language import LinguaDetector

LANGUAGES = {
    "en": "How to keep your houseplants alive all winter",
    "fr": "Comment garder ses plantes vertes en vie tout l'hiver",
    "es": "Cómo mantener tus plantas vivas durante todo el invierno",
    "de": "Wie du deine Zimmerpflanzen den ganzen Winter am Leben hältst",
    "ja": "冬の間ずっと観葉植物を元気に育てる方法",
}


def wait_topic(client: httpx.Client, topic_id: str, until: set[str]) -> dict[str, Any]:
    def probe() -> dict[str, Any] | None:
        topic: dict[str, Any] = client.get(f"/api/generator/topics/{topic_id}").json()
        return topic if topic["status"] in until else None

    found = eventually(probe, timeout=60)
    assert found is not None, client.get(f"/api/generator/topics/{topic_id}").json()
    return found


async def test_topic_from_the_api_becomes_seven_square_jpegs(stack: Stack) -> None:
    client, _, account_id = signed_up(stack)
    answer = client.post(
        "/api/generator/topics",
        json={"text": "Three stretches for desk workers", "account_id": account_id},
    )
    assert answer.status_code == 201
    topic_id = answer.json()["topic_id"]
    topic = wait_topic(client, topic_id, {"generated", "failed"})
    assert topic["status"] == "generated" and topic["language"] == "en", topic
    [event] = await collect(stack.kafka_bootstrap, POST_GENERATED, has("topic_id", topic_id))
    post = event_of(event)["data"]
    assert post["post_id"] == topic["post_id"]
    for slide in post["slides"]:
        image = httpx.get(slide["image_url"])
        assert image.headers["content-type"] == "image/jpeg"
        assert image.headers["cache-control"] == "public, max-age=31536000, immutable"
        with Image.open(io.BytesIO(image.content)) as jpeg:
            assert (jpeg.format, jpeg.size, jpeg.mode) == ("JPEG", (1080, 1080), "RGB")
            # the published slide carries its words: it is the illustration with text set on it
            illustration = httpx.get(slide["illustration_url"])
            with Image.open(io.BytesIO(illustration.content)) as bare:
                changed = ImageChops.difference(jpeg.convert("RGB"), bare.convert("RGB"))
                assert changed.getbbox() is not None
        assert slide["sha256"] != slide["illustration_sha256"]


async def test_each_language_gets_text_in_that_language(stack: Stack) -> None:
    client, _, account_id = signed_up(stack)
    ids = {
        lang: client.post(
            "/api/generator/topics", json={"text": text, "account_id": account_id}
        ).json()["topic_id"]
        for lang, text in LANGUAGES.items()
    }
    detector = LinguaDetector()
    for language, topic_id in ids.items():
        [event] = await collect(stack.kafka_bootstrap, POST_GENERATED, has("topic_id", topic_id))
        post = event_of(event)["data"]
        assert post["language"] == language
        written = " ".join([post["caption"], *(s["text"] for s in post["slides"])])
        assert detector.detect(written) == language, (language, written[:120])


def test_bulk_json_import_reports_each_row(stack: Stack) -> None:
    client, _, account_id = signed_up(stack)
    rows = [
        {"text": "Cold brew in 3 steps", "account_id": account_id},
        {"text": "", "account_id": account_id},
        {"text": "Too long " * 300, "account_id": account_id},
        {"text": "No account"},
        {"text": "Iced matcha at home", "account_id": account_id},
    ]
    answer = client.post("/api/generator/topics/bulk", json={"topics": rows})
    assert answer.status_code == 207
    report = answer.json()
    assert (report["accepted"], report["rejected"]) == (2, 3)
    verdicts = {r["row"]: r for r in report["rows"]}
    assert verdicts[1]["accepted"] and verdicts[5]["accepted"]
    assert "text" in verdicts[2]["error"] and "text" in verdicts[3]["error"]
    assert "account_id" in verdicts[4]["error"]
    for row in (1, 5):
        assert wait_topic(client, verdicts[row]["topic_id"], {"generated"})["source"] == "bulk"


def test_bulk_csv_import(stack: Stack) -> None:
    client, _, account_id = signed_up(stack)
    csv_file = f"text,account_id\nSunday reset routine,{account_id}\n,{account_id}\n".encode()
    answer = client.post("/api/generator/topics/bulk", files={"file": ("t.csv", csv_file)})
    assert answer.status_code == 207, answer.text
    report = answer.json()
    assert (report["accepted"], report["rejected"]) == (1, 1), report
    no_header = client.post("/api/generator/topics/bulk", files={"file": ("t.csv", b"a,b\n1,2\n")})
    assert no_header.status_code == 422 and "header" in no_header.json()["detail"]


def test_invalid_model_output_fails_the_topic_then_retry_works(
    stack: Stack, openai_behaviour: Any
) -> None:
    client, _, account_id = signed_up(stack)
    marker = f"broken-{uuid.uuid4().hex[:6]}"
    openai_behaviour(invalid_text_when=[marker])
    topic_id = client.post(
        "/api/generator/topics", json={"text": f"Desk plants {marker}", "account_id": account_id}
    ).json()["topic_id"]
    failed = wait_topic(client, topic_id, {"failed", "generated"})
    assert failed["status"] == "failed" and "unusable output 3 times" in failed["reason"]
    calls = httpx.get(f"http://127.0.0.1:{stack.ports.openai}/_control/calls").json()
    writes = [
        c for c in calls if c["kind"] == "chat" and f"Topic: Desk plants {marker}" in c["prompt"]
    ]
    assert len(writes) == 3  # bounded retries (a language look-up may come on top)
    openai_behaviour()
    assert client.post(f"/api/generator/topics/{topic_id}/retry").status_code == 202
    assert wait_topic(client, topic_id, {"generated", "failed"})["status"] == "generated"
    again = client.post(f"/api/generator/topics/{topic_id}/retry")
    assert again.status_code == 409


async def test_one_failed_image_fails_the_topic_and_no_post_is_made(
    stack: Stack, openai_behaviour: Any
) -> None:
    client, _, account_id = signed_up(stack)
    marker = f"noimage-{uuid.uuid4().hex[:6]}"
    openai_behaviour(fail_image_when=[f"Slide 5 about Balcony herbs {marker}"])
    topic_id = client.post(
        "/api/generator/topics", json={"text": f"Balcony herbs {marker}", "account_id": account_id}
    ).json()["topic_id"]
    failed = wait_topic(client, topic_id, {"failed", "generated"})
    assert failed["status"] == "failed" and "slide 5 could not be rendered" in failed["reason"]
    posts = await collect(
        stack.kafka_bootstrap, POST_GENERATED, has("topic_id", topic_id), timeout=3
    )
    assert posts == []


def test_words_no_font_can_draw_fail_the_topic_with_the_reason(stack: Stack) -> None:
    """A slide never shows a missing-glyph box: the topic fails, saying which character."""
    client, _, account_id = signed_up(stack)
    topic_id = client.post(
        "/api/generator/topics",
        json={"text": f"ሰላም ለዓለም {uuid.uuid4().hex[:4]}", "account_id": account_id},
    ).json()["topic_id"]
    failed = wait_topic(client, topic_id, {"failed", "generated"})
    assert failed["status"] == "failed", failed
    assert "cannot carry its words" in failed["reason"] and "ETHIOPIC" in failed["reason"]


def test_the_seven_images_are_generated_concurrently(stack: Stack, openai_behaviour: Any) -> None:
    client, _, account_id = signed_up(stack)
    marker = f"parallel-{uuid.uuid4().hex[:6]}"
    openai_behaviour(image_latency_s=1.0)
    topic_id = client.post(
        "/api/generator/topics",
        json={"text": f"Rainy day crafts {marker}", "account_id": account_id},
    ).json()["topic_id"]
    wait_topic(client, topic_id, {"generated", "failed"})
    calls = [
        c
        for c in httpx.get(f"http://127.0.0.1:{stack.ports.openai}/_control/calls").json()
        if c["kind"] == "image" and marker in c["prompt"]
    ]
    assert len(calls) == 7
    assert max(c["start"] for c in calls) < min(c["end"] for c in calls), "calls did not overlap"


def test_topics_belong_to_their_owner(stack: Stack) -> None:
    owner, _, account_id = signed_up(stack)
    stranger, _, _ = signed_up(stack)
    topic_id = owner.post(
        "/api/generator/topics", json={"text": "Pottery basics", "account_id": account_id}
    ).json()["topic_id"]
    assert all(t["topic_id"] != topic_id for t in stranger.get("/api/generator/topics").json())
    for method, path in [
        ("GET", f"/api/generator/topics/{topic_id}"),
        ("POST", f"/api/generator/topics/{topic_id}/retry"),
        ("DELETE", f"/api/generator/topics/{topic_id}"),
    ]:
        assert stranger.request(method, path).status_code == 404, path
    wait_topic(owner, topic_id, {"generated", "failed"})
    assert owner.delete(f"/api/generator/topics/{topic_id}").status_code == 204
    assert owner.get(f"/api/generator/topics/{topic_id}").status_code == 404


async def test_topics_for_accounts_that_are_not_the_persons_cost_nothing(stack: Stack) -> None:
    """Checked at the door: an account of someone else, a made-up one, or a malformed id is
    refused (API 422, bulk per row, Kafka to the DLQ) before any model call."""
    client, user_id, account_id = signed_up(stack)
    _, _, others = signed_up(stack)
    marker = uuid.uuid4().hex[:8]
    for account, says in [
        (others, "not one of your connected TikTok accounts"),
        (str(uuid.uuid4()), "not one of your connected TikTok accounts"),
        ("acct\r\nX-Injected: 1", "account_id"),
    ]:
        answer = client.post(
            "/api/generator/topics", json={"text": f"Door {marker}", "account_id": account}
        )
        assert answer.status_code == 422 and says in answer.json()["detail"], answer.text
    rows = [
        {"text": f"Mine {marker}", "account_id": account_id},
        {"text": f"Theirs {marker}", "account_id": others},
    ]
    report = client.post("/api/generator/topics/bulk", json={"topics": rows}).json()
    assert [r["accepted"] for r in report["rows"]] == [True, False]
    assert "not one of your connected" in report["rows"][1]["error"]

    topic_id, value = topic_created(user_id, others, f"Elsewhere {marker}")
    await produce(stack.kafka_bootstrap, TOPIC_CREATED, value, key=topic_id)
    [dead] = await collect(stack.kafka_bootstrap, dlq(TOPIC_CREATED), has("topic_id", topic_id))
    assert "not a connected TikTok account" in dict(dead.headers)[DLQ_REASON_HEADER].decode()
    wait_topic(client, report["rows"][0]["topic_id"], {"generated", "failed"})
    calls = httpx.get(f"http://127.0.0.1:{stack.ports.openai}/_control/calls").json()
    paid = [c for c in calls if marker in c["prompt"] and "Mine" not in c["prompt"]]
    assert paid == [], "a model call was made for a topic that can never be approved"
    assert client.get(f"/api/generator/topics/{topic_id}").status_code == 404
