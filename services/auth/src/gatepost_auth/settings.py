"""Settings of the auth service."""

from __future__ import annotations

from pathlib import Path

from pydantic import model_validator

from gatepost_common.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "auth"
    http_port: int = 8001
    session_private_key: str
    session_public_key: str
    session_hours: int = 12
    # key id → base64 32-byte AES key; new ciphertexts use the active one (see rotate_keys)
    token_keys: dict[str, str]
    active_token_key: str
    state_secret: str
    cookie_secure: bool = True
    tiktok_client_key: str
    tiktok_client_secret: str
    tiktok_api_base: str = "https://open.tiktokapis.com"
    tiktok_authorize_url: str = "https://www.tiktok.com/v2/auth/authorize/"
    tiktok_redirect_uri: str
    tiktok_pkce: bool = False  # desktop-type apps must; TikTok's web flow takes none
    tiktok_scopes: list[str] = ["user.info.basic", "video.publish", "video.upload"]
    # insights (issue 29): the same switches as the publisher's; they add the scopes to ask for
    # (video.list reads public posts' numbers, user.info.stats an account's totals)
    insights_enabled: bool = False
    insights_user_stats: bool = False
    # refresh when the access token expires within this window (TikTok's own expires_in decides)
    refresh_window_s: int = 3600
    refresh_interval_s: float = 30.0
    # a refresh is bounded well under its lease, so a lease never runs out under a live refresh
    refresh_lease_s: float = 120.0
    refresh_timeout_s: float = 20.0
    refresh_max_backoff_s: float = 3600.0
    # calls a minute each personal API token may make, over every service
    api_token_per_minute: int = 120
    signin_max_failures: int = 5
    signin_window_s: int = 900
    after_connect_url: str = "/#accounts"
    # where people reach Gatepost: sign-up links in mails point there
    public_url: str = "http://127.0.0.1:8080"
    signup_link_hours: int = 24
    # production sends mail by SMTP (smtp://user:password@host:587, STARTTLS; smtps:// for TLS)
    smtp_url: str = ""
    mail_from: str = "Gatepost <no-reply@localhost>"
    # local and test runs: mail goes to this file instead, shown at GET /mailbox
    mailbox_file: Path | None = None
    # reviewers are told: at most one mail this often per person when posts await approval
    review_mail_every_s: float = 3600.0
    review_mail_interval_s: float = 30.0
    # the consumer group that reads tiktok.webhook (another only for a second, separate auth)
    webhook_consumer_group: str = "auth"

    @model_validator(mode="after")
    def _insights_scopes(self) -> Settings:
        wanted = ["video.list"] if self.insights_enabled else []
        if self.insights_enabled and self.insights_user_stats:
            wanted.append("user.info.stats")
        self.tiktok_scopes = [
            *self.tiktok_scopes,
            *(s for s in wanted if s not in self.tiktok_scopes),
        ]
        return self

    @model_validator(mode="after")
    def _mail_goes_somewhere(self) -> Settings:
        if self.environment == "production" and (self.mailbox_file or not self.smtp_url):
            raise ValueError(
                "production sends sign-up mail by SMTP: set SMTP_URL, not MAILBOX_FILE"
            )
        if not self.smtp_url and self.mailbox_file is None:
            raise ValueError("set SMTP_URL, or MAILBOX_FILE for a local run")
        return self
