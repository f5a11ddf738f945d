"""Tokens renewed before they expire: a background pass over every connected account whose
access token expires within the window (each refresh leased to one replica by TokenKeeper). One
account's failure, whatever it is, ends that account's refresh, never the pass."""

from __future__ import annotations

import logging
from datetime import timedelta

from gatepost_auth.domain import NeedsReauth, RefreshUnavailable
from gatepost_auth.tokens import TokenKeeper
from gatepost_common.passes import every

logger = logging.getLogger(__name__)


async def refresh_due(keeper: TokenKeeper) -> int:
    """One pass: refresh every token that expires within the window; how many were."""
    now = keeper.clock.now()
    window = timedelta(seconds=keeper.settings.refresh_window_s)
    refreshed = 0
    for account_id in await keeper.accounts.due_for_refresh(now + window, now):
        try:
            fresh = await keeper.refresh(account_id, reason="scheduled", only_if_expiring=True)
        except (NeedsReauth, RefreshUnavailable):
            continue
        except Exception:  # one account's surprise ends its refresh, not the others'
            logger.exception("refresh failed", extra={"fields": {"account_id": account_id}})
            continue
        refreshed += fresh is not None
    return refreshed


async def keep_renewing(keeper: TokenKeeper) -> None:
    """The background loop: a pass every `refresh_interval_s`."""
    await every(
        keeper.settings.refresh_interval_s,
        lambda: refresh_due(keeper),
        logger,
        "refresh pass failed",
    )
