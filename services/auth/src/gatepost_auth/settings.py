"""Settings of the auth service."""

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
    # refresh when the access token expires within this window (TikTok's own expires_in decides)
    refresh_window_s: int = 3600
    refresh_interval_s: float = 30.0
    # a refresh is bounded well under its lease, so a lease never runs out under a live refresh
    refresh_lease_s: float = 120.0
    refresh_timeout_s: float = 20.0
    refresh_max_backoff_s: float = 3600.0
    signin_max_failures: int = 5
    signin_window_s: int = 900
    after_connect_url: str = "/#accounts"
