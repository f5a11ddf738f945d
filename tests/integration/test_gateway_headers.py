"""The gateway's security headers on every kind of answer it gives: the web UI, an API answer,
an error, a public picture served straight from media's folder; and no Swagger UI (inline
script, CDN) behind it, while the OpenAPI documents stay reachable."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from gatepost_devstack.gateway import CSP
from gatepost_devstack.stack import Stack

EXPECTED = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
}


def picture_url(stack: Stack) -> str:
    """A picture stored by media (as the generator would), at its public URL."""
    data = io.BytesIO()
    Image.new("RGB", (400, 400), "teal").save(data, "PNG")
    answer = httpx.post(
        f"http://127.0.0.1:{stack.ports.media}/internal/images",
        content=data.getvalue(),
        headers=stack.service_token("generator", "media"),
    )
    answer.raise_for_status()
    return str(answer.json()["url"])


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/src/main.js", 200),
        ("/api/auth/accounts", 401),
        ("/api/approval/no-such-route", 404),
        ("/api/media/internal/images", 404),
    ],
)
def test_every_answer_carries_the_security_headers(stack: Stack, path: str, status: int) -> None:
    answer = httpx.get(f"{stack.gateway_url}{path}")
    assert answer.status_code == status
    assert {name: answer.headers.get(name) for name in EXPECTED} == EXPECTED


def test_a_public_picture_keeps_its_own_headers_and_the_security_ones(stack: Stack) -> None:
    answer = httpx.get(picture_url(stack))
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert {name: answer.headers.get(name) for name in EXPECTED} == EXPECTED


def test_no_swagger_ui_behind_the_gateway_but_the_openapi_documents(stack: Stack) -> None:
    for service in ("auth", "approval", "media"):
        assert httpx.get(f"{stack.gateway_url}/api/{service}/docs").status_code == 404
        assert httpx.get(f"{stack.gateway_url}/api/{service}/redoc").status_code == 404
        assert httpx.get(f"{stack.gateway_url}/api/{service}/openapi.json").status_code == 200
