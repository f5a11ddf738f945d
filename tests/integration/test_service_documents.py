"""Every service serves its OpenAPI document and is ready; consumers serve AsyncAPI."""

from __future__ import annotations

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
