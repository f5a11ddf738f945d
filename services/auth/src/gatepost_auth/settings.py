"""Settings of the auth service."""

from gatepost_common.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "auth"
    http_port: int = 8001
    session_private_key: str
    session_public_key: str
    session_hours: int = 12
    internal_token: str
    # key id → base64 32-byte AES key; new tokens are sealed with the active one
    token_keys: dict[str, str]
    active_token_key: str
    state_secret: str
    cookie_secure: bool = True
    tiktok_client_key: str
    tiktok_client_secret: str
    tiktok_api_base: str = "https://open.tiktokapis.com"
    tiktok_authorize_url: str = "https://www.tiktok.com/v2/auth/authorize/"
    tiktok_redirect_uri: str
    tiktok_pkce: bool = False  # desktop apps must; TikTok's web flow takes none
    tiktok_scopes: list[str] = ["user.info.basic", "video.publish", "video.upload"]
    refresh_window_s: int = 600
    after_connect_url: str = "/#accounts"
