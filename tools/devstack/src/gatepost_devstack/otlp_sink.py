"""A minimal OTLP/HTTP receiver for tests, benchmarks and the local run. Every span it receives is
appended to `spans.jsonl` in its folder and every metric data point to `metrics.jsonl`; with
`--zipkin`, spans are also forwarded, in Zipkin's v2 JSON, to a Zipkin server's UI.

    python -m gatepost_devstack.otlp_sink PORT FOLDER [--zipkin http://127.0.0.1:9411]
"""

from __future__ import annotations

import argparse
import json
import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.resource.v1.resource_pb2 import Resource

logger = logging.getLogger(__name__)
ZIPKIN_KINDS = {2: "SERVER", 3: "CLIENT", 4: "PRODUCER", 5: "CONSUMER"}  # OTLP SpanKind values
STATUS_ERROR = 2


def value_of(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [value_of(v) for v in value.array_value.values]
    if kind in (None, "kvlist_value", "bytes_value"):
        return str(value).strip()
    return getattr(value, kind)


def attributes_of(pairs: Any) -> dict[str, Any]:
    return {a.key: value_of(a.value) for a in pairs if isinstance(a, KeyValue)}


def service_of(resource: Resource) -> tuple[str, str]:
    """(service.name, service.instance.id) of the process that sent the data."""
    found = attributes_of(resource.attributes)
    return str(found.get("service.name", "")), str(found.get("service.instance.id", ""))


def spans_of(request: ExportTraceServiceRequest) -> list[dict[str, Any]]:
    found = []
    for resource in request.resource_spans:
        service, _ = service_of(resource.resource)
        for scope in resource.scope_spans:
            for span in scope.spans:
                found.append(
                    {
                        "service": service,
                        "name": span.name,
                        "trace_id": span.trace_id.hex(),
                        "span_id": span.span_id.hex(),
                        "parent_id": span.parent_span_id.hex(),
                        "kind": span.kind,
                        "start_ns": span.start_time_unix_nano,
                        "end_ns": span.end_time_unix_nano,
                        "error": span.status.code == STATUS_ERROR,
                        "links": [
                            {"trace_id": link.trace_id.hex(), "span_id": link.span_id.hex()}
                            for link in span.links
                        ],
                        "attributes": attributes_of(span.attributes),
                    }
                )
    return found


def points_of(request: ExportMetricsServiceRequest) -> list[dict[str, Any]]:
    """One record per data point: sums and gauges carry `value`, histograms `count` and `sum`."""
    found = []
    for resource in request.resource_metrics:
        service, instance = service_of(resource.resource)
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                kind = metric.WhichOneof("data")
                for point in getattr(metric, kind).data_points if kind else []:
                    record: dict[str, Any] = {
                        "service": service,
                        "instance": instance,
                        "name": metric.name,
                        "attributes": attributes_of(point.attributes),
                        "time_ns": point.time_unix_nano,
                    }
                    if kind == "histogram":
                        record |= {"count": point.count, "sum": point.sum}
                    else:
                        number = point.WhichOneof("value")
                        record["value"] = getattr(point, number) if number else None
                    found.append(record)
    return found


def zipkin_span(span: dict[str, Any]) -> dict[str, Any]:
    """One span in Zipkin's v2 model (links, which Zipkin lacks, become a tag)."""
    tags = {
        key: json.dumps(v) if isinstance(v, list) else str(v)
        for key, v in span["attributes"].items()
    }
    if span["links"]:
        tags["links"] = " ".join(f"{link['trace_id']}/{link['span_id']}" for link in span["links"])
    if span["error"]:
        tags["error"] = "true"
    converted: dict[str, Any] = {
        "traceId": span["trace_id"],
        "id": span["span_id"],
        "name": span["name"],
        "timestamp": span["start_ns"] // 1000,
        "duration": max(1, (span["end_ns"] - span["start_ns"]) // 1000),
        "localEndpoint": {"serviceName": span["service"]},
        "tags": tags,
    }
    if span["parent_id"] and span["parent_id"] != "0" * 16:
        converted["parentId"] = span["parent_id"]
    if span["kind"] in ZIPKIN_KINDS:
        converted["kind"] = ZIPKIN_KINDS[span["kind"]]
    return converted


def read(path: Path) -> list[dict[str, Any]]:
    """The records of one of the receiver's files, skipping a last line still being written."""
    if not path.exists():
        return []
    found = []
    for line in path.read_text().splitlines():
        try:
            found.append(json.loads(line))
        except ValueError:
            continue
    return found


def append(path: Path, records: list[dict[str, Any]]) -> None:
    with path.open("a") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")


def serve(port: int, folder: Path, zipkin: str | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path == "/v1/traces":
                traces = ExportTraceServiceRequest()
                traces.ParseFromString(body)
                spans = spans_of(traces)
                append(folder / "spans.jsonl", spans)
                if zipkin and spans:
                    forward(zipkin, spans)
            elif self.path == "/v1/metrics":
                points = ExportMetricsServiceRequest()
                points.ParseFromString(body)
                append(folder / "metrics.jsonl", points_of(points))
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def forward(zipkin: str, spans: list[dict[str, Any]]) -> None:
    try:
        httpx.post(
            f"{zipkin.rstrip('/')}/api/v2/spans", json=[zipkin_span(s) for s in spans], timeout=5
        ).raise_for_status()
    except httpx.HTTPError as error:
        logger.warning("spans not forwarded to Zipkin: %s", error)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("port", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--zipkin", help="a Zipkin server to forward spans to")
    args = parser.parse_args()
    serve(args.port, args.folder, args.zipkin)
