"""Settings of the generator service."""

from datetime import UTC, datetime
from typing import Literal

from pydantic import Field, model_validator

from gatepost_common.settings import ServiceSettings
from gatepost_generator import image_api


class Settings(ServiceSettings):
    service_name: str = "generator"
    http_port: int = 8002
    session_public_key: str
    media_url: str = "http://127.0.0.1:8005"
    auth_url: str = "http://127.0.0.1:8001"  # each account's slide style and opt-ins
    publisher_url: str = "http://127.0.0.1:8004"  # an opted-in account's best titles
    openai_base_url: str | None = None  # any OpenAI-compatible endpoint; None = OpenAI itself
    openai_api_key: str
    text_model: str = "gpt-5.4-mini"
    image_model: str = "gpt-image-2"
    # the OpenAI API family the image model follows; "auto" knows OpenAI's own models only
    image_model_family: Literal["auto", "gpt-image", "gpt-image-2", "dall-e-3", "dall-e-2"] = "auto"
    image_size: str = "1024x1024"
    image_quality: str | None = None  # None: the model's default
    openai_timeout_s: float = 120.0
    text_attempts: int = 3  # answers that are not a valid carousel, before the topic fails
    call_attempts: int = 3  # one model call's tries on 5xx, time-outs and dropped connections
    rate_limited_attempts: int = 30  # 429s one call may wait out before the topic fails
    max_retry_after_s: float = 60.0
    # per-minute budgets of the provider, shared by every replica (0: none; set them a little
    # under the organisation's limits for the models)
    request_budget_per_minute: int = 0
    image_budget_per_minute: int = 0
    # how many topics one replica generates at once; a topic is claimed with a lease that the
    # replica renews while it works, so a replica that dies hands its topics on after `lease_s`
    generation_concurrency: int = 8
    lease_s: float = 60.0
    worker_interval_s: float = 0.5
    topic_attempts: int = 3  # claims of one topic (replicas dying under it) before it fails
    # each person's daily quotas (UTC days), checked before a topic is queued or an image drawn:
    # a refusal answers 429 with the reset time. A topic counts SLIDES (7) images, a redraw one
    quota_topics_per_day: int = Field(default=2000, ge=0)
    quota_images_per_day: int = Field(default=16000, ge=0)
    quota_imports_per_day: int = Field(default=50, ge=0)
    # ISO 639-1 codes lingua chooses among (empty: a broad default set); "low_then_high" loads
    # high accuracy models only for languages a short topic leaves in doubt, "high" loads them all
    # (~570 MB), "low" none (less sure on short topics); see docs/benchmarks.md
    languages: list[str] = []
    language_accuracy: Literal["low", "low_then_high", "high"] = "low_then_high"
    default_language: str = "en"

    @property
    def image_family(self) -> image_api.ImageFamily:
        return image_api.family_of(self.image_model, self.image_model_family)

    @model_validator(mode="after")
    def _image_model_is_usable(self) -> "Settings":
        image_api.check(self.image_model, self.image_family, self.image_size, self.image_quality)
        shut = image_api.SHUT_DOWN_ON_OPENAI.get(self.image_model)
        if self.openai_base_url is None and shut and datetime.now(UTC).date() >= shut:
            raise ValueError(
                f"OpenAI shut {self.image_model} down on {shut}: choose another IMAGE_MODEL "
                "(or set OPENAI_BASE_URL to an endpoint that still serves it)"
            )
        return self
