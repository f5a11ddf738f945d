"""Spans of HTTP requests never carry query strings (OAuth callbacks hold codes there), and
client spans show only allow-listed query values (TikTok's upload_url holds its upload_token)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gatepost_common.telemetry import CLIENT_HOOKS, REDACTED, URL_ATTRIBUTES, instrument_app


def test_query_strings_stay_out_of_span_attributes() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = FastAPI()

    @app.get("/tiktok/callback")
    async def callback(code: str) -> dict[str, int]:
        return {"length": len(code)}

    instrument_app(app, tracer_provider=provider)
    assert TestClient(app).get("/tiktok/callback?code=SECRET-CODE&state=s").status_code == 200
    spans = exporter.get_finished_spans()
    assert spans, "the request was not traced"
    for span in spans:
        assert not any("SECRET-CODE" in str(v) for v in (span.attributes or {}).values()), (
            span.name,
            dict(span.attributes or {}),
        )
    server = [s for s in spans if (s.attributes or {}).get("url.path") == "/tiktok/callback"]
    assert server


TOKEN = "upload-token-SECRET"
UPLOAD_URL = f"https://open-upload.example/video/?upload_id=67890&upload_token={TOKEN}"


def client_spans(send: Callable[[TracerProvider], None]) -> list[ReadableSpan]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    send(provider)
    spans = list(exporter.get_finished_spans())
    assert spans, "the request was not traced"
    return spans


def answered(request: httpx.Request) -> httpx.Response:
    return httpx.Response(206)


def test_a_client_spans_url_keeps_only_allow_listed_query_values() -> None:
    def send(provider: TracerProvider) -> None:
        with httpx.Client(transport=httpx.MockTransport(answered)) as client:
            HTTPXClientInstrumentor.instrument_client(
                client, provider, request_hook=CLIENT_HOOKS["request_hook"]
            )
            client.put(UPLOAD_URL, content=b"chunk")

    [span] = client_spans(send)
    attributes = dict(span.attributes or {})
    assert not any(TOKEN in str(v) for v in attributes.values()), attributes
    urls = [attributes[name] for name in URL_ATTRIBUTES if name in attributes]
    assert urls == [f"https://open-upload.example/video/?upload_id=67890&upload_token={REDACTED}"]


def test_an_async_client_span_loses_secrets_anywhere_in_its_url() -> None:
    async def put() -> None:
        transport = httpx.MockTransport(answered)
        async with httpx.AsyncClient(transport=transport) as client:
            HTTPXClientInstrumentor.instrument_client(
                client, provider_box[0], request_hook=CLIENT_HOOKS["async_request_hook"]
            )
            await client.put(
                "https://user:pass@host.example:8443/x?code=abc&fields=open_id,union_id&fields=x",
                content=b"",
            )

    provider_box: list[TracerProvider] = []

    def send(provider: TracerProvider) -> None:
        provider_box.append(provider)
        asyncio.run(put())

    [span] = client_spans(send)
    attributes = dict(span.attributes or {})
    text = str(attributes)
    assert "abc" not in text and "pass" not in text, attributes
    assert f"https://host.example:8443/x?code={REDACTED}&fields=open_id,union_id&fields=x" in [
        attributes.get(name) for name in URL_ATTRIBUTES
    ]
