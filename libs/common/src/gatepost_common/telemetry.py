"""OpenTelemetry wiring: one tracer provider per process, OTLP export when an endpoint is set."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor, RequestInfo
from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Link, Span
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

INSTANCE_ID = uuid.uuid4().hex  # tells replicas of one service apart
# Query parameters whose values may appear in a client span: an allow-list, because a URL can be a
# bearer capability (TikTok's upload_url carries its upload_token; OAuth URLs carry codes)
SHOWN_QUERY = frozenset({"fields", "upload_id"})
REDACTED = "REDACTED"
URL_ATTRIBUTES = ("url.full", "http.url")


def resource_for(service: str) -> Resource:
    return Resource.create(
        {"service.name": f"gatepost-{service}", "service.instance.id": INSTANCE_ID}
    )


def setup_tracing(service: str, otlp_endpoint: str | None) -> TracerProvider:
    """Install the global tracer provider and the library instrumentations (idempotent)."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    provider = TracerProvider(resource=resource_for(service))
    if otlp_endpoint:
        exporter = OTLPSpanExporter(endpoint=f"{otlp_endpoint.rstrip('/')}/v1/traces")
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    HTTPXClientInstrumentor().instrument(**CLIENT_HOOKS)
    PymongoInstrumentor().instrument()
    return provider


def scrub_query(span: Span, scope: dict[str, Any]) -> None:
    """Query strings can carry secrets (OAuth codes): keep them out of span attributes."""
    if not span.is_recording():
        return
    path = scope.get("path", "")
    span.set_attribute("http.target", path)
    span.set_attribute("url.path", path)
    host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
    span.set_attribute("http.url", f"{scope.get('scheme', 'http')}://{host}{path}")
    if scope.get("query_string"):
        span.set_attribute("url.query", "[redacted]")


def shown_url(url: str) -> str:
    """`url` as a span may show it: no user or password, each query value not allow-listed
    replaced by REDACTED (the names stay: they say what kind of request it was)."""
    parts = urlsplit(url)
    query = [
        (name, value if name in SHOWN_QUERY else REDACTED)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe=","), ""))


def url_text(url: httpx.URL | tuple[bytes, bytes, int | None, bytes]) -> str:
    """The request's URL as text (httpx's transport API passes it as a URL or a raw tuple)."""
    if isinstance(url, httpx.URL):
        return str(url)
    scheme, host, port, target = url
    return f"{scheme.decode()}://{host.decode()}{f':{port}' if port else ''}{target.decode()}"


def scrub_client_url(span: Span, request: RequestInfo) -> None:
    """The httpx instrumentation's request hook: every attribute carrying the URL is rewritten."""
    if not span.is_recording():
        return
    url = shown_url(url_text(request.url))
    recorded = getattr(span, "attributes", None) or {}
    for name in URL_ATTRIBUTES:
        if name in recorded:
            span.set_attribute(name, url)


async def scrub_client_url_async(span: Span, request: RequestInfo) -> None:
    scrub_client_url(span, request)


CLIENT_HOOKS: dict[str, Any] = {
    "request_hook": scrub_client_url,
    "async_request_hook": scrub_client_url_async,
}


def instrument_app(app: FastAPI, tracer_provider: TracerProvider | None = None) -> None:
    FastAPIInstrumentor.instrument_app(
        app,
        excluded_urls="healthz,readyz",
        server_request_hook=scrub_query,
        tracer_provider=tracer_provider,
    )


def current_trace() -> dict[str, str]:
    """The active span's W3C trace context, to store beside work that continues later."""
    carrier: dict[str, str] = {}
    TraceContextTextMapPropagator().inject(carrier)
    return carrier


def stored_trace(carrier: dict[str, str] | None) -> Context:
    """A context to continue (as parent) from what `current_trace` stored."""
    return TraceContextTextMapPropagator().extract(carrier or {})


def linked(carrier: dict[str, str] | None) -> list[Link]:
    """A link to stored work: for a new trace that a person's action starts (an approval)."""
    span_context = trace.get_current_span(stored_trace(carrier)).get_span_context()
    return [Link(span_context)] if span_context.is_valid else []


tracer = trace.get_tracer("gatepost")
