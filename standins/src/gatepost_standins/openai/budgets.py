"""Per-minute budgets per model (requests, images, tokens), as OpenAI keeps them per organisation
and model, answered as OpenAI does: 429 `rate_limit_exceeded` with `retry-after` and the
`x-ratelimit-*` headers (the headers come with every answer)."""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from gatepost_standins.openai.config import Budget
from gatepost_standins.openai.rules import Refused

WINDOW_S = 60.0
UNITS = {"requests": "RPM", "images": "IPM", "tokens": "TPM"}


class RateLimited(Refused):
    def __init__(self, message: str, retry_after_s: float, headers: dict[str, str]) -> None:
        super().__init__(429, message, code="rate_limit_exceeded")
        self.retry_after_s = retry_after_s
        self.headers = headers


def reset_text(seconds: float) -> str:
    """OpenAI's reset format: '12s', '1m0s', '250ms'."""
    if seconds < 1:
        return f"{max(round(seconds * 1000), 1)}ms"
    whole = math.ceil(seconds)
    return f"{whole // 60}m{whole % 60}s" if whole >= 60 else f"{whole}s"


@dataclass
class Budgets:
    """Sliding one-minute windows; `take` either records the usage or raises RateLimited."""

    limits: dict[str, Budget]
    used: dict[tuple[str, str], deque[tuple[float, int]]] = field(
        default_factory=lambda: defaultdict(deque)
    )
    refused: int = 0

    def budget(self, model: str) -> Budget:
        return self.limits.get(model) or self.limits.get("*") or Budget()

    def _in_window(self, model: str, kind: str, now: float) -> int:
        entries = self.used[(model, kind)]
        while entries and entries[0][0] <= now - WINDOW_S:
            entries.popleft()
        return sum(amount for _, amount in entries)

    def _free_in(self, model: str, kind: str, need: int, limit: int, now: float) -> float:
        """Seconds until `need` more fit under `limit`."""
        total = self._in_window(model, kind, now)
        for at, amount in self.used[(model, kind)]:
            total -= amount
            if total + need <= limit:
                return at + WINDOW_S - now
        return WINDOW_S

    def take(self, model: str, wants: dict[str, int], now: float | None = None) -> dict[str, str]:
        """Record `wants` (kind → amount) or raise; returns the x-ratelimit headers."""
        now = time.monotonic() if now is None else now
        budget = self.budget(model)
        headers: dict[str, str] = {}
        for kind, amount in wants.items():
            limit = getattr(budget, f"{kind}_per_minute")
            if limit is None:
                continue
            used = self._in_window(model, kind, now)
            if used + amount > limit:
                wait = self._free_in(model, kind, amount, limit, now)
                headers |= self._headers(kind, limit, used, wait)
                headers["retry-after"] = str(max(1, math.ceil(wait)))
                headers["retry-after-ms"] = str(max(1, math.ceil(wait * 1000)))
                self.refused += 1
                raise RateLimited(
                    f"Rate limit reached for {model} in organization org-standin on {kind} per "
                    f"minute ({UNITS[kind]}): Limit {limit}, Used {used}, Requested {amount}. "
                    f"Please try again in {reset_text(wait)}. Visit "
                    "https://platform.openai.com/account/rate-limits to learn more.",
                    wait,
                    headers,
                )
        for kind, amount in wants.items():
            limit = getattr(budget, f"{kind}_per_minute")
            if limit is not None:
                self.used[(model, kind)].append((now, amount))
                used = self._in_window(model, kind, now)
                wait = self._free_in(model, kind, 1, limit, now) if used >= limit else 0.0
                headers |= self._headers(kind, limit, used, wait)
        return headers

    @staticmethod
    def _headers(kind: str, limit: int, used: int, wait: float) -> dict[str, str]:
        return {
            f"x-ratelimit-limit-{kind}": str(limit),
            f"x-ratelimit-remaining-{kind}": str(max(limit - used, 0)),
            f"x-ratelimit-reset-{kind}": reset_text(wait),
        }
