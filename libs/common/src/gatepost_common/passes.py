"""A background job that makes one pass now and then: the outboxes, the stuck-post finder, the
token renewal, the insights collector, the live-link watch, the webhook re-applier."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable


async def every(
    interval_s: float,
    one_pass: Callable[[], Awaitable[object]],
    logger: logging.Logger,
    failed: str,
    level: int = logging.ERROR,
) -> None:
    """`one_pass()` every `interval_s`, until cancelled. A pass that fails (MongoDB or Kafka
    away) is logged as `failed` on the caller's `logger` with its traceback, and the next pass
    tries again: no crash, no unreadiness."""
    while True:
        try:
            await one_pass()
        except Exception:
            logger.log(level, failed, exc_info=True)
        await asyncio.sleep(interval_s)
