"""Stand-in settings: from `OPENAI_STANDIN_*` variables or a JSON file given on the command line,
and replaceable at run time through the control API. Strict by default: a request the real API
refuses is refused here. Where OpenAI's behaviour is uncertain, it is a setting (see rules.py for
the source of each rule)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

Family = Literal["gpt-image", "gpt-image-2", "dall-e-3", "dall-e-2", "chat"]


class Budget(BaseModel):
    """Per-minute limits of one model, as OpenAI sets them per organisation and model."""

    requests_per_minute: int | None = None
    images_per_minute: int | None = None
    tokens_per_minute: int | None = None


class OpenAIStandinConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPENAI_STANDIN_", extra="forbid")

    # Refuse unknown parameters, values a model family does not take, and unknown models, with
    # OpenAI's error envelope. Off: accept anything (only for trying a client that is not ours).
    strict: bool = True
    # OpenAI itself answers 404 model_not_found for shut-down models (gpt-image-1, DALL·E 2 and
    # 3); an OpenAI-compatible endpoint (a proxy, another host) may still serve them.
    serve_retired_models: bool = False
    # models an OpenAI-compatible endpoint serves beyond OpenAI's own, with the API family each
    # follows
    extra_models: dict[str, Family] = {}
    # Structured outputs with `strict: true` take a subset of JSON Schema. OpenAI's guide has
    # listed string length bounds among the unsupported keywords, and real answers have said
    # "'minLength' is not permitted"; whether that still holds is unconfirmed, so they are
    # refused by default.
    schema_keywords_refused: list[str] = [
        "minLength",
        "maxLength",
        "minProperties",
        "maxProperties",
        "patternProperties",
        "unevaluatedProperties",
        "propertyNames",
        "unevaluatedItems",
        "contains",
        "minContains",
        "maxContains",
        "uniqueItems",
    ]
    # latency: each call takes latency ± jitter seconds (uniform), from a seeded generator
    image_latency_s: float = 0.0
    image_jitter_s: float = 0.0
    text_latency_s: float = 0.0
    text_jitter_s: float = 0.0
    seed: int = 1
    # per-minute budgets by model name ("*" applies to every model without its own)
    budgets: dict[str, Budget] = {}
    # behaviour for tests: a request whose prompt contains one of these misbehaves
    invalid_text_when: list[str] = []
    fail_image_when: list[str] = []
    # the next N requests of a kind are answered 429 (a rate-limit storm), with this retry-after
    next_rate_limited: dict[Literal["chat", "image"], int] = {}
    storm_retry_after_s: float = Field(default=1.0, ge=0)
