"""`./dev run --tracing`: spans exported over OTLP reach a real Zipkin server (its jar from Maven
Central) through the devstack's receiver, with their parents, kinds, services and links."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Link, SpanKind, StatusCode

from gatepost_devstack import infra
from gatepost_devstack.config import TEST_PORTS
from gatepost_devstack.outside import eventually
from gatepost_devstack.supervisor import Supervisor, port_open

SINK_PORT = TEST_PORTS.otlp + 1  # beside the test stack's own receiver


@pytest.fixture(scope="module")
def zipkin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("tracing")
    supervisor = Supervisor(folder / "logs")
    try:
        url = infra.start_zipkin(supervisor, TEST_PORTS.zipkin)
        supervisor.start(
            "otlp-sink",
            [
                sys.executable,
                "-m",
                "gatepost_devstack.otlp_sink",
                str(SINK_PORT),
                str(folder),
                "--zipkin",
                url,
            ],
            ready=lambda: port_open("127.0.0.1", SINK_PORT),
        )
        yield url
    finally:
        supervisor.stop()


def test_spans_reach_zipkin_with_their_shape(zipkin: str) -> None:
    provider = TracerProvider(resource=Resource.create({"service.name": "gatepost-example"}))
    provider.add_span_processor(
        SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"http://127.0.0.1:{SINK_PORT}/v1/traces"))
    )
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("earlier") as earlier:
        pass
    with (
        tracer.start_as_current_span(
            "approve post", kind=SpanKind.SERVER, links=[Link(earlier.get_span_context())]
        ) as parent,
        tracer.start_as_current_span(
            "post.approved publish", kind=SpanKind.PRODUCER, attributes={"retries": [1, 2]}
        ) as child,
    ):
        child.set_status(StatusCode.ERROR)
    provider.shutdown()
    trace_id = format(parent.get_span_context().trace_id, "032x")

    def stored() -> list[dict[str, object]]:
        answer = httpx.get(f"{zipkin}/api/v2/trace/{trace_id}")
        return answer.json() if answer.status_code == 200 else []  # type: ignore[no-any-return]

    spans = {s["name"]: s for s in eventually(stored, timeout=20)}
    assert set(spans) == {"approve post", "post.approved publish"}
    approve, publish = spans["approve post"], spans["post.approved publish"]
    assert approve["kind"] == "SERVER" and publish["kind"] == "PRODUCER"
    assert publish["parentId"] == approve["id"] == format(parent.get_span_context().span_id, "016x")
    assert approve["localEndpoint"] == {"serviceName": "gatepost-example"}
    earlier_id = format(earlier.get_span_context().trace_id, "032x")
    assert approve["tags"]["links"].startswith(earlier_id)  # type: ignore[index]
    assert publish["tags"] == {"retries": "[1, 2]", "error": "true"}
    services = httpx.get(f"{zipkin}/api/v2/services").json()
    assert "gatepost-example" in services
