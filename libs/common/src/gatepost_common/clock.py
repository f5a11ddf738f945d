"""Time, injectable. In local and test runs an offset file moves a service's clock together with
the TikTok stand-in's, so 24-hour expiries are testable in seconds; production refuses it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class OffsetClock(Clock):
    """Real time plus the number of seconds written in `path` (0 when the file is absent)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> datetime:
        try:
            offset = float(self.path.read_text().strip() or 0)
        except (FileNotFoundError, ValueError):
            offset = 0.0
        return datetime.now(UTC) + timedelta(seconds=offset)


def clock_for(environment: str, offset_file: Path | None) -> Clock:
    if offset_file is None:
        return Clock()
    if environment == "production":
        raise ValueError("a clock offset file is for local and test runs only")
    return OffsetClock(offset_file)
