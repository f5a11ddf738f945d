"""What a person may still ask of the generator today: topics, images (each topic's slides and
each redraw) and bulk imports, each a daily quota (gatepost_common.quotas) an operator sets. Taken
at the door, before a topic is queued or an image drawn; a request that needs several quotas
takes them in turn and gives back what it took when a later one refuses."""

from __future__ import annotations

from dataclasses import dataclass

from gatepost_common.quotas import DailyQuotas, Quota
from gatepost_generator.domain import SLIDES
from gatepost_generator.settings import Settings


@dataclass(frozen=True)
class DailyLimits:
    topics: Quota
    images: Quota
    imports: Quota

    @classmethod
    def of(cls, settings: Settings) -> DailyLimits:
        return cls(
            topics=Quota("topics", "topics", settings.quota_topics_per_day),
            images=Quota("images", "images", settings.quota_images_per_day),
            imports=Quota("imports", "imports", settings.quota_imports_per_day),
        )

    def every(self) -> list[Quota]:
        return [self.topics, self.images, self.imports]


@dataclass
class Allowance:
    quotas: DailyQuotas
    limits: DailyLimits

    async def take(self, user_id: str, wanted: list[tuple[Quota, int]]) -> None:
        """Take each (quota, n) or none: a refusal gives back what was taken before it."""
        taken: list[tuple[Quota, int]] = []
        try:
            for quota, n in wanted:
                await self.quotas.take(user_id, quota, n)
                taken.append((quota, n))
        except BaseException:
            for quota, n in taken:
                await self.quotas.give_back(user_id, quota, n)
            raise

    async def for_topics(self, user_id: str, count: int, *, imported: bool = False) -> None:
        """New topics (and, for a bulk import, one import): each will draw SLIDES images."""
        wanted = [(self.limits.imports, 1)] if imported else []
        wanted += [(self.limits.topics, count), (self.limits.images, count * SLIDES)]
        await self.take(user_id, wanted)

    async def give_back_topics(self, user_id: str, count: int) -> None:
        await self.quotas.give_back(user_id, self.limits.topics, count)
        await self.quotas.give_back(user_id, self.limits.images, count * SLIDES)

    async def for_images(self, user_id: str, count: int) -> None:
        """A failed topic drawn again, or a slide redrawn."""
        await self.take(user_id, [(self.limits.images, count)])

    async def give_back_images(self, user_id: str, count: int) -> None:
        """Images counted for a draw that did not happen after all."""
        await self.quotas.give_back(user_id, self.limits.images, count)

    async def used(self, user_id: str) -> dict[str, int]:
        return await self.quotas.used(user_id, self.limits.every())
