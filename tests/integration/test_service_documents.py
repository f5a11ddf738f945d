"""Every service serves its OpenAPI document and is ready; consumers serve AsyncAPI."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gatepost_devstack.config import SERVICES
from gatepost_devstack.stack import Stack

CONSUMES = {
    "generator": ["topic.created"],
    "approval": ["post.generated", "post.published", "post.progressed"],
    "publisher": ["post.approved"],
}


@pytest.mark.parametrize("service", SERVICES)
def test_service_is_ready_and_serves_openapi(stack: Stack, service: str) -> None:
    base = f"http://127.0.0.1:{getattr(stack.ports, service)}"
    ready = httpx.get(f"{base}/readyz").json()
    assert ready["ready"] is True and all(ready["checks"].values())
    document = httpx.get(f"{base}/openapi.json").json()
    assert document["openapi"].startswith("3.") and document["paths"]


@pytest.mark.parametrize("service", sorted(CONSUMES))
def test_consumer_serves_asyncapi_with_its_topics(stack: Stack, service: str) -> None:
    base = f"http://127.0.0.1:{getattr(stack.ports, service)}"
    document = httpx.get(f"{base}/asyncapi.json").json()
    assert document["asyncapi"].startswith("3.")
    addresses = {channel.get("address") for channel in document["channels"].values()}
    assert set(CONSUMES[service]) <= addresses


def named_schema(schema: dict[str, Any]) -> bool:
    """A response model of the service's own (a component), or a list of them."""
    if schema.get("type") == "array":
        schema = schema.get("items", {})
    return str(schema.get("$ref", "")).startswith("#/components/schemas/")


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_documents_what_it_answers(stack: Stack, service: str) -> None:
    """Each success answer is a named response model, a declared file or page type, or empty:
    a typed client can be generated from the document."""
    base = f"http://127.0.0.1:{getattr(stack.ports, service)}"
    document = httpx.get(f"{base}/openapi.json").json()
    untyped = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for code, answer in operation["responses"].items():
                if not code.startswith("2"):
                    continue
                content = answer.get("content", {})
                if code == "204" or not content:
                    continue
                json_answer = content.get("application/json")
                if json_answer is None:
                    assert all(kind != "application/json" for kind in content), (path, code)
                    continue
                if not named_schema(json_answer.get("schema", {})):
                    untyped.append(f"{method.upper()} {path} {code}")
    assert untyped == []


def test_the_bulk_import_documents_its_body(stack: Stack) -> None:
    document = httpx.get(f"http://127.0.0.1:{stack.ports.generator}/openapi.json").json()
    body = document["paths"]["/topics/bulk"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"]["properties"]["topics"]["items"]["properties"]
    assert body["multipart/form-data"]["schema"]["properties"]["file"]["format"] == "binary"
