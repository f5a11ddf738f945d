"""Kafka topic names: the one place they are spelled."""

from typing import Final

TOPIC_CREATED: Final = "topic.created"
POST_GENERATED: Final = "post.generated"
POST_APPROVED: Final = "post.approved"
POST_PUBLISHED: Final = "post.published"
POST_PROGRESSED: Final = "post.progressed"
TIKTOK_WEBHOOK: Final = "tiktok.webhook"
POST_MEASURED: Final = "post.measured"

ALL_TOPICS: Final = (
    TOPIC_CREATED,
    POST_GENERATED,
    POST_APPROVED,
    POST_PUBLISHED,
    POST_PROGRESSED,
    TIKTOK_WEBHOOK,
    POST_MEASURED,
)


def dlq(topic: str) -> str:
    """The dead-letter topic of `topic`: messages that can never be processed go there."""
    return f"{topic}.dlq"
