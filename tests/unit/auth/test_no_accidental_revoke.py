"""auth never ends a live creator's authorisation by accident (issue 30): a refresh whose
compare-and-set loses to a key rotation stores the new pair all the same, one that loses to a
reconnect leaves the reconnect's pair, neither revokes at TikTok (a revoke removes Gatepost from
the creator's TikTok apps); one unreadable answer from TikTok ends one account's refresh, not the
renewal pass. Over the in-memory database, a fake clock and TikTok answered by a mock transport."""

from __future__ import annotations

import dataclasses
import os
from datetime import timedelta

import pytest

from gatepost_auth.domain import Account
from gatepost_auth.handlers import Auth
from gatepost_auth.renewal import refresh_due
from gatepost_auth.rotate_keys import Resealed, reseal_all
from gatepost_auth.tokens import TokenKeeper
from gatepost_common.crypto import TokenCipher
from tests.unit.auth.test_tokens import DAY, connected


def with_second_key(auth: Auth) -> TokenKeeper:
    """The running keeper learns a second key (k1 still active), as before a rotation; returned:
    the keeper of `python -m gatepost_auth.rotate_keys`, with k2 active."""
    keys = {**auth.keeper.cipher.keys, "k2": os.urandom(32)}
    auth.keeper.cipher = TokenCipher(keys, "k1")
    return dataclasses.replace(auth.keeper, cipher=TokenCipher(keys, "k2"), owner="rotate-keys")


async def stored(auth: Auth, account_id: str) -> Account:
    account = await auth.accounts.get(account_id)
    assert account is not None
    return account


def refresh_token_of(auth: Auth, account: Account) -> str:
    return auth.keeper.cipher.decrypt(account["refresh_token"], account["_id"])


async def test_a_key_rotation_during_a_refresh_leaves_the_account_connected() -> None:
    auth, tiktok, _clock, account_id = await connected()
    rotation = with_second_key(auth)
    passes: list[Resealed] = []

    async def rotate() -> None:
        passes.append(await reseal_all(rotation))

    tiktok.during_refresh = rotate
    assert await auth.keeper.access_token(account_id, rejected=True) == "act.2"
    assert tiktok.revoked == []
    assert passes == [Resealed(count=0, left=1)], "a refresh held it: left to the refresh"
    account = await stored(auth, account_id)
    assert account["status"] == "connected" and refresh_token_of(auth, account) == "rft.2"
    tiktok.during_refresh = None
    assert await reseal_all(rotation) == Resealed(count=1, left=0)  # run again: re-sealed
    assert refresh_token_of(auth, await stored(auth, account_id)) == "rft.2"


async def test_a_refresh_that_lost_its_lease_to_a_rotation_stores_the_new_pair_anyway() -> None:
    """The lease ran out under a slow answer and the rotation re-sealed the token that was used:
    the compare-and-set is lost, the account is read again, still connected with that token,
    and the new pair is stored over the re-sealed one."""
    auth, tiktok, clock, account_id = await connected()
    rotation = with_second_key(auth)

    async def lease_runs_out_then_rotate() -> None:
        clock.at += timedelta(seconds=auth.settings.refresh_lease_s + 1)
        assert await reseal_all(rotation) == Resealed(count=1, left=0)

    tiktok.during_refresh = lease_runs_out_then_rotate
    assert await auth.keeper.access_token(account_id, rejected=True) == "act.2"
    assert tiktok.revoked == []
    account = await stored(auth, account_id)
    assert account["status"] == "connected" and refresh_token_of(auth, account) == "rft.2"
    assert account["refresh_token"]["kid"] == "k1"  # sealed anew by the refresher
    assert account["lease_until"] is None
    kinds = [e["kind"] for e in await auth.keeper.audit.for_account(account_id)]
    assert kinds[0] == "token_refreshed"


async def test_a_reconnect_during_a_refresh_keeps_the_reconnects_pair_and_revokes_nothing() -> None:
    auth, tiktok, _clock, account_id = await connected()

    async def reconnect() -> None:
        assert await auth.connect("u1", "code-2", None) == account_id

    tiktok.during_refresh = reconnect
    # the reconnect was issued act.2/rft.2, the refresh act.3/rft.3
    assert await auth.keeper.access_token(account_id, rejected=True) == "act.2"
    assert tiktok.revoked == [], "a revoke would end the reconnect's authorisation too"
    account = await stored(auth, account_id)
    assert account["status"] == "connected" and refresh_token_of(auth, account) == "rft.2"
    assert account["lease_until"] is None, "the lease is given back"


@pytest.mark.parametrize(
    ("status", "body"),
    [(502, "<html><body>Bad Gateway</body></html>"), (200, '{"access_token": "act.')],
    ids=["an edge's 502 page", "a cut 200 body"],
)
async def test_an_unreadable_answer_for_one_account_ends_only_its_refresh(
    status: int, body: str
) -> None:
    auth, tiktok, clock, first = await connected()
    others = [await auth.connect(f"u{n}", f"code-{n}", None) for n in (2, 3)]
    tiktok.unreadable["rft.1"] = (status, body)
    clock.at += timedelta(seconds=DAY - 1800)  # every token inside the refresh window
    assert await refresh_due(auth.keeper) == 2
    assert sorted(tiktok.refreshes) == ["rft.1", "rft.2", "rft.3"]
    for account_id in others:
        account = await stored(auth, account_id)
        assert account["tokens_at"] == clock.at and account["status"] == "connected"
    failed = await stored(auth, first)
    assert failed["status"] == "connected" and failed["refresh_failures"] == 1
    retry_at = failed["next_refresh_at"]
    assert retry_at is not None and retry_at > clock.at  # tried again after a back-off
    assert failed["lease_until"] is None
    [entry] = [e for e in await auth.keeper.audit.for_account(first) if e["kind"] != "connected"]
    assert entry["kind"] == "refresh_failed" and "unreadable" in entry["detail"]["error"]
