"""OpenTelemetry metrics: one meter provider per process (OTLP export when an endpoint is set),
and Gatepost's instruments, named here once so every service counts the same way.

Instruments made at import are proxies until `setup_metrics` installs the provider; without an
endpoint they record into nothing, at almost no cost."""

from __future__ import annotations

from opentelemetry import metrics
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

from gatepost_common.telemetry import resource_for


def setup_metrics(service: str, otlp_endpoint: str | None) -> MeterProvider | None:
    """Install the global meter provider (idempotent). The export interval follows
    OTEL_METRIC_EXPORT_INTERVAL (milliseconds, 60 000 by default)."""
    current = metrics.get_meter_provider()
    if isinstance(current, MeterProvider):
        return current
    if not otlp_endpoint:
        return None
    exporter = OTLPMetricExporter(endpoint=f"{otlp_endpoint.rstrip('/')}/v1/metrics")
    provider = MeterProvider(
        resource=resource_for(service),
        metric_readers=[PeriodicExportingMetricReader(exporter)],
    )
    metrics.set_meter_provider(provider)
    return provider


meter = metrics.get_meter("gatepost")

POSTS_GENERATED = meter.create_counter(
    "gatepost.posts.generated", unit="{post}", description="carousels generated from a topic"
)
POSTS_APPROVED = meter.create_counter(
    "gatepost.posts.approved", unit="{post}", description="posts a person approved"
)
POSTS_PUBLISHED = meter.create_counter(
    "gatepost.posts.published",
    unit="{post}",
    description="posts TikTok accepted (attribute `status`: PUBLISH_COMPLETE, SEND_TO_USER_INBOX)",
)
POSTS_FAILED = meter.create_counter(
    "gatepost.posts.failed",
    unit="{post}",
    description="topics or posts that failed (attribute `stage`: generation, publishing)",
)
POSTS_DEFERRED = meter.create_counter(
    "gatepost.posts.deferred",
    unit="{post}",
    description="publish attempts put off to later (attribute `kind`: deferred, retry_later)",
)
UPLOADS_TAMPERED = meter.create_counter(
    "gatepost.uploads.tampered",
    unit="{upload}",
    description="FILE_UPLOADs in which TikTok held bytes Gatepost never sent (its upload URL was "
    "used by someone else): an alert, each one needs a person",
)
TIKTOK_CALLS = meter.create_counter(
    "gatepost.tiktok.calls",
    unit="{call}",
    description="TikTok API calls (attributes `endpoint`, `http.status`, `code`: ok or TikTok's "
    "error code)",
)
GENERATION_DURATION = meter.create_histogram(
    "gatepost.generation.duration",
    unit="s",
    description="from taking a topic to its post or failure (attribute `outcome`)",
)
GENERATION_STAGE_DURATION = meter.create_histogram(
    "gatepost.generation.stage.duration",
    unit="s",
    description="one generation step (attribute `stage`: language, text, images, compose)",
)
PUBLISH_DURATION = meter.create_histogram(
    "gatepost.publish.duration",
    unit="s",
    description="from a post's approval to TikTok's final status (attribute `status`)",
)
AI_TOKENS = meter.create_counter(
    "gatepost.ai.tokens",
    unit="{token}",
    description="model tokens used (attributes `model`, `kind`: prompt, completion, image)",
)
AI_IMAGES = meter.create_counter(
    "gatepost.ai.images", unit="{image}", description="images the image model made (`model`)"
)
AI_RATE_LIMITED = meter.create_counter(
    "gatepost.ai.rate_limited",
    unit="{call}",
    description="model calls the provider answered 429 (retried after retry-after; `model`)",
)
DEAD_LETTERS = meter.create_counter(
    "gatepost.dead_letters",
    unit="{message}",
    description="messages a consumer gave up on and wrote to `<topic>.dlq` (attributes `topic`: "
    "the source topic, `kind`: poison or unexpected)",
)
POSTS_STUCK = meter.create_counter(
    "gatepost.posts.stuck",
    unit="{post}",
    description="approved posts found with no outcome long past their publish time (once each)",
)
