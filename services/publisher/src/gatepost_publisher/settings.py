"""Settings of the publisher service."""

from gatepost_common.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "publisher"
    http_port: int = 8004
    session_public_key: str
    # The approval service's public key: post.approved signed by anything else is refused.
    approval_public_key: str
    internal_token: str
    auth_url: str = "http://127.0.0.1:8001"
    tiktok_api_base: str = "https://open.tiktokapis.com"
    tiktok_client_key: str
    tiktok_client_secret: str
    verified_url_prefixes: list[str] = []
    post_mode: str = "DIRECT_POST"
    worker_interval_s: float = 1.0
    status_poll_interval_s: float = 2.0
    lease_s: float = 120.0
    defer_s: float = 3600.0
