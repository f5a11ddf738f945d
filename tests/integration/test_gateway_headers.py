"""The gateway's security headers on every kind of answer it gives: the web UI, an API answer,
an error, a public picture served straight from media's folder; and no Swagger UI (inline
script, CDN) behind it, while the OpenAPI documents stay reachable."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
from pathlib import Path

import httpx
import pytest
from PIL import Image

from gatepost_devstack.gateway import CSP, nginx_binary
from gatepost_devstack.outside import eventually
from gatepost_devstack.stack import Stack
from tests.integration.test_compose_gateway import ROOT, self_signed

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
        auth=stack.service_auth("generator", "media"),
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_compose_gateway_sends_the_same_headers(tmp_path: Path) -> None:
    """Compose's nginx configuration, run by a real nginx on free ports (its upstreams absent):
    the web UI, a public picture and a refused Swagger UI all carry the headers."""
    web, media = tmp_path / "html", tmp_path / "media"
    web.mkdir()
    media.mkdir()
    (web / "index.html").write_text("<!doctype html><title>Gatepost</title>")
    picture = "ab" * 32
    (media / f"{picture}.jpg").write_bytes(b"\xff\xd8\xff\xd9")
    plain, secure = free_port(), free_port()
    chain, private = self_signed(tmp_path)
    conf = (ROOT / "deploy/nginx/gateway.conf").read_text()
    for old, new in {
        "listen 8080;": f"listen 127.0.0.1:{plain};",
        "listen 8443 ssl http2;": f"listen 127.0.0.1:{secure} ssl http2;",
        "/etc/gatepost/tls/fullchain.pem": str(chain),
        "/etc/gatepost/tls/privkey.pem": str(private),
        "/var/log/nginx/access.log": str(tmp_path / "access.log"),
        "/usr/share/nginx/html": str(web),
        "/var/lib/gatepost/media": str(media),
        # what compose mounts there
        "/etc/nginx/gatepost/trusted-proxies.conf": str(ROOT / "deploy/nginx/trusted-proxies.conf"),
    }.items():
        conf = conf.replace(old, new)
    conf = re.sub(r"http://\w+:(\d+)", f"http://127.0.0.1:{free_port()}", conf)
    (tmp_path / "gateway.conf").write_text(conf)
    temp = " ".join(
        f"{kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # the workers read tmp_path
    (tmp_path / "nginx.conf").write_text(
        f"{user}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\ndaemon off;\n"
        f"events {{}}\nhttp {{ {temp} include {tmp_path}/gateway.conf; }}\n"
    )
    nginx = subprocess.Popen(
        [nginx_binary(), "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")]
    )
    try:
        base = f"https://127.0.0.1:{secure}"
        assert eventually(lambda: answers(base))
        for path, status in [
            ("/", 200),
            (f"/media/{picture}.jpg", 200),
            ("/api/approval/docs", 404),
            ("/api/auth/redoc", 404),
        ]:
            answer = httpx.get(f"{base}{path}", verify=False)
            assert answer.status_code == status, path
            assert {name: answer.headers.get(name) for name in EXPECTED} == EXPECTED, path
    finally:
        nginx.terminate()
        nginx.wait(timeout=30)


def answers(base: str) -> bool:
    try:
        httpx.get(base, verify=False)
    except httpx.TransportError:
        return False
    return True
