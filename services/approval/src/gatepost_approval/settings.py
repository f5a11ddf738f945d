"""Settings of the approval service."""

from pydantic import Field

from gatepost_common.outbound import FetchPolicy
from gatepost_common.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "approval"
    http_port: int = 8003
    session_public_key: str
    # Only this service holds it: it signs every post.approved.
    approval_signing_key: str
    outbox_interval_s: float = 1.0
    # each person's daily quota of stored bytes (their own photos and videos, UTC days): an
    # upload over what is left is refused 413 with the reset time
    quota_stored_bytes_per_day: int = Field(default=20_000_000_000, ge=0)
    auth_url: str = "http://127.0.0.1:8001"
    # the slide editor: media sets edited words, the generator draws a new illustration
    media_url: str = "http://127.0.0.1:8005"
    generator_url: str = "http://127.0.0.1:8002"
    # the MCP server's tools read budgets and numbers from the publisher (with the agent's token)
    publisher_url: str = "http://127.0.0.1:8004"
    # where people reach Gatepost: the MCP server's answers and webhook deliveries link there
    public_url: str = "http://127.0.0.1:8080"
    # an approved post with no outcome and no word from the publisher this long past its
    # publish time (or the publisher's last word) is shown as stuck
    stuck_after_s: float = 900.0
    stuck_check_interval_s: float = 60.0
    # media of rejected and failed posts is deleted this many days after, of published posts
    # (and drafts sent to the creator's inbox) after the second: TikTok has them by then
    # (retention.py); the pass that looks for them runs every `media_retention_interval_s`
    media_retention_days: float = 30.0
    media_retention_published_days: float = 90.0
    media_retention_interval_s: float = 3600.0
    # outgoing webhooks: only to public addresses over https (the local run and the tests
    # deliver to 127.0.0.1 over http and turn `webhook_private_addresses` on, as media's
    # FETCH_PRIVATE_ADDRESSES); retried with doubling pauses for `webhook_retry_window_s`
    webhook_private_addresses: bool = False
    webhook_retry_base_s: float = 30.0
    webhook_retry_max_s: float = 3600.0
    webhook_retry_window_s: float = 86400.0
    webhook_timeout_s: float = 10.0
    webhook_interval_s: float = 1.0

    def webhook_policy(self) -> FetchPolicy:
        return FetchPolicy(private=self.webhook_private_addresses)
