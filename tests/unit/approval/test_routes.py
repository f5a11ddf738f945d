"""Approval's module-level routes served in process over its composition root's use cases (an
in-memory database, a list for Kafka): a person sees and approves only their own posts, through
the same session check and domain-error answers the service has."""

from __future__ import annotations

import httpx

from gatepost_approval.adapters import MongoPostRepository
from gatepost_approval.entrypoints import router
from gatepost_approval.handlers import Approvals
from gatepost_common.events import PostApproved
from gatepost_common.sessions import read_session
from tests.unit.approval.test_approvals import World, queued
from tests.unit.asgi import SESSION_PUBLIC, bearer, served


class RoutedWorld(World):
    """Approval's world, auth asked with the person's own session token."""

    def auth_answers(self, request: httpx.Request) -> httpx.Response:
        token = request.headers["Authorization"].removeprefix("Bearer ")
        assert read_session(SESSION_PUBLIC, token)["sub"] == "u1"  # the person's own session
        return httpx.Response(200, json=self.creator)


def client(world: World) -> httpx.AsyncClient:
    return served([router], {Approvals: world.approvals, MongoPostRepository: world.parts.posts})


CHOSEN = {"privacy_level": "SELF_ONLY", "music_usage_consent": True, "revision": 0}


async def test_a_person_lists_and_reads_only_their_own_posts() -> None:
    world = RoutedWorld()
    await queued(world)
    async with client(world) as http:
        mine = await http.get("/posts", headers=bearer("u1"))
        theirs = await http.get("/posts", headers=bearer("u2"))
        other = await http.get("/posts/p1", headers=bearer("u2"))
        nobody = await http.get("/posts")
    assert [p["post_id"] for p in mine.json()] == ["p1"]
    assert mine.json()[0]["status"] == "awaiting_approval"
    assert theirs.json() == []
    assert other.status_code == 404 and other.json() == {"detail": "no such post"}
    assert nobody.status_code == 401


async def test_approving_through_the_route_emits_once_and_a_second_is_a_conflict() -> None:
    world = RoutedWorld()
    await queued(world)
    async with client(world) as http:
        first = await http.post("/posts/p1/approve", json=CHOSEN, headers=bearer("u1"))
        second = await http.post("/posts/p1/approve", json=CHOSEN, headers=bearer("u1"))
        someone_else = await http.post("/posts/p1/reject", headers=bearer("u2"))
    assert first.status_code == 202 and first.json() == {"post_id": "p1", "status": "approved"}
    assert second.status_code == 409 and second.json()["detail"]
    assert someone_else.status_code == 404
    assert [type(e.data) for e in world.emitted] == [PostApproved]


async def test_an_edit_answers_the_post_as_it_is_now() -> None:
    world = RoutedWorld()
    await queued(world)
    async with client(world) as http:
        edited = await http.patch(
            "/posts/p1", json={"caption": "Grow them indoors 🌿"}, headers=bearer("u1")
        )
    assert edited.status_code == 200, edited.text
    assert edited.json()["caption"] == "Grow them indoors 🌿"
