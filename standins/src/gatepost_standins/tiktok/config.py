"""Stand-in settings: from `TIKTOK_STANDIN_*` variables or a JSON file given on the command line.
Where TikTok's behaviour is unconfirmed (see the reference spec), it is a setting here."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class TikTokStandinConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIKTOK_STANDIN_", extra="forbid")

    client_key: str = "gatepost-local"
    client_secret: str = "local-only-tiktok-client-secret"
    redirect_uris: list[str] = ["http://127.0.0.1:8080/api/auth/tiktok/callback"]
    platform: str = "web"
    auto_consent: bool = False
    access_token_ttl_s: int = 86400
    refresh_token_ttl_s: int = 31536000
    code_ttl_s: int = 300
    verified_url_prefixes: list[str] = []
    # TikTok pulls https only; the credential-less local run serves media over plain http.
    require_https: bool = True
    max_image_bytes: int = 20_000_000
    max_image_side: int = 1920
    creator_nickname: str = "Local Creator"
    creator_private_account: bool = False
