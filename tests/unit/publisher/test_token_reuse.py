"""The publisher asks auth for a token once a minute per account at most (each status poll used
to ask), and afresh at once when TikTok rejected the one it had, naming that token to auth."""

from __future__ import annotations

from typing import Any, cast

import pytest

from gatepost_publisher.adapters import AuthRefused, Grant
from gatepost_publisher.calls import CallFailed, TikTokCalls
from gatepost_publisher.domain import Handling
from tests.unit.publisher.fakes import FakeClock, world


class CountingAuth:
    def __init__(self) -> None:
        self.asked: list[tuple[str, str, str | None]] = []
        self.refuse = False

    async def access_token(
        self, account_id: str, user_id: str, rejected: str | None = None
    ) -> Grant:
        self.asked.append((account_id, user_id, rejected))
        if self.refuse:
            raise AuthRefused(Handling.FAIL, "account_unknown", "not connected")
        return Grant(f"token-{len(self.asked)}", "creator")


def calls(auth: CountingAuth, reuse_s: float) -> tuple[TikTokCalls, FakeClock]:
    made = world(token_reuse_s=reuse_s)
    tiktok = TikTokCalls(made.settings, auth, cast(Any, None), cast(Any, None), made.clock)
    return tiktok, made.clock


async def test_a_token_is_used_again_within_the_reuse_time() -> None:
    auth = CountingAuth()
    tiktok, clock = calls(auth, 60)
    first = await tiktok.grant("a1", "u1")
    assert await tiktok.grant("a1", "u1") == first
    assert len(auth.asked) == 1
    # another account, or the same account for another user, is asked for on its own
    await tiktok.grant("a2", "u1")
    await tiktok.grant("a1", "u2")
    assert len(auth.asked) == 3
    # the service's clock, which tests move forward by hours, not the process's
    clock.advance(61)
    await tiktok.grant("a1", "u1")
    assert len(auth.asked) == 4


async def test_a_rejected_token_is_named_to_auth_and_replaced() -> None:
    auth = CountingAuth()
    tiktok, _ = calls(auth, 60)
    first = await tiktok.grant("a1", "u1")
    again = await tiktok.grant("a1", "u1", rejected=first.token)
    assert again != first and auth.asked[-1] == ("a1", "u1", first.token)
    assert await tiktok.grant("a1", "u1") == again  # the new one is kept


async def test_nothing_is_kept_after_the_reuse_time_or_a_refusal() -> None:
    auth = CountingAuth()
    tiktok, _ = calls(auth, 0)
    await tiktok.grant("a1", "u1")
    await tiktok.grant("a1", "u1")
    assert len(auth.asked) == 2
    auth.refuse = True
    with pytest.raises(CallFailed):
        await tiktok.grant("a1", "u1", rejected="token-2")
    auth.refuse = False
    await tiktok.grant("a1", "u1")
    assert len(auth.asked) == 4
