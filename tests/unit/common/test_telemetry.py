"""Spans of HTTP requests never carry query strings (OAuth callbacks hold codes there)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gatepost_common.telemetry import instrument_app


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
