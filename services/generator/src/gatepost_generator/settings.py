"""Settings of the generator service."""

from gatepost_common.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "generator"
    http_port: int = 8002
    session_public_key: str
    internal_token: str
    media_url: str = "http://127.0.0.1:8005"
    openai_base_url: str | None = None  # any OpenAI-compatible endpoint; None = OpenAI itself
    openai_api_key: str
    text_model: str = "gpt-4o-mini"
    image_model: str = "gpt-image-1"
    image_size: str = "1024x1024"
    openai_timeout_s: float = 120.0
    openai_max_retries: int = 2
    text_attempts: int = 3
    # ISO 639-1 codes lingua chooses among (empty: a broad default set); low accuracy mode needs
    # about a sixth of the memory and is less sure on short topics (see benchmarks/)
    languages: list[str] = []
    language_low_accuracy: bool = False
    default_language: str = "en"
