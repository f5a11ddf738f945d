"""What worked, fed back, in the generator: for an account the person opted in, its best titles
(the publisher's answer) reach the text model's prompt at the OpenAI stand-in and are recorded in
the post's provenance (`style_examples`); without the opt-in the publisher is not even asked, and
a publisher that does not answer costs the examples, never the post."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gatepost_common.events import PostGenerated
from gatepost_standins.openai.app import create_app
from tests.unit.generator import test_generation_flow as flow

EXAMPLES = [
    {"post_id": "p9", "title": "Why does basil droop at noon?", "views": 9100},
    {"post_id": "p4", "title": "5 herbs that never die", "views": 4200},
]


class Services(flow.Services):
    """auth answers the account's opt-in; the publisher its best titles (or fails)."""

    learns = False
    publisher_fails = False
    publisher_garbles = False  # an answer that is not the examples' shape
    asked: list[str] = []

    def answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/style-examples"):
            Services.asked.append(str(request.url))
            if Services.publisher_fails:
                return httpx.Response(503, json={"detail": "restarting"})
            if Services.publisher_garbles:
                return httpx.Response(200, json={"examples": [{"title": None}]})
            return httpx.Response(200, json={"examples": EXAMPLES})
        if path == "/internal/users/u1/accounts/a1":
            return httpx.Response(200, json={"account_id": "a1", "learn_from_posts": self.learns})
        return super().answer(request)


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> list[FastAPI]:
    made: list[FastAPI] = []

    def kept(*args: Any) -> FastAPI:
        made.append(create_app(*args))
        return made[-1]

    Services.learns, Services.publisher_fails, Services.asked = False, False, []
    Services.publisher_garbles = False
    monkeypatch.setattr(flow, "Services", Services)
    monkeypatch.setattr(flow, "create_app", kept)
    monkeypatch.setattr("gatepost_common.slides.asyncio.sleep", no_pause)
    return made


async def no_pause(_: float) -> None:
    return None


async def chat_prompts(app: FastAPI) -> list[str]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        calls = (await c.get("/_control/calls")).json()
    return [c["prompt"] for c in calls if c["kind"] == "chat"]


async def generated(world: flow.World) -> PostGenerated:
    await world.parts.library.accept(flow.topic("Herbs that like a sunny balcony"))
    await world.generate_all()
    [event] = [e for e in world.emitted if e.type == "post.generated"]
    assert isinstance(event.data, PostGenerated)
    return event.data


async def test_an_opted_in_accounts_best_titles_reach_the_prompt_and_the_provenance(
    standin: list[FastAPI],
) -> None:
    Services.learns = True
    world = flow.World()
    post = await generated(world)
    [prompt] = [p for p in await chat_prompts(standin[0]) if "Topic:" in p]
    assert "Why does basil droop at noon?" in prompt and "5 herbs that never die" in prompt
    assert [e.model_dump() for e in post.style_examples] == EXAMPLES
    assert "language=en" in Services.asked[0] and "limit=3" in Services.asked[0]
    stored = await world.parts.topics.get("t1", "u1")
    assert stored is not None and stored["style_examples"] == EXAMPLES  # kept for a resume
    assert json.loads(post.model_dump_json())["style_examples"][0]["post_id"] == "p9"


async def test_without_the_opt_in_no_title_is_asked_for_or_shown(standin: list[FastAPI]) -> None:
    world = flow.World()
    post = await generated(world)
    [prompt] = [p for p in await chat_prompts(standin[0]) if "Topic:" in p]
    assert "did best" not in prompt and post.style_examples == []
    assert Services.asked == []


async def test_a_publisher_that_does_not_answer_costs_the_examples_not_the_post(
    standin: list[FastAPI],
) -> None:
    Services.learns, Services.publisher_fails = True, True
    world = flow.World()
    post = await generated(world)
    assert post.style_examples == [] and len(post.slides) == 7
    assert len(Services.asked) == 6  # asked patiently, as a restarting service is


async def test_a_publisher_answer_of_another_shape_costs_the_examples_not_the_post(
    standin: list[FastAPI],
) -> None:
    Services.learns, Services.publisher_garbles = True, True
    post = await generated(flow.World())
    assert post.style_examples == [] and len(post.slides) == 7
