"""The TikTok stand-in under test runs as its own process on a real port; a small web server in
the test process plays the media host and the webhook receiver."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

# GATEPOST_TEST_PORT_OFFSET (beyond the test stack's default 10000) moves these too, so two
# checkouts can test the stand-in side by side
SHIFT = max(int(os.environ.get("GATEPOST_TEST_PORT_OFFSET", "10000")) - 10000, 0)
STANDIN_PORT = 18190 + SHIFT
HOST_PORT = 18198 + SHIFT
STANDIN = f"http://127.0.0.1:{STANDIN_PORT}"
HOST = f"http://127.0.0.1:{HOST_PORT}"
REDIRECT = "https://gatepost.example/api/auth/tiktok/callback"
SECRET = "local-only-tiktok-client-secret"


@dataclass
class FakeHost:
    """Serves files at paths (status, headers, body) and records webhook POSTs."""

    files: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    hooks: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    hook_statuses: list[int] = field(default_factory=list)

    def serve(self, path: str, body: bytes, status: int = 200, **headers: str) -> str:
        self.files[path] = (status, headers, body)
        return f"{HOST}{path}"


def handler_for(host: FakeHost) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = host.files.get(self.path, (404, {}, b"missing"))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            if len(body) < length:
                # the sender went away mid-request (a delivery the stand-in cancelled when the
                # next test reset it): nothing was delivered
                return
            headers = {k.lower(): v for k, v in self.headers.items()} | {":path": self.path}
            host.hooks.append((headers, body))
            status = host.hook_statuses.pop(0) if host.hook_statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    return Handler


@pytest.fixture(scope="session")
def fake_host() -> Iterator[FakeHost]:
    host = FakeHost()
    server = ThreadingHTTPServer(("127.0.0.1", HOST_PORT), handler_for(host))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield host
    server.shutdown()


@pytest.fixture(scope="session")
def standin_process() -> Iterator[None]:
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", STANDIN_PORT)) != 0, (
            f"port {STANDIN_PORT} is taken: another stand-in is still running"
        )
    process = subprocess.Popen(
        [sys.executable, "-m", "gatepost_standins.tiktok", "--port", str(STANDIN_PORT)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while socket.socket().connect_ex(("127.0.0.1", STANDIN_PORT)) != 0:
        assert process.poll() is None and time.monotonic() < deadline, "stand-in did not start"
        time.sleep(0.1)
    yield
    process.terminate()
    process.wait(10)


def reset(**config: Any) -> str:
    """A fresh stand-in world; returns the default creator's open_id."""
    settings = {
        "redirect_uris": [REDIRECT],
        "auto_consent": True,
        # the fake host is 127.0.0.1 over http: the local-run leniencies, tested on their own
        "require_https": False,
        "ip_url_prefixes": True,
        "moderation_delay_s": 0.0,
        "verified_url_prefixes": [f"{HOST}/ok/"],
        "webhook_url": f"{HOST}/hooks",
        "webhook_retry_delays_s": [0.1, 0.1, 0.1],
        **config,
    }
    answer = httpx.post(f"{STANDIN}/_control/reset", json=settings)
    answer.raise_for_status()
    return str(answer.json()["default_creator"])


@pytest.fixture
def tiktok(standin_process: None, fake_host: FakeHost) -> Iterator[httpx.Client]:
    reset()  # first: it cancels the previous test's deliveries still under way
    fake_host.files.clear()
    fake_host.hooks.clear()
    fake_host.hook_statuses.clear()
    with httpx.Client(base_url=STANDIN, timeout=10) as client:
        yield client


def hooks_of(host: FakeHost, event: str) -> list[dict[str, Any]]:
    found = []
    for _, body in host.hooks:
        document = json.loads(body)
        if document["event"] == event:
            found.append(document)
    return found


def wait_hook(host: FakeHost, event: str, needle: str, timeout: float = 5.0) -> dict[str, Any]:
    """The first delivered `event` whose content mentions `needle`, waiting for it."""
    deadline = time.monotonic() + timeout
    while True:
        found = [h for h in hooks_of(host, event) if needle in h["content"]]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"no {event} webhook about {needle}"
        time.sleep(0.05)
