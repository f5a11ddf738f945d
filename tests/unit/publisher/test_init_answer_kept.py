"""An init answer that comes after its job was given up as orphaned (its worker's lease ran out,
another replica recorded UNKNOWN): TikTok took the post, so its publish_id is kept and followed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from gatepost_publisher.housekeeping import recover
from tests.unit.publisher.fakes import World, world


def slow_init(w: World) -> None:
    """content/init answers only after the lease ran out and another replica gave the job up."""
    call = w.calls.call

    async def answered_late(
        account: str, user: str, endpoint: str, send: Callable[[str], Awaitable[Any]], **kw: Any
    ) -> Any:
        if endpoint == "content_init":
            w.clock.advance(600)
            await recover(w.parts.outcomes)
            assert w.job()["result"] == "UNKNOWN"
        return await call(account, user, endpoint, send, **kw)

    w.calls.call = answered_late  # type: ignore[method-assign]


async def test_a_publish_id_that_loses_its_compare_and_set_is_kept_and_followed() -> None:
    w = world()
    await w.approve()
    w.calls.then("content_init", "p_pub_late")
    slow_init(w)
    await w.step()
    job = w.job()
    assert (job["status"], job["publish_id"], job["result"]) == ("processing", "p_pub_late", None)
    assert "init_answer_kept" in w.audit.kinds()
    w.calls.then("status_fetch", {"status": "PUBLISH_COMPLETE"})
    w.clock.advance(60)
    followed = await w.step()
    assert followed is not None and followed["result"] == "PUBLISH_COMPLETE"
    assert w.calls.sent.count("content_init") == 1
